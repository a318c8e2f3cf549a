"""Plain numbers, Arabic or Chinese numerals."""
from __future__ import annotations

import re

from normalize.text import to_halfwidth

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7,
           "八": 8, "捌": 8, "九": 9, "玖": 9}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
CHINESE_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL_UNITS) + "".join(_BIG_UNITS)

_ARABIC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def chinese_to_int(s: str) -> int | None:
    """'十二' -> 12, '一百零五' -> 105, '两' -> 2, '二〇二四' -> 2024; None if not a numeral."""
    s = s.strip()
    if not s or any(ch not in CHINESE_NUMERAL_CHARS for ch in s):
        return None
    # A run of bare digits is read positionally (years like 二〇二四).
    if len(s) > 1 and all(ch in _DIGITS for ch in s):
        return int("".join(str(_DIGITS[ch]) for ch in s))
    total = section = digit = 0
    seen_digit = False
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
            seen_digit = True
        elif ch in _SMALL_UNITS:
            # '十二' starts with the unit: an implied 一.
            section += (digit if seen_digit else 1) * _SMALL_UNITS[ch]
            digit, seen_digit = 0, False
        else:
            section += digit
            if section == 0 and total == 0:
                return None  # '万' alone is not a number
            total = (total + section) * _BIG_UNITS[ch] if ch == "亿" else total + section * _BIG_UNITS[ch]
            section, digit, seen_digit = 0, 0, False
    return total + section + digit


def parse_number(s: str) -> float | None:
    """'12' -> 12.0, '９５' -> 95.0, '1,234' -> 1234.0, '三千' -> 3000.0; else None."""
    if s is None:
        return None
    t = to_halfwidth(s).strip()
    t = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", t)
    if _ARABIC.fullmatch(t):
        return float(t)
    n = chinese_to_int(t)
    return float(n) if n is not None else None
