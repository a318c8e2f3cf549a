"""Bytes to text: the encodings pasted reports arrive in.

Order matters: a BOM is proof, UTF-8 is strict enough that a successful decode
is nearly always right, and GB18030 (a superset of GBK and GB2312) accepts
almost anything, so it comes last and is checked for plausibility.
"""
from __future__ import annotations

import codecs
import re

from extract.errors import InputError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ue000-\uf8ff]")


def _looks_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: every other byte of ASCII text is NUL."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
    odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
    if odd_nul > 0.3 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.3 and odd_nul < 0.05:
        return "utf-16-be"
    # CJK text in UTF-16 has few NULs; accept it when it decodes to mostly Han.
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = sample[: len(sample) // 2 * 2].decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text) and sum("\u4e00" <= c <= "\u9fff" for c in text) > len(text) * 0.3:
            return enc
    return None


def _plausible(text: str) -> bool:
    """Reject text full of control characters or private-use glyphs."""
    if not text:
        return True
    bad = len(_BAD_CHARS.findall(text))
    return bad / len(text) < 0.01


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise InputError."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise InputError(f"starts with a {enc} byte-order mark but does not decode: {exc.reason}")
    if b"\x00" in data[:4000]:
        enc = _looks_utf16(data)
        if enc:
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                pass
        raise InputError("binary content (NUL bytes), not a text report")
    try:
        text = data.decode("utf-8")
        if _plausible(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InputError(f"undecodable text: neither UTF-8, UTF-16 nor GB18030 ({exc.reason})") from exc
    if not _plausible(text):
        raise InputError("binary content, not a text report")
    return text, "gb18030"
