"""The intermediate representation every extractor produces.

A file becomes an ordered list of blocks: headings, paragraphs and tables.
Every block and every cell knows where it came from (file, line or page,
table and cell), so that any value a parser reads can be traced back.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Literal

BlockKind = Literal["heading", "paragraph", "table"]


# Hashable and never changed after it is made, but not `frozen`: a frozen dataclass sets each
# field through object.__setattr__, and a large table makes tens of thousands of these.
@dataclass(unsafe_hash=True)
class Provenance:
    """Where something was read: a line range for text, a page for PDF."""

    file: str
    line: int | None = None  # first line (1-based) for text formats
    line_end: int | None = None
    page: int | None = None  # 1-based page for PDF and images
    table: int | None = None  # 1-based table number within the file
    row: int | None = None  # 0-based row within the table
    col: int | None = None  # 0-based column within the row
    confidence: float | None = None  # OCR confidence, None for born-digital text
    locator: str | None = None  # an explicit `para:N` / `table:N` where the format counts so

    def cell(self) -> str | None:
        """The table cell as SCHEMA.md codes it (T1R2C3), None outside a table."""
        if self.table is not None and self.row is not None and self.col is not None:
            return f"T{self.table}R{self.row + 1}C{self.col + 1}"
        return None

    def as_dict(self) -> dict:
        out: dict = {"file": self.file}
        if self.page is not None:
            out["page"] = self.page
        if self.line is not None:
            out["line"] = self.line
        cell = self.cell()
        if cell is not None:
            out["cell"] = cell
        if self.confidence is not None:
            out["confidence"] = self.confidence
        return out

    def where(self) -> str:
        """`line:N` / `page:N` / `para:N` / `table:N`, the form SCHEMA.md uses for source.start/end."""
        if self.locator:
            return self.locator
        if self.page is not None:
            return f"page:{self.page}"
        return f"line:{self.line}" if self.line is not None else ""


@dataclass
class Cell:
    text: str
    prov: Provenance
    rowspan: int = 1
    colspan: int = 1

    @property
    def clean(self) -> str:
        return self.text.strip()


@dataclass
class Block:
    kind: BlockKind
    prov: Provenance  # first line / page of the block
    text: str = ""  # headings and paragraphs
    rows: list[list[Cell]] = field(default_factory=list)  # tables
    level: int | None = None  # heading level, when known

    @property
    def line_end(self) -> int | None:
        return self.prov.line_end if self.prov.line_end is not None else self.prov.line

    def cells(self) -> Iterator[Cell]:
        for row in self.rows:
            yield from row


@dataclass
class ExtractedFile:
    """One input file, read: its identity and its blocks in reading order."""

    path: str
    name: str
    sha256: str
    format: str  # txt, docx, pdf, ... (SCHEMA.md source.format)
    blocks: list[Block]
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)
