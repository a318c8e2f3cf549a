"""Pasted text to a stream of cells, split on whatever separates them.

Text copied out of a web page, a PDF preview or a Word table keeps its cells
in one of many ways: one per line, ending in ` |`, between lines holding a
lone `|`, in `a | b |` rows with or without the leading bar, behind runs of
spaces or single spaces, as CSV with quoted cells. This module only finds the
cells and keeps what separated them (an explicit empty cell, a row mark like
`||||`, the end of a line); which cells make a row is decided later by what
they say (extract.reflow), because pasted rows rarely keep their alignment.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass

BARS_ONLY = re.compile(r"^\s*\|(?:\s*\|)*\s*$")
MARKDOWN_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*(?::?-*:?)?\s*$")
SPACE_RUN = re.compile(r"[ \u3000]{2,}")
SINGLE_SPACE = re.compile(r"(?<=\S)[ \u3000](?=\S)")
# A parenthetical on its own is the end of the cell before it: `项目资金 (万元)`.
PAREN_TAIL = re.compile(r"^[（(][^（()）]{0,20}[)）]$")
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class StreamCell:
    text: str
    line: int  # 1-based first line
    line_end: int
    empty: bool = False  # an explicit empty cell (`| |`, a lone `|` line)
    mark: bool = False  # a row mark (`||||`): a row ends here
    line_start: bool = False  # the first cell of its line
    soft: bool = False  # split off a line at a single space: the line is prose if no table claims it
    row: int = 0  # the row the layout puts it in (a line, or the cells between two row marks)
    joiner: str = " "  # what stood between soft cells of one line: a space, or nothing (run-on)
    csv: bool = False  # a cell of a CSV row: where it ends was printed


def _cell(text: str, line: int, line_end: int | None = None, **kw) -> StreamCell:
    return StreamCell(text=text.strip(" \u3000\t"), line=line, line_end=line_end or line, **kw)


def lines_to_stream(lines: list[str], first_line: int = 1, single_spaces: bool = False,
                    run_on: bool = False) -> list[StreamCell]:
    """The cells of `lines` (line numbers counted from `first_line`).

    `single_spaces`: also split lines whose cells are parted by one space
    (PDF text); `run_on`: cut lines with no separators at all by what they say
    (extract.runon_cells). Both are asked for only when the lines read as no
    table otherwise.
    """
    if _bars_between(lines):
        return join_broken_labels(_bar_separated(lines, first_line))
    return join_broken_labels(_line_cells(lines, first_line, single_spaces, run_on))


def _line_cells(lines: list[str], first_line: int, single_spaces: bool, run_on: bool) -> list[StreamCell]:
    from extract.runon_cells import looks_run_on, split_run_on  # late: it reads the column vocabulary

    # one line that runs a table together makes its neighbours suspect too (a page's rest)
    region_runs_on = run_on and any(looks_run_on(l) for l in lines)
    out: list[StreamCell] = []
    prev_pipe: list[StreamCell] | None = None
    csv_rows = csv_lines(lines)
    i = 0
    while i < len(lines):
        lineno = first_line + i
        if i in csv_rows:
            rows, consumed = csv_rows[i]
            for r, cells in enumerate(rows):
                # rows run together on one line stay rows of their own (row ids unique per line)
                for k, c in enumerate(cells):
                    out.append(_cell(c, lineno, lineno + consumed - 1, empty=not c.strip(), line_start=k == 0,
                                     row=lineno * 1000 + r, csv=True))
            i += consumed
            continue
        cells = line_to_cells(lines[i], lineno)
        if prev_pipe is not None and "|" in lines[i] and _continues(prev_pipe, cells):
            for up, c in zip(prev_pipe, cells):
                if c.text:
                    up.text += c.text  # a cell wrapped onto the next line of the same grid
                    up.line_end = lineno
            i += 1
            continue
        prev_pipe = cells if "|" in lines[i] and len(cells) >= 2 else None
        if single_spaces and len(cells) == 1 and SINGLE_SPACE.search(cells[0].text):
            cells = split_single_spaces(cells[0])
        if run_on and region_runs_on:
            # spaces part cells too; a long piece is cut further by what it says
            cells = [piece for c in cells
                     for piece in (split_run_on(c.text, lineno) if len(c.text) >= 8 else [c])]
        for c in cells:
            c.row = lineno
        out.extend(cells)
        i += 1
    return out


def _continues(above: list[StreamCell], row: list[StreamCell]) -> bool:
    """A pipe row that only carries on the text of the cells above it (a wrapped row).

    Same width, no figures, its first cell empty, and text only under text; a
    level name alone (生态效益指标) is a row of its own unless it completes the
    cell above (服务对象 + 满意度指标): two level names stacked are two rows.
    """
    from extract.celltypes import cell_type

    if len(row) != len(above) or not row or row[0].text or not any(c.text for c in row):
        return False
    def texty(t: str) -> bool:  # words, or a sentence that holds a figure (…每次扣1分。)
        kind = cell_type(t)
        return kind in ("text", "level1", "level2") or kind == "value" and len(HAN_CHARS.findall(t)) >= 4

    for up, c in zip(above, row):
        if not c.text:
            continue
        if not up.text or not texty(up.text) or not texty(c.text):
            return False
        if cell_type(c.text) in ("level1", "level2") and cell_type(up.text) in ("level1", "level2"):
            return False  # two level names stacked are two rows (社会效益指标 over 生态效益指标)
    return True


HAN_CHARS = re.compile(r"[\u4e00-\u9fff]")
LABEL_TAIL = re.compile(r"^(?:指标|指\s*标|效益指标|满意度|满意度指标)$")


def join_broken_labels(cells: list[StreamCell]) -> list[StreamCell]:
    """`项目完成` + `指标` on two lines are one label: a lone tail word joins the cell before it."""
    from extract.celltypes import cell_type  # late: celltypes imports the normalisers

    from normalize.columns import is_exact_header

    out: list[StreamCell] = []
    for c in cells:
        prev = out[-1] if out else None
        if prev is not None and not c.empty and not c.mark and not prev.empty and not prev.mark:
            joined = prev.text + c.text.replace(" ", "")
            if LABEL_TAIL.match(c.text.replace(" ", "")) and cell_type(prev.text) in ("text", "level1", "level2") \
                    and cell_type(joined) in ("level1", "level2"):
                prev.text, prev.line_end = joined, c.line_end
                continue
            # a word cut by a stray space (PDF text): `一级指 标`, `部门决 策(25 分)`
            if prev.soft and c.soft and len(prev.text) <= 8 and cell_type(prev.text) == "text" \
                    and not is_exact_header(prev.text) and not is_exact_header(c.text) \
                    and (is_exact_header(joined) or cell_type(joined) == "level1"):
                prev.text, prev.line_end = joined, c.line_end
                continue
        out.append(c)
    return out


def line_to_cells(line: str, lineno: int) -> list[StreamCell]:
    s = line.strip(" \u3000\t\r")
    if not s and "\t" in line:
        return [_cell("", lineno, empty=True, line_start=True)]  # a lone tab: an empty cell
    if not s or MARKDOWN_RULE.match(s):
        return []
    if BARS_ONLY.match(s):
        bars = s.count("|")
        if bars == 1:
            return [_cell("", lineno, empty=True, line_start=True)]
        return [_cell("", lineno, mark=True, line_start=True)]
    if "|" in s:
        parts = s.split("|")
        if s.startswith("|"):
            parts = parts[1:]
        if s.endswith("|"):
            parts = parts[:-1]
        cells = [_cell(p, lineno, empty=not p.strip()) for p in parts]
        if cells:
            cells[0].line_start = True
        return cells
    if "\t" in s:
        parts = s.split("\t")
    elif SPACE_RUN.search(s):
        parts = SPACE_RUN.split(s)
    else:
        parts = [s]
    cells = [_cell(p, lineno) for p in parts if p.strip()]
    if cells:
        cells[0].line_start = True
    return cells


def split_single_spaces(cell: StreamCell) -> list[StreamCell]:
    """A run-together row whose cells are parted by single spaces (PDF text): its pieces.

    A parenthetical alone (`(万元)`, `(50分)`) goes back to the piece before it.
    """
    pieces = [p for p in SINGLE_SPACE.split(cell.text) if p]
    merged: list[str] = []
    depth = 0  # a space inside brackets (`(25 分)`) is no border
    for p in pieces:
        if merged and depth > 0:
            merged[-1] += " " + p  # inside brackets: the space stays, as printed
        elif merged and (PAREN_TAIL.match(p) or p in (")", "）")):
            merged[-1] += p
        else:
            merged.append(p)
        depth = max(0, depth + p.count("(") + p.count("（") - p.count(")") - p.count("）"))
    return [StreamCell(text=p, line=cell.line, line_end=cell.line_end, line_start=cell.line_start and k == 0, soft=True)
            for k, p in enumerate(merged)]


def _bars_between(lines: list[str]) -> bool:
    """Cells between lines holding a lone `|`: the lone bars are many."""
    bars = sum(1 for l in lines if l.strip() == "|")
    texts = sum(1 for l in lines if l.strip() and not BARS_ONLY.match(l.strip()))
    return bars >= 4 and bars >= 0.4 * texts


def _bar_separated(lines: list[str], first_line: int) -> list[StreamCell]:
    """Lines between two bar lines are one cell; `||||` marks the end of a row."""
    out: list[StreamCell] = []
    pending: list[tuple[int, str]] = []
    at_line_start = True
    row = 0
    first_bar = next((i for i, l in enumerate(lines) if "|" in l), len(lines))

    def flush(empty_if_none: bool) -> None:
        nonlocal at_line_start
        if pending:
            text = "\n".join(t for _, t in pending)
            out.append(StreamCell(text=text, line=pending[0][0], line_end=pending[-1][0], line_start=at_line_start,
                                  row=row))
            pending.clear()
        elif empty_if_none:
            out.append(StreamCell(text="", line=lineno, line_end=lineno, empty=True, row=row))
        at_line_start = False

    for i, raw in enumerate(lines):
        lineno = first_line + i
        s = raw.strip(" \u3000\t\r")
        if not s:
            continue
        if i < first_bar - 1:
            # lines before the table's first bar are lines of their own (title, labels)
            row += 1
            out.append(StreamCell(text=s, line=lineno, line_end=lineno, line_start=True, row=row))
            row += 1
            continue
        if s == "|":
            flush(empty_if_none=True)
            continue
        if BARS_ONLY.match(s):
            flush(empty_if_none=False)
            out.append(StreamCell(text="", line=lineno, line_end=lineno, mark=True, row=row))
            row += 1
            at_line_start = True
            continue
        if "|" in s:  # a cell and its bar on one line
            for k, part in enumerate(s.split("|")):
                if k:
                    flush(empty_if_none=True)
                if part.strip():
                    pending.append((lineno, part.strip()))
            continue
        pending.append((lineno, s))
    flush(empty_if_none=False)
    return out


def plain_csv_cells(line: str) -> list[str] | None:
    """A CSV row with balanced quotes on one line: three or more short cells (prose has long clauses)."""
    if line.count(",") < 2 or line.count('"') % 2:
        return None
    try:
        cells = next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None
    if len(cells) < 3 or sum(len(c) for c in cells) / len(cells) > 30 or commas_in_prose(cells):
        return None
    return [c.strip() for c in cells]


def commas_in_prose(cells: list[str]) -> bool:
    """ASCII commas between the clauses of a sentence (`…下载后,可能会…,请知晓。`) make no CSV row:
    a clause ends a sentence inside a cell, or no cell is empty, short or a figure."""
    if any(re.search(r"[。；;！？]\S", c) or c.rstrip().endswith(("。", "；")) for c in cells[:-1]) \
            or any(re.search(r"(?<=[\u4e00-\u9fff])\.(?=[\u4e00-\u9fff])", c) for c in cells):
        return True  # a sentence ends inside a cell (。 or an ASCII point between Chinese characters)
    if any(c.rstrip().endswith("。") for c in cells) and not any(not c.strip() for c in cells):
        return True
    return not any(not c.strip() or len(c.strip()) <= 6 or re.fullmatch(r"[\d.,%\-]+", c.strip()) for c in cells)


def quoted_csv_rows(chunk: str) -> list[list[str]]:
    """CSV with quoted cells, where an export may have run rows together with a space:
    `"得分" "管理(60分)",…` and `"20", ,"结转…"` part rows at the space between a cell's end
    and the next cell's start. A quoted cell keeps its line breaks."""
    return [row for _, row in quoted_csv_rows_at(chunk)]


def quoted_csv_rows_at(chunk: str, newline_breaks: bool = True) -> list[tuple[int, list[str]]]:
    """(line offset, cells) of each row of `quoted_csv_rows`. With `newline_breaks` off, a line
    break outside quotes is only a wrap (an export that re-flowed its text), and rows part
    only where they ran together."""
    rows: list[tuple[int, list[str]]] = []
    row: list[str] = []
    cell: list[str] = []
    quoted = in_quote = False
    prev = ""  # the last significant character outside quotes
    k, n = 0, len(chunk)
    line = row_line = 0

    def end_cell() -> None:
        nonlocal quoted
        row.append("".join(cell).strip())
        cell.clear()
        quoted = False

    def end_row() -> None:
        nonlocal row, prev, row_line
        end_cell()
        rows.append((row_line, row))
        row, prev, row_line = [], "", line

    while k < n:
        ch = chunk[k]
        if ch == "\n":
            line += 1
        if in_quote:
            if ch == '"' and k + 1 < n and chunk[k + 1] == '"':
                cell.append('"')
                k += 2
                continue
            if ch == '"':
                in_quote, prev = False, '"'
            else:
                cell.append(ch)
            k += 1
            continue
        if ch == '"' and not "".join(cell).strip():
            in_quote = quoted = True
            cell.clear()
        elif ch == ",":
            end_cell()
            prev = ","
        elif ch == "\n" and newline_breaks:
            end_row()
        elif ch in " \t\n":
            nxt = next((c for c in chunk[k:] if c not in " \t\n"), "")
            # `"a" "b"` (no comma between two quoted cells) or `"a", ,"b"` (an empty cell that is a
            # space): two rows run together; `"a", "b"` is one row with a space after its comma
            if (prev == '"' and quoted and nxt == '"') or (ch != "\n" and prev == "," and nxt == ","):
                end_row()  # the space between two rows run together
                while k + 1 < n and chunk[k + 1] in " \t":
                    k += 1
            elif not quoted and ch != "\n":
                cell.append(ch)
        else:
            if quoted:
                pass  # text after a closing quote: ignored, as csv does loosely
            else:
                cell.append(ch)
            prev = ch
        k += 1
    end_cell()
    rows.append((row_line, row))
    return [(at, r) for at, r in rows if r]


def csv_lines(lines: list[str]) -> dict[int, tuple[list[list[str]], int]]:
    """Lines that read as CSV rows with quoted cells: {index: (rows, lines consumed)}."""
    out: dict[int, tuple[list[str], int]] = {}
    i = 0
    while i < len(lines):
        s = lines[i]
        plain = plain_csv_cells(s)
        if plain is not None:
            out[i] = ([plain], 1)
            i += 1
            continue
        if s.count('"') >= 4 and s.count('","') + s.count('", "') >= 1:
            # a quoted cell may run on over lines: read until the quotes balance
            j, chunk = i, s
            while chunk.count('"') % 2 and j + 1 < len(lines) and j - i < 20:
                j += 1
                chunk += "\n" + lines[j]
            rows = quoted_csv_rows(chunk)
            if rows:
                out[i] = (rows, j - i + 1)
                i = j + 1
                continue
        i += 1
    return out
