"""Figures read by OCR, repaired for the usual look-alike confusions.

In a run that is mostly a figure (digits with separators), O/o/〇 read for 0
and l/I/| read for 1 are put right, but only when the whole run then parses
as a number (1,234.50 / 12.5% / 2022); 兀 right after a figure or 万/亿 is
元. A few whole-word look-alikes the recogniser is known to make on these
reports (对像 for 对象: "对像" is not a word) are put right too. Anything else
is left exactly as read. A whole cell's text also has its curly quotes paired
(`repair_cell`).
"""
from __future__ import annotations

import re

_ZERO = "OoD〇"
_ONE = "lI|"
_RUN = re.compile(rf"(?<![A-Za-z])[0-9{_ZERO}{_ONE}][0-9{_ZERO}{_ONE},.]*%?(?![A-Za-z])")
_NUMBER = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?$")
_YUAN = re.compile(r"(?<=[0-9万亿千百])兀")
# read -> meant; only pairs where the read form is never right (顼/项 and 匏/算 look alike)
_WORDS = {"对像": "对象", "顼目": "项目", "项Fl": "项目", "项F1": "项目", "预匏": "预算"}
_TABLE = str.maketrans({**{c: "0" for c in _ZERO}, **{c: "1" for c in _ONE}})


def _fix(m: re.Match) -> str:
    run = m.group(0)
    if not any(c.isdigit() for c in run):
        return run  # a lone O or l is a letter
    fixed = run.translate(_TABLE)
    return fixed if fixed != run and _NUMBER.match(fixed) else run


def repair_numbers(text: str) -> str:
    return _YUAN.sub("元", _RUN.sub(_fix, text))


def repair_words(text: str) -> str:
    for wrong, right in _WORDS.items():
        text = text.replace(wrong, right)
    return text


def repair(text: str) -> str:
    """Figures and known look-alike words, as above."""
    return repair_words(repair_numbers(text))


def pair_quotes(text: str) -> str:
    """Curly double quotes set to open and close in turn, when there are an even number.

    The recogniser tells a quote from other marks well but its direction badly
    (“ for ” and back); in a cell's text they alternate. An odd count is left
    alone: the text may hold half a quotation, or a quote the recogniser missed.
    """
    at = [i for i, ch in enumerate(text) if ch in "“”"]
    if not at or len(at) % 2:
        return text
    chars = list(text)
    for k, i in enumerate(at):
        chars[i] = "“" if k % 2 == 0 else "”"
    return "".join(chars)


_WRAPPED = re.compile(rf"(?<![A-Za-z])(\d[\d,.]*) ([{_ZERO}{_ONE}][0-9{_ZERO}{_ONE},.]*%?)(?=\s|$)")


def _join_wrapped(m: re.Match) -> str:
    joined = (m.group(1) + m.group(2)).translate(_TABLE)
    return joined if _NUMBER.match(joined) else m.group(0)


def repair_cell(text: str) -> str:
    """A whole cell read by OCR: a figure wrapped in a narrow column whose second line
    was read as a letter ('1' over 'o'), then look-alikes, then its quotes."""
    return pair_quotes(repair(_WRAPPED.sub(_join_wrapped, text)))
