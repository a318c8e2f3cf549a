"""Extractors: one per file format, all producing extract.ir.ExtractedFile.

`read_file(path)` detects the format from the bytes (and, failing that, the
name) and dispatches through FORMATS, the one registry of what we can read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable

from extract.errors import InputError, UnsupportedFormat
from extract.ir import ExtractedFile

# Files larger than this are refused before reading: a pasted report is small.
MAX_FILE_BYTES = 200 * 1024 * 1024


def _read_text(path: Path, data: bytes, sha: str) -> ExtractedFile:
    from extract.text import extract_text

    return extract_text(data, name=path.name, path=str(path), sha256=sha)


# format code -> (file suffixes, extractor). The CLI and error messages use it.
FORMATS: dict[str, tuple[tuple[str, ...], Callable[[Path, bytes, str], ExtractedFile]]] = {
    "txt": ((".txt", ".text", ".md", ".csv", ".tsv"), _read_text),
}


def supported_suffixes() -> list[str]:
    return sorted(s for suffixes, _ in FORMATS.values() for s in suffixes)


def sniff_format(path: Path, head: bytes) -> str | None:
    """The format the bytes say, else the one the name says, else None."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx" if path.suffix.lower() in (".docx", "") else "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc/.xls/.wps
    for code, (suffixes, _) in FORMATS.items():
        if path.suffix.lower() in suffixes:
            return code
    return None


def read_file(path: str | Path) -> ExtractedFile:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror or exc}") from exc
    if size == 0:
        raise InputError("empty file (0 bytes)")
    if size > MAX_FILE_BYTES:
        raise InputError(f"file too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}") from exc
    fmt = sniff_format(path, data[:8])
    if fmt not in FORMATS:
        what = f"{fmt} content" if fmt else f"suffix {path.suffix or '(none)'}"
        raise UnsupportedFormat(
            f"unsupported format ({what}); readable here: {', '.join(supported_suffixes())}"
        )
    sha = hashlib.sha256(data).hexdigest()
    return FORMATS[fmt][1](path, data, sha)
