"""Pasted text to blocks: detect each passage's table convention, don't assume it.

Conventions seen in reports pasted out of Word, PDF and web pages:

- cell per line: every cell starts with a tab, a cell's further lines have no
  tab, rows are separated by blank lines, and a vertically centred merged cell
  carries blank lines inside it (so a blank line alone does not end a row);
- one row per line, tab-separated (merged cells dropped, the rest shifted);
- `| a | b |` rows, or one cell per line between lone `|` lines;
- CSV rows with quoted cells; cells separated by runs of spaces;
- everything else is prose: one paragraph or heading block per line.

The parsers read what a cell says, so the extractor only has to get the cells
and rows right; it never guesses what a column means.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field

from extract.decode import decode_bytes
from normalize.script import has_pinyin, looks_traditional, strip_pinyin, to_simplified
from normalize.text import to_halfwidth
from extract.errors import InputError
from extract.headings import heading_level, is_page_number, looks_like_title
from extract.ir import Block, Cell, ExtractedFile, Provenance
from extract.linebreaks import own_line_breaks, renumber
from extract.cellstream import plain_csv_cells
from extract.reflow import region_to_blocks

CELL_LINE = re.compile(r"^[ \u3000]*\t")
PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
PIPE_RULE = re.compile(r"^\s*\|?(\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*$")
SPACE_SPLIT = re.compile(r"[ \u3000]{2,}")
# Prose between two tab-cell passages longer than this is not a cell's text.
MAX_CELL_CONTINUATION_LINES = 40


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "txt") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    return extract_text(data, name, path, sha256)


def extract_text(data: bytes, name: str, path: str, sha256: str) -> ExtractedFile:
    text, encoding = decode_bytes(data)
    lines = text_to_lines(as_simplified(to_halfwidth(text)))  # ２０２２ -> 2022: digits are digits
    if not any(line.strip() for line in lines):
        raise InputError("no text in the file (only white space)")
    lines, numbers = own_line_breaks(lines)  # doubled or hard-wrapped breaks undone
    blocks = lines_to_blocks(join_vertical_labels(lines), name)
    if numbers is not None:
        renumber(blocks, numbers)
    return ExtractedFile(path=path, name=name, sha256=sha256, format="txt", blocks=blocks, encoding=encoding)


def as_simplified(text: str) -> str:
    """Pinyin glosses out and traditional characters as simplified, before any table is
    read: the header words that find a pasted table's columns (一级指标, 年初预算数) are
    simplified ones, and 一級指標 would leave a run-on table unread. Characters are
    converted one by one, so the lines keep their breaks (normalize/script.py)."""
    sample = text[:20000]
    if has_pinyin(sample):
        text = strip_pinyin(text)
    return to_simplified(text) if looks_traditional(sample) else text


ONE_CHAR = re.compile(r"^[ \u3000]*[\u4e00-\u9fff][ \u3000]*$")
POINTS_LINE = re.compile(r"^[ \u3000]*[(（][^()（）]{0,20}分[)）][ \u3000]*$")


def join_vertical_labels(lines: list[str]) -> list[str]:
    """A label printed one character per line (a narrow merged cell: 党/管/武/装/(10分)) as one
    line; the lines it took stay as blank ones, so every later line keeps its number."""
    out = list(lines)
    i = 0
    while i < len(out):
        j = i
        while j < len(out) and ONE_CHAR.match(out[j]):
            j += 1
        if j - i >= 2:
            end = j + 1 if j < len(out) and POINTS_LINE.match(out[j]) else j
            out[i] = "".join(x.strip(" \u3000") for x in out[i:end])
            for k in range(i + 1, end):
                out[k] = ""
            i = end
            continue
        i = j + 1 if j == i else j
    return out


def text_to_lines(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    return text.split("\n")


@lru_cache(maxsize=65536)  # a template's lines recur in every report made from it
def classify_line(line: str) -> str:
    """blank | cell | tsv | pipe | bar | text."""
    if CELL_LINE.match(line) and "\t" not in line.lstrip(" \u3000")[1:]:
        return "cell"  # a lone tab is an empty cell, not a blank line
    if not line.strip() or is_page_number(line):
        return "blank"
    if line.strip() == "|":
        return "bar"
    if PIPE_ROW.match(line) and line.count("|") >= 3:
        return "pipe"
    if CELL_LINE.match(line):
        return "tsv"
    if "\t" in line.strip(" \u3000\r\n"):  # trailing tabs are empty cells of a row
        return "tsv"
    return "text"


@dataclass
class _PendingCell:
    lines: list[tuple[int, str]] = field(default_factory=list)
    continued: bool = False  # has a line that came without a tab
    _text: str | None = None
    _text_lines: int = 0

    def text(self) -> str:
        if self._text is None or self._text_lines != len(self.lines):
            parts = [t.strip(" \u3000\t") for _, t in self.lines]
            self._text = "\n".join(p for p in parts if p)
            self._text_lines = len(self.lines)
        return self._text


TAB_KINDS = ("cell", "tsv")


def lines_to_blocks(lines: list[str], file_name: str) -> list[Block]:
    kinds = [classify_line(line) for line in lines]
    blocks: list[Block] = []
    table_no = 0
    i, n = 0, len(lines)
    no_table_before = 0
    while i < n:
        kind = kinds[i]
        if kind == "blank":
            i += 1
            continue
        if kind not in TAB_KINDS and i >= no_table_before:
            # pasted without tabs: the header-led re-flow reads its tables, if it finds any
            end = i
            while end < n and (kinds[end] not in TAB_KINDS or _lone_tab_inside(lines, kinds, end)):
                end += 1
            got = region_to_blocks(lines[i:end], i + 1, file_name, table_no, make_table, text_line_to_blocks)
            if got is not None:
                new_blocks, table_no = got
                blocks.extend(new_blocks)
                i = end
                continue
            no_table_before = end  # the run holds none: read it line by line, once (not each suffix again)
        end, rows = None, None
        if kind == "cell":
            end = cell_region_end(kinds, lines, i)
            rows = cell_lines_to_rows(lines, kinds, i, end)
        elif kind == "tsv":
            end, rows = tsv_region(lines, kinds, i)
        elif kind in ("pipe", "bar"):
            end, rows = pipe_region(lines, kinds, i)
        else:
            end, rows = delimited_text_region(lines, kinds, i)
        if rows:
            table_no += 1
            blocks.extend(rows_to_blocks(rows, file_name, table_no))
            i = end
            continue
        blocks.extend(text_line_to_blocks(lines[i], i + 1, file_name))
        i += 1
    return blocks


def _lone_tab_inside(lines: list[str], kinds: list[str], k: int) -> bool:
    """A line holding only a tab among untabbed cells is an empty cell of theirs."""
    if lines[k].strip(" \u3000\t\r"):
        return False
    nxt = next((j for j in range(k + 1, len(lines)) if lines[j].strip(" \u3000\t\r")), None)
    return nxt is not None and kinds[nxt] not in TAB_KINDS


# A heading numbered as a 公文 does (一、 / (一) / 1.) standing inside a long line after a space
# or a full stop: a PDF page's text layer run into one line. Its own block, so it heads a section.
EMBEDDED_HEADING = re.compile(r"(?:(?<=[ \u3000])|(?<=。))(?=(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])[\u4e00-\u9fff])")
LONG_LINE = 200
HEADING_THEN_TEXT = re.compile(r"^((?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])[^。，,\s]{1,20}[。.]?)\s+(?=\S)")
# `… 总分 3.部门整体支出绩效自评开展情况. 按照…`: an arabic-numbered heading, closed by its point
# and a space, inside a line of any length (a scrambled text layer puts it after a table's figures)
ARABIC_EMBEDDED = re.compile(r"(?<=[ \u3000])(?=\d{1,2}[.．、][\u4e00-\u9fff][^。，,.\s]{2,24}[。.][ \u3000]+\S)")
ARABIC_THEN_TEXT = re.compile(r"^(\d{1,2}[.．、][\u4e00-\u9fff][^。，,.\s]{2,24}[。.])[ \u3000]+(?=\S)")


def split_embedded_headings(line: str) -> list[str]:
    if len(line) < LONG_LINE:
        if not ARABIC_EMBEDDED.search(line):
            return [line]
        parts, pattern = ARABIC_EMBEDDED.split(line), ARABIC_THEN_TEXT
    else:
        parts, pattern = EMBEDDED_HEADING.split(line), HEADING_THEN_TEXT
    out: list[str] = []
    for part in (p.strip() for p in parts):
        m = pattern.match(part)
        if m:  # `(一)部门职能。 负责…`: the heading's own line, then its text
            out.extend([m.group(1), part[m.end():]])
        elif part:
            out.append(part)
    return [p for p in out if p] or [line]


def text_line_to_blocks(line: str, lineno: int, file_name: str) -> list[Block]:
    """A prose line's blocks: one, or more where headings stand inside it."""
    return [text_line_to_block(part, lineno, file_name) for part in split_embedded_headings(line)]


def text_line_to_block(line: str, lineno: int, file_name: str) -> Block:
    s = line.strip()
    level = heading_level(s)
    prov = Provenance(file=file_name, line=lineno, line_end=lineno)
    if level is not None:
        return Block(kind="heading", prov=prov, text=s, level=level)
    return Block(kind="paragraph", prov=prov, text=s)


# --- cell per line -------------------------------------------------------------------------

def cell_region_end(kinds: list[str], lines: list[str], start: int) -> int:
    """One past the last line of the tab-cell passage that starts at `start`.

    Untabbed lines belong to the passage (as a cell's further lines) only when
    another tab cell follows and nothing between looks like a new title or a
    top-level heading: otherwise the table has ended and prose begins.
    """
    last_cell, j, n = start, start, len(kinds)
    while j < n:
        if kinds[j] == "cell":
            last_cell = j
            j += 1
        elif kinds[j] == "blank":
            j += 1
        elif kinds[j] == "text":
            k, text_lines = j, 0
            while k < n and kinds[k] in ("text", "blank"):
                if kinds[k] == "text":
                    text_lines += 1
                    s = lines[k].strip()
                    if looks_like_title(s) or heading_level(s) == 1:
                        return last_cell + 1
                k += 1
            if k >= n or kinds[k] != "cell" or text_lines > MAX_CELL_CONTINUATION_LINES:
                return last_cell + 1
            j = k
        else:
            break
    return last_cell + 1


def cell_lines_to_rows(lines: list[str], kinds: list[str], start: int, end: int) -> list[list[Cell]]:
    fragments: list[list[_PendingCell]] = []
    current: _PendingCell | None = None
    blank_before = True
    for idx in range(start, end):
        kind = kinds[idx]
        if kind == "blank":
            blank_before = True
            continue
        if kind == "cell":
            if blank_before or not fragments:
                fragments.append([])
            current = _PendingCell(lines=[(idx + 1, lines[idx].lstrip(" \u3000")[1:])])
            fragments[-1].append(current)
        elif current is not None:
            current.lines.append((idx + 1, lines[idx]))
            current.continued = True
        blank_before = False
    rows = fragments_to_rows(fragments)
    return [[Cell(text=c.text(), prov=Provenance(file="", line=c.lines[0][0], line_end=c.lines[-1][0]))
             for c in row] for row in rows]


def fragments_to_rows(fragments: list[list[_PendingCell]]) -> list[list[_PendingCell]]:
    """Join fragments that a blank line inside a merged cell split off a row.

    A row was split when its last cell ran on over blank lines (a vertically
    centred merged cell) and the cells before and after add up to no more
    than the width of the rows just before it.
    """
    rows: list[list[_PendingCell]] = []
    by_last: dict[str, list[int]] = {}  # rows by their last cell's text: a repeated header is found at once

    def add(row: list[_PendingCell]) -> None:
        rows.append(row)
        by_last.setdefault(row[-1].text(), []).append(len(rows) - 1)

    for frag in fragments:
        earlier = [rows[k] for k in by_last.get(frag[-1].text(), ())] if len(frag) >= 4 and frag else []
        head, repeated = split_repeated_header(frag, earlier)
        if repeated:
            # a page's repeated header pasted straight after the last cell
            add(head)
            add(repeated)
            continue
        if rows:
            prev = rows[-1]
            width = max(len(r) for r in rows[-3:])
            if _ran_on_over_blank(prev[-1]) and not _is_title_fragment(frag) \
                    and len(prev) < width and len(prev) + len(frag) <= width:
                by_last[prev[-1].text()].remove(len(rows) - 1)
                prev.extend(frag)
                by_last.setdefault(prev[-1].text(), []).append(len(rows) - 1)
                continue
        add(list(frag))
    return rows


def _ran_on_over_blank(cell: _PendingCell) -> bool:
    """A merged label or name cell centred over several rows: short further lines."""
    if not cell.continued:
        return False
    last = cell.lines[-1][1].strip()
    return 0 < len(last.replace(" ", "")) <= 12


def _is_title_fragment(frag: list[_PendingCell]) -> bool:
    return len(frag) == 1 and looks_like_title(frag[0].text())


def split_repeated_header(frag: list[_PendingCell], rows: list[list[_PendingCell]]) -> tuple[list, list]:
    """(cells before, the repeated header) when `frag` ends with an earlier row of ≥3 cells."""
    if len(frag) < 4:
        return frag, []
    texts = [c.text() for c in frag]
    for row in rows:
        width = len(row)
        if 3 <= width < len(frag) and texts[-1] == row[-1].text() and texts[-width:] == [c.text() for c in row]:
            return frag[:-width], frag[-width:]
    return frag, []


# --- tab-separated rows ------------------------------------------------------------------------

def split_tsv(line: str) -> list[str]:
    return [c.strip(" \u3000") for c in line.rstrip("\n").split("\t")]


def tsv_region(lines: list[str], kinds: list[str], start: int) -> tuple[int, list[list[Cell]]]:
    rows: list[list[Cell]] = []
    j, n = start, len(lines)
    while j < n:
        if kinds[j] == "tsv":
            rows.append([Cell(text=t, prov=Provenance(file="", line=j + 1, line_end=j + 1)) for t in split_tsv(lines[j])])
            j += 1
            continue
        # blank lines and a lone wrapped line may sit between two rows
        k = j
        while k < n and kinds[k] == "blank":
            k += 1
        if k < n and kinds[k] == "tsv":
            j = k
            continue
        # a wrapped cell's line follows its row directly; after a blank line it is a new paragraph
        if k == j and k < n and kinds[k] == "text" and k + 1 < n and kinds[k + 1] == "tsv" and rows \
                and not looks_like_title(lines[k]):
            target = next((c for c in reversed(rows[-1]) if c.text), rows[-1][-1])
            target.text = f"{target.text}\n{lines[k].strip()}"
            j = k + 1
            continue
        break
    return j, rows


# --- pipe tables ------------------------------------------------------------------------------

def pipe_region(lines: list[str], kinds: list[str], start: int) -> tuple[int, list[list[Cell]]]:
    rows: list[list[Cell]] = []
    j, n = start, len(lines)
    if kinds[start] == "pipe":
        while j < n and kinds[j] in ("pipe", "blank"):
            if kinds[j] == "pipe" and not PIPE_RULE.match(lines[j]):
                parts = lines[j].strip().strip("|").split("|")
                rows.append([Cell(text=p.strip(), prov=Provenance(file="", line=j + 1, line_end=j + 1)) for p in parts])
            j += 1
        return j, rows
    # one cell per line between lone bars; a blank line ends the row
    row: list[Cell] = []
    pending: list[tuple[int, str]] = []

    def flush_cell() -> None:
        if pending:
            row.append(Cell(text="\n".join(t for _, t in pending),
                            prov=Provenance(file="", line=pending[0][0], line_end=pending[-1][0])))
            pending.clear()

    while j < n and kinds[j] in ("bar", "text", "blank"):
        if kinds[j] == "bar":
            flush_cell()
        elif kinds[j] == "blank":
            flush_cell()
            if row:
                rows.append(row)
                row = []
            if j + 1 < n and kinds[j + 1] not in ("bar", "text"):
                j += 1
                break
        else:
            pending.append((j + 1, lines[j].strip()))
        j += 1
    flush_cell()
    if row:
        rows.append(row)
    return j, rows


# --- CSV and space-aligned rows -------------------------------------------------------------------

def _space_cells(line: str) -> list[str] | None:
    cells = [c for c in SPACE_SPLIT.split(line.strip()) if c]
    if len(cells) < 3 or max(len(c) for c in cells) > 30:
        return None
    return cells


def delimited_text_region(lines: list[str], kinds: list[str], start: int) -> tuple[int, list[list[Cell]]]:
    """Two or more consecutive lines that split alike into ≥3 cells make a table; so do CSV
    rows with quoted cells, whose cells may run over lines and whose rows may run together."""
    end, rows = csv_text_region(lines, kinds, start)
    if rows:
        return end, rows
    for splitter in (plain_csv_cells, _space_cells):
        rows: list[list[Cell]] = []
        j = start
        while j < len(lines) and kinds[j] == "text":
            cells = splitter(lines[j])
            if cells is None:
                break
            rows.append([Cell(text=c, prov=Provenance(file="", line=j + 1, line_end=j + 1)) for c in cells])
            j += 1
        if len(rows) >= 2:
            return j, rows
    return start, []


def starts_quoted_csv(line: str) -> bool:
    return line.count('"') >= 4 and ('","' in line or '", "' in line)


CSV_LINE = re.compile(r'^[\s,]*$|"')  # a line of a quoted-CSV passage, or of its empty rows


def csv_text_region(lines: list[str], kinds: list[str], start: int) -> tuple[int, list[list[Cell]]]:
    """A passage of CSV rows with quoted cells, read whole: a cell may run over lines, rows may
    run together, and an export may have re-flowed the text so that a line break is no row end.
    Read both ways, the reading whose rows agree in width wins."""
    from collections import Counter

    from extract.cellstream import quoted_csv_rows_at

    if not starts_quoted_csv(lines[start]):
        return start, []
    stop, open_quote = start, False
    while stop < len(lines) and kinds[stop] in ("text", "blank") and stop - start < 2000:
        if not open_quote and not CSV_LINE.search(lines[stop]):
            break
        open_quote ^= lines[stop].count('"') % 2 == 1
        stop += 1
    chunk = "\n".join(lines[start:stop])

    def agreement(rows: list[tuple[int, list[str]]]) -> int:
        """How many rows share the commonest width (a reading that ran rows together has fewer)."""
        widths = Counter(len(r) for _, r in rows if any(c.strip() for c in r))
        return widths.most_common(1)[0][1] if widths else 0

    readings = [quoted_csv_rows_at(chunk), quoted_csv_rows_at(chunk, newline_breaks=False)]
    best = max(readings, key=agreement)  # ties: the usual CSV, a line break ends a row
    rows: list[list[Cell]] = []
    for k, (at, row) in enumerate(best):
        if not any(c.strip() for c in row):
            continue
        last = best[k + 1][0] if k + 1 < len(best) else stop - start - 1
        prov = Provenance(file="", line=start + at + 1, line_end=start + max(at, last) + 1)
        rows.append([Cell(text=c, prov=prov) for c in row])
    if rows and len(rows[0]) > 1 and not rows[0][0].text and len(rows) > 1 \
            and len(rows[0]) == Counter(len(r) for r in rows).most_common(1)[0][0] + 1:
        rows[0] = rows[0][1:]  # the header's stray leading empty cell (`, "项目",…`)
    return (stop, rows) if len(rows) >= 2 else (start, [])


# --- rows to blocks ------------------------------------------------------------------------------

def rows_to_blocks(rows: list[list[Cell]], file_name: str, table_no: int) -> list[Block]:
    """A table block, with a single-cell row naming a new report lifted out as a heading."""
    blocks: list[Block] = []
    current: list[list[Cell]] = []

    def flush() -> None:
        if current:
            blocks.append(make_table(list(current), file_name, table_no))
            current.clear()

    for row in rows:
        texts = [c.text for c in row if c.text]
        if len(texts) == 1 and looks_like_title(texts[0]) and len(texts[0]) <= 60:
            flush()
            prov = Provenance(file=file_name, line=row[0].prov.line, line_end=row[0].prov.line_end)
            blocks.append(Block(kind="heading", prov=prov, text=texts[0], level=0))
            continue
        current.append(row)
    flush()
    return blocks


def make_table(rows: list[list[Cell]], file_name: str, table_no: int) -> Block:
    out_rows = []
    for r, row in enumerate(rows):
        out_rows.append([
            Cell(text=c.text, prov=Provenance(file=file_name, line=c.prov.line, line_end=c.prov.line_end,
                                              table=table_no, row=r, col=k))
            for k, c in enumerate(row)
        ])
    first = out_rows[0][0].prov.line
    last = max((c.prov.line_end or c.prov.line or 0) for row in out_rows for c in row)
    return Block(kind="table", prov=Provenance(file=file_name, line=first, line_end=last, table=table_no), rows=out_rows)
