"""Line breaks that are not the text's own, undone before its tables are read.

Text copied out of a web page or a fixed-width viewer arrives with breaks its
author never typed: every line followed by a blank one (paragraphs copied as
such), or every line cut at the viewer's width, mid-word and mid-cell. Both
are undone here; each kept line remembers the file line it starts on, so that
provenance still names the lines as the file has them (`renumber`).
"""
from __future__ import annotations

import re

from extract.ir import Block, Provenance


def own_line_breaks(lines: list[str]) -> tuple[list[str], list[int] | None]:
    """The lines as typed, and each one's first line number in the file (None: unchanged)."""
    lines, numbers = undouble_line_breaks(lines)
    joined, starts = unwrap_fixed_width(lines)
    if starts is None:
        return lines, numbers
    if numbers is None:
        return joined, starts
    return joined, [numbers[k - 1] for k in starts]


def undouble_line_breaks(lines: list[str]) -> tuple[list[str], list[int] | None]:
    """Text whose every line is followed by a blank one (a web page's paragraphs or a
    table's cells copied with a blank line each) read as if single-spaced: a lone blank
    line goes, a run of them stays as one. Returns the lines and, when it changed them,
    each kept line's number in the file, so that provenance names the lines as printed."""
    # a line holding only a tab is an empty cell (cell-per-line tables), not a blank line
    gaps = []  # blank lines between two consecutive non-blank lines
    run, seen = 0, False
    for line in lines:
        if _filled(line):
            if seen:
                gaps.append(run)
            seen, run = True, 0
        else:
            run += 1
    if len(gaps) < 6 or sum(1 for g in gaps if g >= 1) < 0.9 * len(gaps):
        return lines, None  # single-spaced (a blank line is a break): as it is
    lone = min(g for g in gaps if g >= 1)  # the spacing every line has; more is a break
    out, numbers = [], []
    k = 0
    while k < len(lines):
        if _filled(lines[k]):
            out.append(lines[k])
            numbers.append(k + 1)
            k += 1
            continue
        j = k
        while j < len(lines) and not _filled(lines[j]):
            j += 1
        if j - k > lone or k == 0 or j == len(lines):
            out.append("")
            numbers.append(k + 1)
        k = j
    return out, numbers


def _filled(line: str) -> bool:
    return bool(line.strip(" \u3000\r\n"))


def renumber(blocks: list[Block], numbers: list[int]) -> None:
    """Provenance lines counted in the undoubled text back to the file's own lines."""
    def fix(prov: Provenance) -> None:
        if prov.line is not None and 1 <= prov.line <= len(numbers):
            prov.line = numbers[prov.line - 1]
        if prov.line_end is not None and 1 <= prov.line_end <= len(numbers):
            prov.line_end = numbers[prov.line_end - 1]

    seen: set[int] = set()  # a Provenance shared by a block and its cell is moved once
    for block in blocks:
        for prov in (block.prov, *(c.prov for c in block.cells())):
            if id(prov) not in seen:
                seen.add(id(prov))
                fix(prov)


# A line that a viewer cut at its width is as wide as the widest line, within one column
# (a double-width character that did not fit); a text's own lines are not all that narrow.
MIN_WIDTH = 20  # columns: narrower "widths" are short labels, not a wrap
MIN_CUT_LINES = 4
SHARE_AT_WIDTH = 0.2  # of the long lines (a run-on table's short rows are never cut)


def display_width(line: str) -> int:
    """Columns a viewer gives the line, a Chinese character two: counted from its UTF-8
    length (three bytes for those, one for ASCII), in C rather than per character."""
    return len(line) + (len(line.encode("utf-8")) - len(line)) // 2


# A line the author ended (a sentence's end) or one that opens an item of a list is no
# cut: a viewer's width falls after a full stop only by chance.
_AUTHOR_END = ("。", "！", "？", "；", "!", "?", ";")
_ITEM_START = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,2}[.、．](?!\d))")


def _cut_here(line: str, measure, widest: int) -> bool:
    return _wrappable(line) and measure(line.strip()) >= widest - 1 and not line.strip().endswith(_AUTHOR_END)


def _wrappable(line: str) -> bool:
    # aligned tables (runs of spaces, tabs, bars) keep their own widths: never joined
    s = line.rstrip("\r\n")
    return bool(s.strip()) and "\t" not in s and "  " not in s.strip() and "|" not in s


def unwrap_fixed_width(lines: list[str]) -> tuple[list[str], list[int] | None]:
    """Lines cut at a fixed width joined again: a wrap shows as many lines exactly as wide
    as the widest (by characters or by display columns), and none wider. Returns the lines
    and the first file line of each (None: no wrap found)."""
    candidates = [line for line in lines if _wrappable(line)]
    best: tuple[int, object, int] | None = None  # (lines at the width, measure, width)
    for measure in (len, display_width):
        widths = [measure(line.strip()) for line in candidates]
        widest = max(widths, default=0)
        if widest < MIN_WIDTH or any(w > widest for w in (measure(line.strip()) for line in lines if line.strip())):
            continue  # a line wider than the wrap (a table row, a heading): no viewer cut this text
        at_width = sum(1 for line in candidates if _cut_here(line, measure, widest))
        long = sum(1 for w in widths if w >= MIN_WIDTH)
        if at_width >= MIN_CUT_LINES and at_width >= SHARE_AT_WIDTH * long and (best is None or at_width > best[0]):
            best = (at_width, measure, widest)
    if best is None:
        return lines, None
    _, measure, widest = best
    out: list[str] = []
    starts: list[int] = []
    cut = False  # the line before was cut at the width: this one goes on from it
    for k, line in enumerate(lines, 1):
        if cut and line.strip() and _wrappable(line) and not _ITEM_START.match(line):
            out[-1] = out[-1].rstrip("\r\n") + line.strip()
        else:
            out.append(line)
            starts.append(k)
        cut = _cut_here(line, measure, widest) and _wrappable(out[-1])
    return out, starts
