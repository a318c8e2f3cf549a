"""Reading a pasted table's layout: which cells are numbers, which rows are headers,
and which header label stands over which data column.

Merged header cells are lost in pasted text, so a header row is shorter than
the data rows below it. Its cells are placed by a rule that fits how such
headers are drawn: the cells before a `其中：` marker stand over the leftmost
columns, the cells after it over the rightmost ones; a header with no marker
stands over the rightmost columns (the labels on the left are merged).
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.ir import Cell
from normalize.text import squash_spaces, to_halfwidth

NUMBER = re.compile(r"^[-+]?\d[\d,，]*(?:\.\d+)?\s*%?$")
DASH = re.compile(r"^[-－—–/／\\]+$")
SUBTOTAL_MARK = re.compile(r"^其中[：:]?$")


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """A cell's text for matching: half-width, no white space."""
    return squash_spaces(to_halfwidth(text or ""))


@lru_cache(maxsize=65536)
def is_number(text: str) -> bool:
    return bool(NUMBER.match(clean(text)))


def is_dash(text: str) -> bool:
    return bool(DASH.match(clean(text)))


def row_texts(row: list[Cell]) -> list[str]:
    return [c.text.strip() for c in row]


def is_header_row(row: list[Cell]) -> bool:
    """Labels only: two or more short cells and no figure."""
    return _labels_only(tuple(t for t in row_texts(row) if t))


@lru_cache(maxsize=16384)  # every reader asks of every row; header rows recur across reports
def _labels_only(texts: tuple[str, ...]) -> bool:
    if len(texts) < 2:
        return False
    return not any(is_number(t) for t in texts) and all(len(clean(t)) <= 30 for t in texts)


def place_header(cells: list[str], width: int) -> list[str]:
    """A header row's labels spread over `width` data columns ('' where none)."""
    if len(cells) >= width:
        return [clean(c) for c in cells[:width]]
    out = [""] * width
    mark = next((i for i, c in enumerate(cells) if SUBTOTAL_MARK.match(clean(c))), None)
    if mark is None:
        for k, c in enumerate(reversed(cells)):
            out[width - 1 - k] = clean(c)
        return out
    left, right = cells[:mark], cells[mark + 1:]
    for k, c in enumerate(left):
        out[k] = clean(c)
    for k, c in enumerate(reversed(right)):
        out[width - 1 - k] = clean(c)
    return out


def column_labels(header_rows: list[list[Cell]], width: int) -> list[str]:
    """For each data column, the lowest non-empty header label above it."""
    labels = [""] * width
    for row in header_rows:
        placed = place_header(row_texts(row), width)
        for k, label in enumerate(placed):
            if label and not SUBTOTAL_MARK.match(label):
                labels[k] = label
    return labels
