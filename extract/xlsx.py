"""Excel workbooks to blocks: .xlsx with openpyxl, .xls (and WPS .et) with xlrd.

Each visible sheet, in workbook order, gives a heading (its name) and its
used range as one table, read as the grid (extract.grid): a merged range's
value sits in its top-left cell with rowspan/colspan set and the rest of the
range is empty cells. Fully empty trailing rows and columns are trimmed.

A cell says its VALUE, not what the format displays: 13351.2 (not
"13,351.20"), 12 (not "12.0"), a date as an ISO string. A number formatted as
a percentage is written as one (0.956 -> "95.6%"), since that is the value
the form states. Formulas give their cached result; a formula never
calculated (files written by libraries, or `=2次` typed as a value) gives its
text, with a warning.

A spreadsheet draws a form's title as a single cell (merged or overflowing)
above the table and its notes below it: such rows become headings or
paragraphs, a title naming a form a level-0 heading. The sheet's name is a
plain label (paragraph) when the sheet has its own title above its table: as a
heading it would end the current document before the sheet's own title starts
the next; a default name (Sheet1, 工作表1) is left out. Otherwise it is a
level-0 heading when it names a form, a level-1 heading if not.

Provenance: table = the sheet's 1-based index in the workbook, row/col the
0-based position in the table, line = the 1-based Excel row number.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from io import BytesIO

from extract.errors import InputError
from extract.grid import Slot, grid_to_blocks, text_blocks
from extract.headings import looks_like_title
from extract.ir import Block, ExtractedFile, Provenance
from extract.limits import LIMITS
from extract.ziputil import MAX_ZIP_ENTRIES, open_package

# Settings: a .xlsx whose parts unpack to more than this is refused; rows past the cap are dropped.
MAX_DECOMPRESSED_BYTES = LIMITS.max_unpacked_bytes
MAX_ROWS_PER_SHEET = 100_000
MAX_COLS_PER_SHEET = 1_000

DEFAULT_SHEET_NAME = re.compile(r"^(?:sheet|工作表|表)\s*\d*$", re.I)

Cells = dict[tuple[int, int], str]  # (row, col), 0-based -> text
Merges = list[tuple[int, int, int, int]]  # (first row, first col, last row, last col), 0-based inclusive


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "xlsx") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    warnings: list[str] = []
    if fmt == "xls":
        sheets = read_xls(data, name, warnings)
    else:
        sheets = read_xlsx(data, warnings)
    blocks: list[Block] = []
    for index, sheet_name, cells, merges in sheets:
        blocks.extend(sheet_to_blocks(sheet_name, index, cells, merges, name))
    if not blocks:
        raise InputError("the workbook has no data (every sheet is empty)")
    return ExtractedFile(path=path, name=name, sha256=sha256, format=fmt, blocks=blocks, warnings=warnings)


# --- values ------------------------------------------------------------------------------------------

def number_text(v: float | int) -> str:
    """12 not 12.0; 13351.2 not 13351.200000000001; never an exponent."""
    if isinstance(v, int):
        return str(v)
    if v != v or v in (float("inf"), float("-inf")):
        return ""
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    s = f"{v:.15g}"
    if "e" in s or "E" in s:
        s = format(Decimal(s), "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    return s


def value_text(v, number_format: str | None = None) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        if number_format and "%" in number_format.replace('"%"', "").replace("\\%", ""):
            return number_text(round(v * 100, 10)) + "%"
        return number_text(v)
    if isinstance(v, dt.datetime):
        if v.time() == dt.time(0, 0):
            return v.date().isoformat()
        return v.isoformat(sep=" ", timespec="seconds")
    if isinstance(v, (dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return str(v)
    s = str(v).replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    return "\n".join(line.strip(" \u3000\t") for line in s.split("\n")).strip("\n")


# --- .xlsx ---------------------------------------------------------------------------------------------

def read_xlsx(data: bytes, warnings: list[str]) -> list[tuple[int, str, Cells, Merges]]:
    zf = open_package(data, "Excel file", "xl/workbook.xml", max_bytes=MAX_DECOMPRESSED_BYTES,
                      max_entries=MAX_ZIP_ENTRIES)
    wb = _load(data, data_only=True)
    formulas = _load(data, data_only=False).worksheets if _has_formulas(zf) else None
    out = []
    uncached = 0
    for index, ws in enumerate(wb.worksheets, start=1):
        if getattr(ws, "sheet_state", "visible") != "visible":
            warnings.append(f"hidden sheet {ws.title!r} not read")
            continue
        cells: Cells = {}
        store = getattr(ws, "_cells", None)
        items = store.items() if isinstance(store, dict) else (
            ((c.row, c.column), c) for row in ws.iter_rows() for c in row)
        dropped = False
        for (r, c), cell in items:
            if r > MAX_ROWS_PER_SHEET or c > MAX_COLS_PER_SHEET:
                dropped = dropped or cell.value is not None
                continue
            value = cell.value
            if value is None and formulas is not None:
                value = _formula_text(formulas[index - 1], r, c)
                uncached += value is not None
            text = value_text(value, getattr(cell, "number_format", None))
            if text:
                cells[(r - 1, c - 1)] = text
        if dropped:
            warnings.append(f"sheet {ws.title!r}: cells beyond row {MAX_ROWS_PER_SHEET} / column {MAX_COLS_PER_SHEET} not read")
        merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges]
        out.append((index, ws.title, cells, merges))
    if uncached:
        warnings.append(f"{uncached} formula cell(s) have no saved result: their formula text is given")
    return out


def _load(data: bytes, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(BytesIO(data), data_only=data_only, read_only=False)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, XML errors, InvalidFileException ...
        raise InputError(f"corrupt Excel file: {type(exc).__name__}: {_one_line(exc)}") from exc


def _has_formulas(zf) -> bool:
    """Any formula in any worksheet (then a second read gives the text of those never calculated)."""
    for info in zf.infolist():
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            with zf.open(info) as fh:
                if re.search(rb"<(?:\w+:)?f[ >]", fh.read()):
                    return True
    return False


def _formula_text(ws, r: int, c: int) -> str | None:
    """A formula cell with no cached result: its text as typed (a value like `=2次` typed without a quote)."""
    cell = ws._cells.get((r, c)) if isinstance(getattr(ws, "_cells", None), dict) else ws.cell(r, c)
    if cell is None:
        return None
    v = cell.value
    text = getattr(v, "text", v)  # ArrayFormula
    if isinstance(text, str) and text.startswith("="):
        return text
    return None


# --- .xls / .et -------------------------------------------------------------------------------------------

def read_xls(data: bytes, name: str, warnings: list[str]) -> list[tuple[int, str, Cells, Merges]]:
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True)
        except NotImplementedError:
            book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:  # XLRDError, CompDocError, struct.error, ...
        reason = _one_line(exc)
        if "encrypt" in reason.lower():
            raise InputError("the workbook is password-protected (encrypted)") from exc
        converted = _convert_with_libreoffice(data, name)
        if converted is not None:
            warnings.append("read through LibreOffice (xlrd could not read it)")
            return read_xlsx(converted, warnings)
        if name.lower().endswith(".et"):
            raise InputError(f"WPS spreadsheet (.et) that xlrd cannot read ({reason}): save it as .xlsx in WPS, "
                             "or install LibreOffice (apt-get install libreoffice-calc) to convert it") from exc
        raise InputError(f"corrupt or unsupported .xls file: {reason}") from exc
    out = []
    for index in range(book.nsheets):
        sh = book.sheet_by_index(index)
        if getattr(sh, "visibility", 0) != 0:
            warnings.append(f"hidden sheet {sh.name!r} not read")
            continue
        cells: Cells = {}
        for r in range(min(sh.nrows, MAX_ROWS_PER_SHEET)):
            for c in range(min(sh.row_len(r), MAX_COLS_PER_SHEET)):
                text = _xls_cell_text(book, sh.cell(r, c), xlrd)
                if text:
                    cells[(r, c)] = text
        if sh.nrows > MAX_ROWS_PER_SHEET:
            warnings.append(f"sheet {sh.name!r}: rows beyond {MAX_ROWS_PER_SHEET} not read")
        merges = [(rlo, clo, rhi - 1, chi - 1) for rlo, rhi, clo, chi in getattr(sh, "merged_cells", [])]
        out.append((index + 1, sh.name, cells, merges))
    return out


def _xls_cell_text(book, cell, xlrd) -> str:
    kind, v = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return value_text(v)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if v else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(v, "#ERR")
    if kind == xlrd.XL_CELL_DATE:
        try:
            return value_text(xlrd.xldate.xldate_as_datetime(v, book.datemode))
        except Exception:
            return number_text(v)
    return value_text(v, _xls_format(book, cell))


def _xls_format(book, cell) -> str | None:
    try:
        xf = book.xf_list[cell.xf_index]
        return book.format_map[xf.format_key].format_str
    except (AttributeError, IndexError, KeyError, TypeError):
        return None


def _convert_with_libreoffice(data: bytes, name: str) -> bytes | None:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return None
    from extract.legacy import convert

    try:
        return convert(data, name, "xlsx")
    except InputError:
        return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# --- sheet to blocks ------------------------------------------------------------------------------------

def sheet_to_blocks(sheet_name: str, index: int, cells: Cells, merges: Merges, file_name: str) -> list[Block]:
    """A sheet's heading and table (with its title and note rows lifted out); nothing for an empty sheet."""
    if not cells:
        return []
    nrows = max(r for r, _ in cells) + 1
    ncols = max(c for _, c in cells) + 1
    grid = [[Slot(text=cells.get((r, c), "")) for c in range(ncols)] for r in range(nrows)]
    for r0, c0, r1, c1 in merges:
        if r0 >= nrows or c0 >= ncols:
            continue
        r1, c1 = min(r1, nrows - 1), min(c1, ncols - 1)
        top = grid[r0][c0]
        top.rowspan, top.colspan = r1 - r0 + 1, c1 - c0 + 1
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                if (r, c) != (r0, c0):
                    grid[r][c] = Slot(covered=True)
    body = sheet_grid_to_blocks(grid, file_name, index)
    name = sheet_name.strip()
    prov = Provenance(file=file_name, table=index)
    if not name or DEFAULT_SHEET_NAME.match(name):
        return body  # Sheet1 / 工作表1 says nothing (and read as a page's title it would name the report)
    if _has_own_title(body):
        # a label, not a heading: a heading would end the document before the sheet's own title
        head = Block(kind="paragraph", prov=prov, text=name)
    elif looks_like_title(name):
        head = Block(kind="heading", prov=prov, text=name, level=0)
    else:
        head = Block(kind="heading", prov=prov, text=name, level=1)
    return [head] + body


def sheet_grid_to_blocks(grid: list[list[Slot]], file_name: str, index: int) -> list[Block]:
    """A sheet's rows as blocks. A sheet often holds a whole report: text rows (one cell each)
    between tables, set apart by empty rows. Such a passage of text is lifted as text wherever
    it stands, not only above or below the sheet's first table; the tables keep their rows."""
    def cells_in(r: int) -> int:
        return sum(1 for slot in grid[r] if slot.text.strip())

    runs: list[list[int]] = []  # rows between empty rows
    for r in range(len(grid)):
        if cells_in(r) == 0:
            if runs and runs[-1]:
                runs.append([])
            continue
        if not runs:
            runs.append([])
        runs[-1].append(r)
    blocks: list[Block] = []
    pending: list[int] = []  # table rows, with the empty rows between them kept

    def flush() -> None:
        if pending:
            rows = list(range(pending[0], pending[-1] + 1))
            blocks.extend(grid_to_blocks([grid[r] for r in rows], file_name, index,
                                         row_lines=[r + 1 for r in rows], loose_edges=True))
            pending.clear()

    def single(r: int) -> bool:
        return cells_in(r) == 1 and not any(slot.covered or slot.rowspan > 1 for slot in grid[r])

    for run in (r for r in runs if r):
        lead = 0  # the run's text rows above its table (its title, or a paragraph of the report)
        while lead < len(run) and single(run[lead]):
            lead += 1
        if lead < len(run) and lead and _numbered_row(grid[run[lead - 1]]):
            lead -= 1  # a numbered part's heading (一、基本情况) stays with its table
        if pending and lead:
            flush()
            for r in run[:lead]:
                blocks.extend(b for c, slot in enumerate(grid[r]) if slot.text.strip()
                              for b in text_blocks(slot.text, Provenance(file=file_name, line=r + 1, line_end=r + 1,
                                                                       table=index, row=r, col=c)))
            run = run[lead:]
        pending.extend(run)
    flush()
    return blocks


def _numbered_row(row: list[Slot]) -> bool:
    from extract.headings import heading_level

    texts = [slot.text.strip() for slot in row if slot.text.strip()]
    return len(texts) == 1 and heading_level(texts[0]) is not None


def _has_own_title(blocks: list[Block]) -> bool:
    """A title (level-0 heading) among the sheet's lines above its table."""
    for b in blocks:
        if b.kind == "table":
            return False
        if b.kind == "heading" and b.level == 0:
            return True
    return False
