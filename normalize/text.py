"""Character-level clean-up shared by every other normaliser."""
from __future__ import annotations

import re
from functools import lru_cache

# Full-width forms that carry numeric meaning; Chinese punctuation （）：， is
# deliberately left alone because headings and names print it on purpose.
_HALFWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}  # ０-９
_HALFWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_HALFWIDTH.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_HALFWIDTH.update({"％": "%", "．": ".", "＋": "+", "－": "-", "\u3000": " ",
                   "＜": "<", "＞": ">", "＝": "="})


# str.translate looks up every character of a Chinese text in the table
# (0.1 µs each, a whole file in a millisecond); a pattern finds the few that
# change in a twentieth of that, and most texts have none.
_FULLWIDTH = re.compile("[" + "".join(re.escape(c) for c in _HALFWIDTH) + "]")


def _fullwidth_to_ascii(m: re.Match) -> str:
    return _HALFWIDTH[m.group()]


def to_halfwidth(s: str) -> str:
    """Full-width digits, letters, ％．＋－＜＞＝ and U+3000 to ASCII."""
    if len(s) > 256:  # a whole text: not kept in the cache of cells and lines
        return _FULLWIDTH.sub(_fullwidth_to_ascii, s)
    return _cell_to_halfwidth(s)


@lru_cache(maxsize=32768)  # the same cells and lines are cleaned by several readers
def _cell_to_halfwidth(s: str) -> str:
    return _FULLWIDTH.sub(_fullwidth_to_ascii, s)


_OCR_SYMBOLS = str.maketrans({"≧": "≥", "≦": "≤", "═": "=", "＝": "="})
# A numeric-looking token: digits mixed with letters OCR confuses with them.
# Bounded by non-letters so words like "ISO" or "Excel" are never touched.
_NUMERIC_TOKEN = re.compile(r"(?<![A-Za-z0-9.])[0-9OoIl](?:[0-9OoIl.]*[0-9OoIl])?(?![A-Za-z0-9])")
_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})
# Only a unit, a percent sign or the end may follow a letters-only token.
_UNIT_AFTER = re.compile(r"[%\u4e00-\u9fff]|$")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


def _fix_token(m: re.Match) -> str:
    tok = m.group(0)
    if any(ch.isdigit() for ch in tok):
        return tok.translate(_LOOKALIKES)
    # Letters only (e.g. "IO人"): convert only when it reads as a count.
    rest = m.string[m.end():]
    if (len(tok) >= 2 or rest.startswith("%")) and _UNIT_AFTER.match(rest):
        return tok.translate(_LOOKALIKES)
    return tok


_DIGIT_WU = re.compile(r"(?<=\d)兀")


def fix_ocr_value(s: str) -> str:
    """Repair OCR noise inside a value or number string (not prose)."""
    s = s.translate(_OCR_SYMBOLS)
    s = s.replace("万兀", "万元")
    s = _DIGIT_WU.sub("元", s)
    s = _NUMERIC_TOKEN.sub(_fix_token, s)
    s = _DIGIT_WU.sub("元", s)  # again: "IO兀" only has a digit now
    return _THOUSANDS.sub("", s)


_SPACES = re.compile(r"[\s\u200b\ufeff]+")


@lru_cache(maxsize=32768)
def squash_spaces(s: str) -> str:
    """Drop every whitespace character: wrap artefacts inside Chinese text."""
    return _SPACES.sub("", s)


def join_lines(s: str) -> str:
    """Join Chinese text wrapped over lines: strip lines, drop blanks, no separator."""
    return "".join(line.strip() for line in s.splitlines() if line.strip())


def trie_pattern(words: list[str]) -> str:
    """A regular expression matching any of `words`, longest first, shaped as a trie so
    that a shared prefix is tried once (a flat alternation of many words tries each in turn)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        # longer continuations first, the word ending here last (longest match wins)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return build(trie)
