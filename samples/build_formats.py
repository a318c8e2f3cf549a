#!/usr/bin/env python3
"""Build DOCX, PDF, XLSX and HTML versions of the five seed reports, and their gold.

    .venv/bin/python samples/build_formats.py [--seeds DIR] [--gold DIR] [--out DIR]

Each seed is read with the text extractor (`extract.read_file`) and its blocks
written out as a real document: headings and indented paragraphs, tables with
real merged cells, a repeated header row, and page numbers and a running head
in the page margins. PDFs are the DOCX files printed by LibreOffice headless
(`soffice`, with fonts-noto-cjk installed).

Merged cells: a run of empty cells at the start of a row, under a non-empty
cell, is a vertical merge with that cell (the hierarchical labels of 一级指标 /
二级指标 columns); an empty cell after a text cell in a row that starts with a
label, in a column that holds no figures anywhere, is a horizontal merge with
it; a row shorter than the table has its last cell spanning the rest. Read
back, every merge gives the text once and empty cells after it, which is what
the text extraction of the seed shows.

Output is deterministic: zip entries carry a fixed date, and the PDF's dates
and /ID are overwritten with fixed values of the same length.
"""
from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract import read_file  # noqa: E402
from extract.headings import looks_like_title  # noqa: E402
from extract.ir import Block  # noqa: E402

FIXED_DATE = datetime(2024, 1, 1, 0, 0, 0)
ZIP_DATE = (2024, 1, 1, 0, 0, 0)
NUMBER = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?\s*%?$")
FONT = "宋体"
HEAD_FONT = "黑体"


# --- the table model: a grid with merged regions ----------------------------------------------

@dataclass
class Region:
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    text: str = ""


@dataclass
class Grid:
    width: int
    regions: list[Region]  # anchors only, in row-major order
    header_rows: int  # rows to repeat on every page


def is_number(text: str) -> bool:
    return bool(NUMBER.match(text.replace(" ", "")))


def _spans(rows: list[list[str]], r: int, width: int) -> dict[int, int]:
    """{cell index: extra grid columns} for row r, shorter than the grid.

    A header row (labels only) stands over the rightmost columns of the rows
    under it, its first label merged over the left ones; `其中：` spans the
    sub-columns it introduces; in any other row the last cell takes the rest.
    This is how the parsers read the same rows in pasted text.
    """
    row = rows[r]
    extra = width - len(row)
    texts = [t.strip() for t in row]
    # how wide are the rows this one labels: down to the first row with a figure
    w = len(row)
    for below in rows[r + 1:r + 6]:
        has_figure = any(is_number(t.strip()) for t in below if t.strip())
        if below[0].strip() and not has_figure:
            break
        w = max(w, len(below))
        if has_figure:
            break
    w = min(w, width)
    mark = next((i for i, t in enumerate(texts) if re.match(r"^其中[：:]?$", t)), None)
    header = len([t for t in texts if t]) >= 2 and all(len(t) <= 20 and not is_number(t) for t in texts if t) \
        and bool(texts[0])
    out: dict[int, int] = {}
    if mark is not None or header:
        k = mark if mark is not None else 0
        out[k] = w - len(row)
        out[len(row) - 1] = out.get(len(row) - 1, 0) + (width - w)
    else:
        out[len(row) - 1] = extra
    return out


def table_grid(block: Block) -> Grid:
    rows = [[c.text for c in r] for r in block.rows]
    width = max(len(r) for r in rows)
    n = len(rows)
    # owner[r][g] = the region covering grid slot (r, g)
    owner: list[list[Region | None]] = [[None] * width for _ in range(n)]
    regions: list[Region] = []
    placed: list[list[tuple[int, str]]] = []  # (grid column, text) per row
    for r, row in enumerate(rows):
        spans = _spans(rows, r, width) if len(row) < width else {}
        cols, g = [], 0
        for i, text in enumerate(row):
            cols.append((g, text))
            g += 1 + spans.get(i, 0)
        placed.append(cols)
    numeric_cols = {g for cols in placed for g, t in cols if t.strip() and is_number(t.strip())}
    for r, cols in enumerate(placed):
        lead = True
        k = 0
        while k < len(cols):
            g, text = cols[k]
            nxt = cols[k + 1][0] if k + 1 < len(cols) else width
            empty = not text.strip()
            if empty and lead and r > 0 and nxt == g + 1:
                above = owner[r - 1][g]
                if above is not None and above.colspan == 1 and above.text.strip() \
                        and above.row + above.rowspan == r:
                    above.rowspan += 1
                    owner[r][g] = above
                    k += 1
                    continue
            if not empty:
                lead = False
            end = nxt
            # empty cells after a label merge with it horizontally (see the module doc)
            if not empty and not is_number(text.strip()) and cols[0][1].strip():
                while k + 1 < len(cols) and not cols[k + 1][1].strip() and cols[k + 1][0] not in numeric_cols \
                        and _free_above(owner, r, cols[k + 1][0]):
                    k += 1
                    end = cols[k + 1][0] if k + 1 < len(cols) else width
            reg = Region(row=r, col=g, colspan=end - g, text=text)
            for j in range(g, end):
                owner[r][j] = reg
            regions.append(reg)
            k += 1
    first = rows[0]
    header = 1 if (len(first) == width and width >= 3 and all(t.strip() for t in first)
                   and all(len(t) <= 12 and not is_number(t) for t in first)) else 0
    return Grid(width=width, regions=regions, header_rows=header)


def column_weights(grid: Grid) -> list[float]:
    """Relative column widths: figures never wrap, text gets room up to a point."""
    weights = [3.5] * grid.width
    for reg in grid.regions:
        if reg.colspan != 1:
            continue
        text = reg.text.strip()
        longest = max((len(line) for line in text.split("\n")), default=0)
        if is_number(text):
            weights[reg.col] = max(weights[reg.col], len(text) * 0.6 + 1.5)
        else:
            weights[reg.col] = max(weights[reg.col], min(longest, 22))
    return weights


def _free_above(owner: list[list[Region | None]], r: int, k: int) -> bool:
    """Slot (r, k) may join a horizontal merge: nothing above it has its own label there."""
    if r == 0:
        return True
    above = owner[r - 1][k]
    return above is None or above.col != k


def is_title(block: Block, index: int, first_heading: int) -> bool:
    if block.kind == "heading" and block.level == 0:
        return True
    return block.kind == "paragraph" and (looks_like_title(block.text) or index < first_heading) \
        and len(block.text) <= 40


def running_head(blocks: list[Block]) -> str:
    for b in blocks:
        if b.kind != "table" and looks_like_title(b.text):
            return b.text.strip()
    return next((b.text.strip() for b in blocks if b.kind != "table" and b.text.strip()), "")


# --- DOCX -----------------------------------------------------------------------------------

def write_docx(blocks: list[Block], path: Path) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.2)
    sec.top_margin, sec.bottom_margin = Cm(2.5), Cm(2.3)
    sec.header_distance = sec.footer_distance = Cm(1.2)
    text_width = 21 - 4.4

    def set_font(style_or_run, name: str, size: float | None = None, bold: bool | None = None):
        font = style_or_run.font
        font.name = name
        rpr = style_or_run.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.insert(0, rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            rfonts.set(qn(attr), name)
        if size is not None:
            font.size = Pt(size)
        if bold is not None:
            font.bold = bold
        try:
            font.color.rgb = None
        except Exception:  # noqa: BLE001 - styles without a colour
            pass

    normal = doc.styles["Normal"]
    set_font(normal, FONT, 12)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.25
    for level, size in ((1, 14), (2, 13), (3, 12), (4, 12)):
        st = doc.styles[f"Heading {level}"]
        set_font(st, HEAD_FONT if level == 1 else FONT, size, True)
        from docx.shared import RGBColor
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(6)
        st.paragraph_format.space_after = Pt(3)
        st.paragraph_format.keep_with_next = True
    title_style = doc.styles["Title"]
    set_font(title_style, HEAD_FONT, 18, True)

    head = running_head(blocks)
    hp = sec.header.paragraphs[0]
    hp.text = head
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for run in hp.runs:
        set_font(run, FONT, 9)
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(fp, OxmlElement, qn)

    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading" and (b.level or 0) >= 1),
                         len(blocks))
    for i, b in enumerate(blocks):
        if b.kind == "table":
            _docx_table(doc, b, text_width, OxmlElement, qn, Cm, Pt, WD_TABLE_ALIGNMENT, set_font)
            continue
        if is_title(b, i, first_heading):
            p = doc.add_paragraph()
            run = p.add_run(b.text)
            set_font(run, HEAD_FONT, 16, True)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(6)
            p.paragraph_format.keep_with_next = True
        elif b.kind == "heading":
            doc.add_paragraph(b.text, style=f"Heading {min(max(b.level or 1, 1), 4)}")
        else:
            p = doc.add_paragraph(b.text)
            p.paragraph_format.first_line_indent = Pt(24)
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.core_properties.created = FIXED_DATE
    doc.core_properties.modified = FIXED_DATE
    doc.core_properties.last_printed = FIXED_DATE
    doc.core_properties.author = "jixiao samples"
    doc.core_properties.last_modified_by = "jixiao samples"
    doc.core_properties.revision = 1
    doc.save(str(path))
    fix_zip(path)


def _page_field(paragraph, OxmlElement, qn) -> None:
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "1":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    paragraph.add_run(" —")


def _docx_table(doc, b: Block, text_width: float, OxmlElement, qn, Cm, Pt, WD_TABLE_ALIGNMENT, set_font):
    grid = table_grid(b)
    n = len(b.rows)
    table = doc.add_table(rows=n, cols=grid.width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    weights = column_weights(grid)
    total = sum(weights)
    widths = [Cm(text_width * w / total) for w in weights]
    for col, w in zip(table.columns, widths):
        col.width = w
    for r, row in enumerate(table.rows):
        trpr = row._tr.get_or_add_trPr()
        cant = OxmlElement("w:cantSplit")
        trpr.append(cant)
        if r < grid.header_rows:
            hdr = OxmlElement("w:tblHeader")
            trpr.append(hdr)
        for c, cell in enumerate(row.cells):
            cell.width = widths[c]
    for reg in grid.regions:
        a = table.cell(reg.row, reg.col)
        if reg.rowspan > 1 or reg.colspan > 1:
            a = a.merge(table.cell(reg.row + reg.rowspan - 1, reg.col + reg.colspan - 1))
        lines = reg.text.split("\n") if reg.text else [""]
        p = a.paragraphs[0]
        for k, line in enumerate(lines):
            run = p.add_run(line)
            set_font(run, FONT, 9)
            if k < len(lines) - 1:
                run.add_break()
    doc.add_paragraph()  # Word needs a paragraph between two tables


def fix_zip(path: Path) -> None:
    """Rewrite a zip with fixed entry dates and order: the same bytes on every run."""
    with zipfile.ZipFile(path) as zin:
        entries = [(info.filename, zin.read(info.filename)) for info in zin.infolist()]
    stamp = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
    entries = [(name, stamp.sub(rb"\g<1>2024-01-01T00:00:00Z\g<2>", data) if name == "docProps/core.xml" else data)
               for name, data in entries]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)


# --- PDF ------------------------------------------------------------------------------------

def write_pdf(docx_path: Path, path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is needed for the PDFs: apt-get install libreoffice-writer")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"
        subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(docx_path)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
        data = (Path(tmp) / (docx_path.stem + ".pdf")).read_bytes()
    path.write_bytes(fix_pdf(data))


def fix_pdf(data: bytes) -> bytes:
    """Fixed dates and /ID, same lengths, so the xref offsets stay right."""
    def same_len(m: re.Match, fill: bytes) -> bytes:
        return m.group(1) + fill * (len(m.group(2)) // len(fill)) + fill[: len(m.group(2)) % len(fill)] + m.group(3)

    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\(D:)([^)]*)(\))",
                  lambda m: m.group(1) + b"20240101000000Z".ljust(len(m.group(2)), b" ")[: len(m.group(2))]
                  + m.group(3), data)
    data = re.sub(rb"(<xmp:(?:CreateDate|ModifyDate|MetadataDate)>)([^<]*)(<)",
                  lambda m: m.group(1) + b"2024-01-01T00:00:00Z".ljust(len(m.group(2)), b" ")[: len(m.group(2))]
                  + m.group(3), data)
    data = re.sub(rb"(<)([0-9A-Fa-f]{32})(>)", lambda m: same_len(m, b"0"), data)
    data = re.sub(rb"(uuid:)([0-9a-fA-F-]{36})()", lambda m: m.group(1) + b"0" * 36, data)
    data = re.sub(rb"(/DocChecksum\s*/)([0-9A-Fa-f]{32})()", lambda m: same_len(m, b"0"), data)
    return data


# --- XLSX -----------------------------------------------------------------------------------

def write_xlsx(blocks: list[Block], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = max((max(len(r) for r in b.rows) for b in blocks if b.kind == "table"), default=1)
    col_w = [10.0] * width
    r = 1
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading" and (b.level or 0) >= 1),
                         len(blocks))
    for i, b in enumerate(blocks):
        if b.kind != "table":
            cell = ws.cell(row=r, column=1, value=b.text)
            title = is_title(b, i, first_heading)
            cell.font = Font(name=FONT, bold=title or b.kind == "heading", size=14 if title else 11)
            cell.alignment = Alignment(horizontal="center" if title else "left", wrap_text=False)
            r += 1
            continue
        grid = table_grid(b)
        for c, w in enumerate(column_weights(grid)):
            col_w[c] = max(col_w[c], min(2.2 * w, 40))
        for reg in grid.regions:
            cell = ws.cell(row=r + reg.row, column=reg.col + 1, value=reg.text or None)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cell.font = Font(name=FONT, size=10)
            for rr in range(reg.rowspan):
                for cc in range(reg.colspan):
                    ws.cell(row=r + reg.row + rr, column=reg.col + cc + 1).border = border
            if reg.rowspan > 1 or reg.colspan > 1:
                ws.merge_cells(start_row=r + reg.row, start_column=reg.col + 1,
                               end_row=r + reg.row + reg.rowspan - 1, end_column=reg.col + reg.colspan)
        r += len(b.rows) + 1
    from openpyxl.utils import get_column_letter
    for c, w in enumerate(col_w):
        ws.column_dimensions[get_column_letter(c + 1)].width = w
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    wb.properties.creator = "jixiao samples"
    wb.save(str(path))
    fix_zip(path)


# --- HTML -----------------------------------------------------------------------------------

def write_html(blocks: list[Block], path: Path, title: str) -> None:
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>",
           "<style>body{font-family:SimSun,serif;max-width:60em;margin:auto}"
           "table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 4px}"
           "p{text-indent:2em}.title{text-align:center;font-weight:bold;text-indent:0}</style>",
           "</head>", "<body>", '<div class="article">']
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading" and (b.level or 0) >= 1),
                         len(blocks))
    for i, b in enumerate(blocks):
        if b.kind == "table":
            grid = table_grid(b)
            out.append('<table border="1" cellspacing="0">')
            by_row: dict[int, list[Region]] = {}
            for reg in grid.regions:
                by_row.setdefault(reg.row, []).append(reg)
            for r in range(len(b.rows)):
                if r == 0 and grid.header_rows:
                    out.append("<thead>")
                if r == grid.header_rows:
                    out.append("<tbody>")
                tag = "th" if r < grid.header_rows else "td"
                cells = []
                for reg in by_row.get(r, []):
                    attrs = (f' rowspan="{reg.rowspan}"' if reg.rowspan > 1 else "") + \
                            (f' colspan="{reg.colspan}"' if reg.colspan > 1 else "")
                    text = "<br>".join(html.escape(line) for line in reg.text.split("\n"))
                    cells.append(f"<{tag}{attrs}>{text}</{tag}>")
                out.append("<tr>" + "".join(cells) + "</tr>")
                if r == grid.header_rows - 1:
                    out.append("</thead>")
            out.append("</tbody>")
            out.append("</table>")
        elif is_title(b, i, first_heading):
            out.append(f'<p class="title">{html.escape(b.text)}</p>')
        elif b.kind == "heading":
            level = min(max(b.level or 1, 1), 4) + 1
            out.append(f"<h{level}>{html.escape(b.text)}</h{level}>")
        else:
            out.append(f"<p>{html.escape(b.text)}</p>")
    out += ["</div>", "</body>", "</html>", ""]
    path.write_text("\n".join(out), encoding="utf-8")


# --- gold -----------------------------------------------------------------------------------

def write_gold(gold_src: Path, target: Path, new_name: str, fmt: str) -> None:
    import hashlib

    data = json.loads(gold_src.read_text(encoding="utf-8"))
    sample = target.parent.parent.parent / fmt / new_name
    digest = hashlib.sha256(sample.read_bytes()).hexdigest() if sample.exists() else None
    for doc in data.get("documents", []):
        src = doc.setdefault("source", {})
        src["file"] = new_name
        src["format"] = fmt
        if digest and "sha256" in src:
            src["sha256"] = digest
        for key in ("start", "end"):
            src.pop(key, None)  # line:N means nothing in another format
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


EXT = {"docx": "docx", "pdf": "pdf", "xlsx": "xlsx", "html": "html"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--gold", type=Path, default=ROOT.parent / "shared" / "gold")
    ap.add_argument("--out", type=Path, default=ROOT / "samples" / "formats")
    ap.add_argument("--formats", default="docx,pdf,xlsx,html")
    args = ap.parse_args()
    formats = args.formats.split(",")
    seeds = sorted(args.seeds.glob("*.txt"))
    if not seeds:
        raise SystemExit(f"no seeds in {args.seeds}")
    for fmt in set(formats) | ({"docx"} if "pdf" in formats else set()):
        (args.out / fmt).mkdir(parents=True, exist_ok=True)
        (args.out / "gold" / fmt).mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        blocks = read_file(seed).blocks
        stem = seed.stem
        docx_path = args.out / "docx" / f"{stem}.docx"
        if "docx" in formats or "pdf" in formats:
            write_docx(blocks, docx_path)
        if "pdf" in formats:
            write_pdf(docx_path, args.out / "pdf" / f"{stem}.pdf")
        if "xlsx" in formats:
            write_xlsx(blocks, args.out / "xlsx" / f"{stem}.xlsx")
        if "html" in formats:
            write_html(blocks, args.out / "html" / f"{stem}.html", running_head(blocks) or stem)
        for fmt in formats:
            gold = args.gold / f"{stem}.json"
            if gold.exists():
                write_gold(gold, args.out / "gold" / fmt / f"{stem}.json", f"{stem}.{EXT[fmt]}", fmt)
        print(f"{stem}: {', '.join(formats)}", file=sys.stderr)
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"wrote {args.out} ({total / 1024:.0f} KiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
