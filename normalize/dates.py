"""Deadlines (TASK.deadline) and report dates (evaluation.date) to ISO strings."""
from __future__ import annotations

import calendar
import re
from datetime import date

from normalize.numbers import chinese_to_int
from normalize.text import squash_spaces, to_halfwidth

_BEFORE = r"(?:前|之前|以前)?"
_YMD = re.compile(rf"(\d{{4}})年(\d{{1,2}})月(\d{{1,2}})[日号]{_BEFORE}")
_YMD_DOTTED = re.compile(rf"(\d{{4}})[.\-/](\d{{1,2}})[.\-/](\d{{1,2}}){_BEFORE}")
# Only 底/末/前 say "by the end of the month"; a bare 2024年6月 is no date.
_MONTH_END = re.compile(r"(\d{4})年(\d{1,2})月(?:底|末|前)(?:前|之前|以前)?")
_YEAR_END = re.compile(r"(\d{4})年(?:底|末|年底|年末)(?:前|之前|以前)?")


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _one_date(text: str) -> str | None:
    """ISO date when the whole text is one date, else None."""
    t = squash_spaces(to_halfwidth(text))
    for pattern in (_YMD, _YMD_DOTTED):
        m = pattern.fullmatch(t)
        if m:
            return _iso(int(m[1]), int(m[2]), int(m[3]))
    m = _MONTH_END.fullmatch(t)
    if m:
        y, mo = int(m[1]), int(m[2])
        return _iso(y, mo, calendar.monthrange(y, mo)[1]) if 1 <= mo <= 12 else None
    m = _YEAR_END.fullmatch(t)
    if m:
        return _iso(int(m[1]), 12, 31)
    return None


def parse_deadline(cell: str | None) -> str | None:
    """`2024年12月底` -> `2024-12-31`; other text is kept, lines joined."""
    if cell is None:
        return None
    lines = [squash_spaces(line) for line in cell.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return None
    joined = "".join(lines)
    whole = _one_date(joined)
    if whole:
        return whole
    # Several activities each with its own date: "清明节\n2024年9月30日".
    per_line = [_one_date(line) for line in lines]
    if len(lines) > 1 and any(per_line):
        return "、".join(d or line for d, line in zip(per_line, lines))
    return joined


_REPORT_ARABIC = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})日)?")
_REPORT_DOTTED = re.compile(r"(?<!\d)(\d{4})[.\-/](\d{1,2})(?:[.\-/](\d{1,2}))?(?!\d)")
_CN = "〇零一二三四五六七八九十"
_REPORT_CHINESE = re.compile(f"([{_CN}]{{4}})年([{_CN}]{{1,3}})月(?:([{_CN}]{{1,3}})日)?")


def parse_report_date(s: str | None) -> str | None:
    """`2022 年 12 月` -> `2022-12`, `2022年12月5日` -> `2022-12-05`; blank templates -> None."""
    if not s:
        return None
    t = squash_spaces(to_halfwidth(s))
    for pattern, convert in ((_REPORT_ARABIC, int), (_REPORT_DOTTED, int), (_REPORT_CHINESE, chinese_to_int)):
        m = pattern.search(t)
        if not m:
            continue
        y, mo = convert(m[1]), convert(m[2])
        if y is None or mo is None or not 1 <= mo <= 12:
            continue
        if m[3] is None:
            return f"{y:04d}-{mo:02d}"
        d = convert(m[3])
        return _iso(y, mo, d) if d else None
    return None
