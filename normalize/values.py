"""SCHEMA VALUE: a target/actual cell such as `≥2600人` split into op, value, unit or text."""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from functools import lru_cache

from normalize.money import to_yuan
from normalize.numbers import CHINESE_NUMERAL_CHARS, chinese_to_int
from normalize.text import fix_ocr_value, join_lines, squash_spaces, to_halfwidth
from normalize.units import canonical_unit, is_money_unit
from parsers.records import Value

_EMPTY = {"", "-", "－", "—", "——", "/", "／", "\\", "--"}

# Longest first so that 大于等于 wins over 大于.
_OP_WORDS = [
    ("大于等于", ">="), ("大于或等于", ">="), ("不少于", ">="), ("不低于", ">="), ("不小于", ">="),
    ("至少", ">="), ("≥", ">="), (">=", ">="),
    ("小于等于", "<="), ("小于或等于", "<="), ("不多于", "<="), ("不高于", "<="), ("不超过", "<="),
    ("不大于", "<="), ("最多", "<="), ("≤", "<="), ("<=", "<="),
    ("大于", ">"), ("高于", ">"), ("超过", ">"), (">", ">"),
    ("小于", "<"), ("低于", "<"), ("少于", "<"), ("<", "<"),
    ("=", "="), ("等于", "="),
]
_OP_RE = re.compile("|".join(re.escape(w) for w, _ in sorted(_OP_WORDS, key=lambda p: -len(p[0]))))
_OP_OF = dict(_OP_WORDS)
_SUFFIX_OPS = [("及以上", ">="), ("以上", ">="), ("及以下", "<="), ("以下", "<="), ("以内", "<=")]

# A parenthetical that qualifies the bound, not the unit: 100%（含）.
_QUALIFIER = re.compile(r"[（(](?:含|不含|包含|包括|含本数)[)）]")
_ARABIC = re.compile(r"\d+(?:\.\d+)?")
_CHINESE = re.compile(f"[{CHINESE_NUMERAL_CHARS}]+")
_PERCENT_WORDS = re.compile(f"百分之([{CHINESE_NUMERAL_CHARS}]+|\\d+(?:\\.\\d+)?)")
# Measure words a Chinese numeral may carry; keeps 一般/一次性 from reading as numbers.
_MEASURE = re.compile(r"(?:个月|人次|户次|小时|季度|个|人|次|场|件|户|家|座|处|份|天|日|年|月|周|项|批|期|轮|名|位|所|条|篇|本|套|台|辆|张|元|万元)")
# Leading unit of a long tail ("2次，确保…"): stop at punctuation or digits.
_LEADING_UNIT = re.compile(r"%|‰|[^\d\s,，。；;、：:（(]{1,6}?(?=[,，。；;、：:]|$)")
# dates and deadlines are text: 2022年12月, 2022-12-31, 12月底到位, 10月前
_DATE_LIKE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月|\d{4}[.\-/]\d{1,2}[.\-/]\d{1,2}"
                        r"|(?<![\d.])\d{1,2}\s*月(?:份)?\s*(?:底|前|末|中旬|上旬|下旬|以前|之前)")
_MAX_UNIT_LEN = 8
_LABEL_AFTER = re.compile(r"[)）、:：]|\.(?!\d)")


class _NotAValue(Exception):
    """The number sits inside prose, so the cell is text."""


def _balanced(unit: str) -> bool:
    opens = sum(unit.count(c) for c in "（(")
    return opens == sum(unit.count(c) for c in "）)")


def parse_value(raw: str | None) -> Value | None:
    """Parse a VALUE cell; None for empty or dash cells."""
    if raw is None:
        return None
    v = _parse_value(raw)
    # targets such as ≥95% or =1个 recur in every report: parsed once, a fresh
    # copy handed out (the callers may set its fields)
    return None if v is None else replace(v)


@lru_cache(maxsize=16384)
def _parse_value(raw: str) -> Value | None:
    stripped = raw.strip()
    if stripped in _EMPTY:
        return None
    s = squash_spaces(fix_ocr_value(to_halfwidth(stripped)))
    if s in _EMPTY:
        return None
    if _DATE_LIKE.search(s):
        return Value(raw=stripped, text=join_lines(stripped))
    parsed = _parse_percent_words(s) or _parse_arabic(s) or _parse_chinese(s)
    if parsed is None:
        return Value(raw=stripped, text=join_lines(stripped))
    op, number, unit = parsed
    if is_money_unit(unit):
        return Value(raw=stripped, op=op, value=to_yuan(number, unit), unit="元")
    return Value(raw=stripped, op=op, value=float(Decimal(number)), unit=canonical_unit(unit))


def _prefix_op(prefix: str) -> str | None:
    found = _OP_RE.findall(prefix)
    return _OP_OF[found[-1]] if found else None


def _split_tail(tail: str) -> tuple[str | None, str | None]:
    """Tail after the number -> (unit, suffix op)."""
    tail = _QUALIFIER.sub("", tail)
    op = None
    for word, code in _SUFFIX_OPS:
        if tail.endswith(word):
            tail, op = tail[: -len(word)], code
            break
    if not tail:
        return None, op
    # A short tail is the unit as printed ("个街道（镇）"), unless it goes on after
    # a percent sign or a bound word ("95%以上的群众满意").
    if (len(tail) <= _MAX_UNIT_LEN and not re.search(r"[\d,，。；;]|以上|以下|以内", tail)
            and not (tail.startswith("%") and tail != "%")):
        return tail, op
    m = _LEADING_UNIT.match(tail) or _MEASURE.match(tail)
    if m is None:
        return None, op
    unit = m.group(0)
    rest = tail[m.end():]
    # 以上 right after the unit still bounds the value: "95%以上，…".
    word = next((w for w, _ in _SUFFIX_OPS if rest.startswith(w)), None)
    if word:
        rest, op = rest[len(word):], op or dict(_SUFFIX_OPS)[word]
    # The number only counts when a clause ends with it; "2024年部门整体…" is prose.
    if rest and rest[0] not in ",，;；。":
        raise _NotAValue
    return unit, op


def _parse_arabic(s: str) -> tuple[str | None, str, str | None] | None:
    m = _ARABIC.search(s)
    if m is None:
        return None
    tail = s[m.end():]
    # "（1）财政拨款", "职能4：…", "1、局机关": the number is a list label.
    if _LABEL_AFTER.match(tail):
        return None
    try:
        unit, suffix_op = _split_tail(tail)
    except _NotAValue:
        return None
    if unit is not None and not _balanced(unit):
        return None  # "(2024年度)" leaves "年度)": a fragment, not a unit
    return _prefix_op(s[: m.start()]) or suffix_op, m.group(0), unit


def _parse_chinese(s: str) -> tuple[str | None, str, str | None] | None:
    for m in _CHINESE.finditer(s):
        n = chinese_to_int(m.group(0))
        tail = s[m.end():]
        unit = _MEASURE.match(tail)
        if n is None or unit is None:
            continue
        rest = _QUALIFIER.sub("", tail[unit.end():])
        suffix_op = next((code for word, code in _SUFFIX_OPS if rest == word), None)
        # Only a bare count ("两次", "全年不少于两次") is a number; prose is text.
        if rest and suffix_op is None:
            continue
        return _prefix_op(s[: m.start()]) or suffix_op, str(n), unit.group(0)
    return None


def _parse_percent_words(s: str) -> tuple[str | None, str, str | None] | None:
    m = _PERCENT_WORDS.search(s)
    if m is None:
        return None
    num = m.group(1)
    n = num if num[0].isdigit() else chinese_to_int(num)
    if n is None:
        return None
    try:
        _, suffix_op = _split_tail(s[m.end():])
    except _NotAValue:
        return None
    return _prefix_op(s[: m.start()]) or suffix_op, str(n), "%"
