"""Tables with merged cells to blocks, shared by the DOCX, XLSX and HTML extractors.

The grid is the truth: every row of a table block has exactly one Cell per
grid column. A merged cell gives its text once, in its top-left slot, with
rowspan/colspan set; every other slot it covers is an EMPTY cell. That is how
a form looks when pasted as text, which is what the parsers read.

A row that is not table content is lifted out of the table as a heading or a
paragraph: a form's title drawn as a merged first row, a note under the
table, or (anywhere) a single cell naming a new report or form.
"""
from __future__ import annotations

from dataclasses import dataclass

from extract.headings import heading_level, looks_like_title
from extract.ir import Block, Cell, Provenance

MAX_COLSPAN = 1000  # the HTML limit; more is a broken file
MAX_ROWSPAN = 65534
TITLE_MAX_CHARS = 60


@dataclass
class Slot:
    """One position of the logical grid."""

    text: str = ""
    rowspan: int = 1
    colspan: int = 1
    covered: bool = False  # part of a merged cell whose text sits elsewhere


Grid = list[list[Slot]]


def pad(grid: Grid) -> int:
    """Make every row as wide as the widest; return the width."""
    width = max((len(r) for r in grid), default=0)
    for row in grid:
        row.extend(Slot() for _ in range(width - len(row)))
    return width


def clip_rowspans(grid: Grid) -> None:
    n = len(grid)
    for r, row in enumerate(grid):
        for s in row:
            if s.rowspan > n - r:
                s.rowspan = max(1, n - r)


def spans_to_grid(rows: list[list[tuple[str, int, int]]]) -> Grid:
    """Rows of (text, rowspan, colspan), as HTML gives them, to the grid.

    A cell spanning rows is absent from the rows below it; its slots there
    become empty cells, and the next cell of such a row moves past them.
    rowspan 0 means "to the end of the table".
    """
    n = len(rows)
    grid: Grid = []
    occupied: dict[int, set[int]] = {}
    for r, cells in enumerate(rows):
        out: list[Slot] = []
        taken = occupied.get(r, set())
        c = 0
        for text, rowspan, colspan in cells:
            while c in taken:
                out.append(Slot(covered=True))
                c += 1
            colspan = max(1, min(colspan, MAX_COLSPAN))
            rowspan = n - r if rowspan <= 0 else max(1, min(rowspan, MAX_ROWSPAN, n - r))
            out.append(Slot(text=text, rowspan=rowspan, colspan=colspan))
            out.extend(Slot(covered=True) for _ in range(colspan - 1))
            for rr in range(r + 1, r + rowspan):
                occupied.setdefault(rr, set()).update(range(c, c + colspan))
            c += colspan
        last = max(taken, default=-1)
        while c <= last:
            out.append(Slot(covered=c in taken))
            c += 1
        grid.append(out)
    pad(grid)
    return grid


# --- grid to blocks ---------------------------------------------------------------------------

def text_blocks(text: str, prov: Provenance) -> list[Block]:
    """Lifted text: one heading or paragraph block per non-empty line."""
    out = []
    for line in text.split("\n"):
        s = line.strip(" \u3000\t\xa0")
        if s:
            out.append(classify_text(s, prov))
    return out


def classify_text(s: str, prov: Provenance) -> Block:
    """A title line is a heading of level 0, a numbered heading its level, else a paragraph."""
    if looks_like_title(s) and len(s) <= TITLE_MAX_CHARS:
        return Block(kind="heading", prov=prov, text=s, level=0)
    level = heading_level(s)
    if level is not None:
        return Block(kind="heading", prov=prov, text=s, level=level)
    return Block(kind="paragraph", prov=prov, text=s)


def _single(row: list[Slot]) -> tuple[int, Slot] | None:
    """(column, slot) of the row's only non-empty cell, else None."""
    found = [(c, s) for c, s in enumerate(row) if s.text.strip()]
    return found[0] if len(found) == 1 else None


def _numbered(row: list[Slot]) -> bool:
    one = _single(row)
    return one is not None and heading_level(one[1].text.strip()) is not None


def grid_to_blocks(grid: Grid, file_name: str, table_no: int, row_lines: list[int | None] | None = None,
                   loose_edges: bool = False) -> list[Block]:
    """The grid as table blocks, with the rows that are not table content lifted out.

    - a table one column wide is text laid out in a box: every row is lifted;
    - leading and trailing rows with a single non-empty cell are lifted when
      that cell spans the full width (or, with `loose_edges`, as spreadsheets
      draw titles by overflowing a cell, whatever its span); but a numbered
      heading right above the table's body (一、基本情况) names that part of
      the form and stays in the table, as it does in pasted text;
    - anywhere, a row whose single cell names a report or form is lifted as a
      level-0 heading and splits the table (two forms drawn as one table).

    Row numbers in the provenance stay those of the source table.
    """
    width = pad(grid)
    n = len(grid)
    lines = row_lines if row_lines is not None else [None] * n

    def prov(r: int, c: int | None = None) -> Provenance:
        return Provenance(file=file_name, line=lines[r], line_end=lines[r], table=table_no, row=r, col=c)

    def lift(r: int) -> list[Block]:
        return [b for c, s in enumerate(grid[r]) if s.text.strip() for b in text_blocks(s.text, prov(r, c))]

    if width == 0:
        return []
    if width == 1:
        return [b for r in range(n) for b in lift(r)]

    def edge_row(r: int) -> bool:
        row = grid[r]
        if not any(s.text.strip() for s in row):
            return True
        one = _single(row)
        if one is None:
            return False
        c, slot = one
        return loose_edges or (c == 0 and slot.colspan >= width)

    top = 0
    while top < n and edge_row(top):
        top += 1
    bottom = n
    while bottom > top and edge_row(bottom - 1):
        bottom -= 1
    if top == bottom:
        return [b for r in range(n) for b in lift(r)]
    if top > 0 and _numbered(grid[top - 1]):
        top -= 1  # the numbered part of the form the table is (一、基本情况) stays in it, as when pasted

    blocks: list[Block] = []
    for r in range(top):
        blocks.extend(lift(r))
    current: list[int] = []

    def flush() -> None:
        if current:
            blocks.append(make_table(grid, current, file_name, table_no, lines))
            current.clear()

    for r in range(top, bottom):
        one = _single(grid[r])
        if one is not None:
            text = one[1].text.strip()
            if "\n" not in text and looks_like_title(text) and len(text) <= TITLE_MAX_CHARS:
                flush()
                blocks.append(Block(kind="heading", prov=prov(r, one[0]), text=text, level=0))
                continue
        current.append(r)
    flush()
    for r in range(bottom, n):
        blocks.extend(lift(r))
    return blocks


def make_table(grid: Grid, row_numbers: list[int], file_name: str, table_no: int,
               lines: list[int | None]) -> Block:
    rows = []
    for r in row_numbers:
        rows.append([
            Cell(text=s.text, rowspan=s.rowspan, colspan=s.colspan,
                 prov=Provenance(file=file_name, line=lines[r], line_end=lines[r], table=table_no, row=r, col=c))
            for c, s in enumerate(grid[r])
        ])
    known = [lines[r] for r in row_numbers if lines[r] is not None]
    first = known[0] if known else None
    last = known[-1] if known else None
    return Block(kind="table", prov=Provenance(file=file_name, line=first, line_end=last, table=table_no), rows=rows)
