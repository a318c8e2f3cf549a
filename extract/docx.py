"""Word (.docx) to blocks: the body's paragraphs and tables in the order they stand.

The body is read element by element (w:p, w:tbl, and the content of content
controls), so a paragraph between two tables stays between them. Headers,
footers, footnotes and comments are other parts of the package and are never
read; text boxes and shapes anchored in a paragraph are left out of its text
(they hold logos, stamps and page furniture far more often than report text).

Tables are read as their grid (extract.grid): a cell merged across columns
(w:gridSpan) gives its text once with colspan set and empty cells after it; a
cell merged down rows (w:vMerge) gives its text in its first row, rowspan
counting the rows, and empty cells in the rows it continues into. A table
nested in a cell is flattened into that cell's text (rows on lines, cells
separated by tabs). A table one column wide is a frame drawn around text:
its content is read as body flow, tables inside it included.

Provenance: a body paragraph's `line` is its 1-based index among the body's
paragraphs (empty ones counted, so it matches Word's paragraph count); a
table cell has `table` (1-based, in body order), `row` and `col` (0-based).
"""
from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from extract.errors import InputError
from extract.grid import Grid, Slot, classify_text, grid_to_blocks, pad
from extract.ir import Block, ExtractedFile, Provenance
from extract.limits import LIMITS
from extract.ziputil import MAX_ZIP_ENTRIES, open_package

# Settings: a .docx whose parts unpack to more than this, or hold more files, is refused.
MAX_DECOMPRESSED_BYTES = LIMITS.max_unpacked_bytes
MAX_FILES_IN_PACKAGE = MAX_ZIP_ENTRIES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = f"{{{W_NS}}}"
MC = f"{{{MC_NS}}}"

# subtrees whose text is not the paragraph's: text boxes and drawings, deleted
# revisions, field instructions, properties, the fallback copy of alternate content
_SKIP = {W + t for t in ("txbxContent", "drawing", "pict", "object", "del", "delText", "instrText", "pPr", "rPr",
                         "moveFrom", "footnoteReference", "endnoteReference", "commentReference")} | {MC + "Fallback"}
_CONTAINERS = {W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag", W + "ins", W + "moveTo"}
STYLE_HEADING = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "docx") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    body, styles = _open(data)
    reader = _BodyReader(name, styles)
    reader.flow(body, top_level=True)
    if not any(b.kind == "table" or b.text.strip() for b in reader.blocks):
        raise InputError("the Word document has no text (scanned images only?)")
    out = ExtractedFile(path=path, name=name, sha256=sha256, format=fmt, blocks=reader.blocks)
    boxes = sum(1 for _ in body.iter(W + "txbxContent"))
    if boxes:
        out.warnings.append(f"{boxes} text box(es) not read (shapes anchored in the text)")
    return out


def _open(data: bytes) -> tuple[etree._Element, dict[str, int]]:
    """The document body and {style id: heading level}; InputError if unreadable.

    The parts are parsed with lxml directly (safely: no entities, no network):
    python-docx would unmarshal the whole package, a third of the time per file.
    """
    zf = open_package(data, "Word file", "word/document.xml", max_bytes=MAX_DECOMPRESSED_BYTES,
                      max_entries=MAX_FILES_IN_PACKAGE)
    root = _parse_part(zf, "word/document.xml")
    body = root.find(W + "body")
    if body is None:
        raise InputError("corrupt Word file: the document has no body")
    used = {el.get(W + "val") for el in body.iter(W + "pStyle")} - {None}
    styles = zf.read("word/styles.xml") if used and "word/styles.xml" in zf.namelist() else b""
    return body, _heading_styles(styles, used)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)


def _parse_part(zf, name: str) -> etree._Element:
    try:
        return etree.fromstring(zf.read(name), _PARSER)
    except (etree.XMLSyntaxError, OSError, KeyError, ValueError) as exc:
        raise InputError(f"corrupt Word file: {name}: {_one_line(exc)}") from exc


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


_STYLE_NAME = re.compile(rb"<w:name\b[^>]*?w:val=\"([^\"]*)\"")
_OUTLINE = re.compile(rb"<w:outlineLvl\b[^>]*?w:val=\"(\d)\"")


def _heading_styles(styles: bytes, used: set[str]) -> dict[str, int]:
    """The used paragraph styles that are headings (Heading N / 标题 N, or an outline level).

    Read from styles.xml by pattern, only for the styles the body uses: a
    template's styles part runs to hundreds of kilobytes that nothing reads.
    """
    out: dict[str, int] = {}
    for sid in used:
        at = styles.find(b'w:styleId="' + sid.encode("utf-8") + b'"')
        if at < 0:
            continue
        block = styles[at:styles.find(b"</w:style>", at)]
        name = _STYLE_NAME.search(block)
        heading = STYLE_HEADING.match(name.group(1).decode("utf-8", "replace").strip()) if name else None
        if heading and int(heading.group(1)) >= 1:
            out[sid] = int(heading.group(1))
            continue
        level = _OUTLINE.search(block)
        if level and int(level.group(1)) < 9:
            out[sid] = int(level.group(1)) + 1
    return out


# --- text -------------------------------------------------------------------------------------------

def _is_hidden(run: etree._Element) -> bool:
    rpr = run.find(W + "rPr")
    if rpr is None:
        return False
    v = rpr.find(W + "vanish")
    return v is not None and v.get(W + "val", "true") not in ("0", "false", "off")


def para_text(p: etree._Element) -> str:
    """A paragraph's visible text; tabs kept, line breaks as newlines."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP:
                continue
            if tag == W + "t":
                parts.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                parts.append("\t")
            elif tag in (W + "br", W + "cr"):
                parts.append("\n")
            elif tag == W + "noBreakHyphen":
                parts.append("-")
            elif tag == W + "r" and _is_hidden(child):
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts).replace("\xa0", " ")


def _content(el: etree._Element) -> Iterator[etree._Element]:
    """The w:p and w:tbl under a body or cell, through content controls and custom XML."""
    for child in el:
        tag = child.tag
        if tag in (W + "p", W + "tbl"):
            yield child
        elif tag in _CONTAINERS:
            yield from _content(child)


def _children(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """The `tag` children of el, through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _CONTAINERS:
            yield from _children(child, tag)


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    return _children(tbl, W + "tr")


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    return _children(tr, W + "tc")


def _clean_lines(text: str) -> list[str]:
    return [line.strip(" \u3000") for line in text.split("\n") if line.strip(" \u3000\t")]


def cell_text(tc: etree._Element) -> str:
    """A cell's paragraphs joined by newlines; a nested table flattened in place."""
    lines: list[str] = []
    for el in _content(tc):
        if el.tag == W + "p":
            lines.extend(_clean_lines(para_text(el)))
        else:
            lines.extend(_clean_lines(flat_table(el)))
    return "\n".join(lines)


def flat_table(tbl: etree._Element) -> str:
    """A nested table as text: one line per row, cells separated by tabs."""
    rows = []
    for tr in _rows(tbl):
        cells = [" ".join(cell_text(tc).split("\n")) for tc in _cells(tr)]
        if any(c.strip() for c in cells):
            rows.append("\t".join(cells))
    return "\n".join(rows)


# --- tables -----------------------------------------------------------------------------------------

def _int_val(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(W + "val", default)))
    except ValueError:
        return default


def table_grid(tbl: etree._Element) -> Grid:
    """The table as its grid: one slot per grid column in every row."""
    grid: Grid = []
    open_merges: dict[int, Slot] = {}  # grid column -> the cell a vertical merge started in
    for tr in _rows(tbl):
        trpr = tr.find(W + "trPr")
        c = _int_val(trpr.find(W + "gridBefore") if trpr is not None else None, 0)
        out: list[Slot] = [Slot() for _ in range(c)]
        seen: set[int] = set(range(c))
        for tc in _cells(tr):
            tcpr = tc.find(W + "tcPr")
            span = max(1, min(_int_val(tcpr.find(W + "gridSpan") if tcpr is not None else None, 1), 1000))
            vmerge = tcpr.find(W + "vMerge") if tcpr is not None else None
            hmerge = tcpr.find(W + "hMerge") if tcpr is not None else None
            text = cell_text(tc)
            cols = range(c, c + span)
            seen.update(cols)
            origin = open_merges.get(c)
            if vmerge is not None and vmerge.get(W + "val", "continue") == "continue" and origin is not None:
                origin.rowspan += 1
                if text and text not in origin.text:
                    origin.text = f"{origin.text}\n{text}" if origin.text else text
                out.extend(Slot(covered=True) for _ in cols)
            elif hmerge is not None and hmerge.get(W + "val", "continue") == "continue" and any(not s.covered for s in out):
                left = next(s for s in reversed(out) if not s.covered)  # legacy horizontal merge
                left.colspan += span
                out.extend(Slot(covered=True) for _ in cols)
            else:
                slot = Slot(text=text, colspan=span)
                for k in cols:
                    open_merges.pop(k, None)
                if vmerge is not None and vmerge.get(W + "val") == "restart":
                    open_merges[c] = slot
                out.append(slot)
                out.extend(Slot(covered=True) for _ in range(span - 1))
            c += span
        for k in [k for k in open_merges if k not in seen]:
            del open_merges[k]  # a row that ends before the merged column ends the merge
        grid.append(out)
    return grid


def _grid_width(tbl: etree._Element) -> int:
    cols = tbl.find(W + "tblGrid")
    declared = len(cols.findall(W + "gridCol")) if cols is not None else 0
    widest = 0
    for tr in _rows(tbl):
        width = 0
        for tc in _cells(tr):
            tcpr = tc.find(W + "tcPr")
            width += max(1, _int_val(tcpr.find(W + "gridSpan") if tcpr is not None else None, 1))
        widest = max(widest, width)
    return widest or (1 if declared else 0)


# --- the body ---------------------------------------------------------------------------------------

class _BodyReader:
    def __init__(self, file_name: str, styles: dict[str, int]):
        self.file = file_name
        self.styles = styles
        self.blocks: list[Block] = []
        self.para_no = 0
        self.table_no = 0

    def flow(self, el: etree._Element, top_level: bool, where: tuple[int, int, int] | None = None) -> None:
        for child in _content(el):
            if child.tag == W + "p":
                if top_level:
                    self.para_no += 1
                    prov = Provenance(file=self.file, line=self.para_no, line_end=self.para_no)
                else:
                    t, r, c = where or (None, None, None)
                    prov = Provenance(file=self.file, table=t, row=r, col=c)
                self.paragraph(child, prov)
            else:
                self.table(child)

    def paragraph(self, p: etree._Element, prov: Provenance) -> None:
        style_level = self._style_level(p)
        for line in _clean_lines(para_text(p)):
            s = line.strip(" \u3000\t")
            block = classify_text(s, prov)
            if block.kind == "paragraph" and style_level is not None and _heading_like(s):
                block = Block(kind="heading", prov=prov, text=s, level=style_level)
            self.blocks.append(block)

    def _style_level(self, p: etree._Element) -> int | None:
        ppr = p.find(W + "pPr")
        if ppr is None:
            return None
        lvl = ppr.find(W + "outlineLvl")
        if lvl is not None and (lvl.get(W + "val") or "").isdigit() and int(lvl.get(W + "val")) < 9:
            return int(lvl.get(W + "val")) + 1
        style = ppr.find(W + "pStyle")
        return self.styles.get(style.get(W + "val", "")) if style is not None else None

    def table(self, tbl: etree._Element) -> None:
        self.table_no += 1
        t = self.table_no
        if _grid_width(tbl) <= 1:
            # a frame around text: its content is body flow
            for r, tr in enumerate(_rows(tbl)):
                for tc in _cells(tr):
                    self.flow(tc, top_level=False, where=(t, r, 0))
            return
        grid = table_grid(tbl)
        pad(grid)
        self.blocks.extend(grid_to_blocks(grid, self.file, t))


def _heading_like(s: str) -> bool:
    """A paragraph styled as a heading is one only if it reads like one."""
    return len(s) <= 40 and not s.endswith(("。", "；", ";", "，", ",")) and "。" not in s

