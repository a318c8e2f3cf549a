"""Born-digital PDF to blocks: ruled tables as tables, the rest as paragraphs.

Per page, tables are found from their ruling lines (pdfplumber's `lines`
strategy); a page with no rulings at all is tried with the `text` strategy,
and its result kept only when it reads as a grid of aligned columns. Cells
are emitted the way DOCX and pasted text give them: one Cell per grid column,
a merged region's text once and empty cells for the rest of it. A table that
runs on over a page break (same columns, the next page starting with it) is
joined into one table block; a header row repeated on the new page is
dropped.

Text outside tables is grouped into lines, lines into paragraphs by
indentation, spacing and where the previous line ended; numbered lines are
headings (extract.headings), titles of reports and forms are level-0
headings. Running headers and footers (the same line in the page margin on
several pages) and page numbers are left out. A page whose text sits in two
columns with nothing crossing the gutter (a cover page) is read left column
first.

Pages are read by pypdfium2 (a pdfplumber dependency), several times faster
than pdfminer: extract.pdf_pdfium turns its characters and painted paths
into pdfplumber's object dicts, and pdfplumber's own table finder and word
extraction run on them. A page pdfium cannot give in pdfplumber's
coordinates (rotated, or a MediaBox off the origin) is read by pdfplumber.
pdfium also tells an encrypted or corrupt file apart before any page is read.
"""
from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

from extract.limits import LIMITS
from extract.errors import InputError
from extract.headings import heading_level, is_page_number, looks_like_title
from extract.ir import Block, Cell, ExtractedFile, Provenance
from normalize.text import to_halfwidth
from normalize.ocr_repair import repair_cell

LINES_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
TEXT_SETTINGS = {
    "vertical_strategy": "text",
    "horizontal_strategy": "text",
    "min_words_vertical": 3,
    "min_words_horizontal": 2,
    "text_x_tolerance": 1.5,
}
X_TOLERANCE = 1.5  # CJK glyphs sit close; a wider gap is a real space
MARGIN_ZONE = 0.085  # the top and bottom share of a page where running heads live
LONE_NUMBER = re.compile(r"^\s*[-—–－·•]?\s*\d{1,4}\s*[-—–－·•]?\s*$")
DIGITS = re.compile(r"\d+")
NO_TEXT = "no text layer (a scan?) and no page OCR could read"
OCR_DPI_RANGE = (150.0, 300.0)  # a scan is read at its own resolution, within these bounds
OCR_DPI_DEFAULT = 200.0  # a page drawn some other way (vector outlines, garbage text) is rendered so


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "pdf") -> ExtractedFile:
    """The registry's entry point (extract.FORMATS)."""
    doc = _open_pdf(data)
    try:
        pages = _read_pages(doc, data)
    finally:
        doc.close()
    warnings = [f"page {p.number}: {p.problem}" for p in pages if p.problem]
    if not any(p.has_text for p in pages):
        if len(pages) > 1 and all(p.problem == BLANK_PAGE for p in pages):
            raise InputError(f"all {len(pages)} pages are blank (no ink): nothing to read")
        raise InputError(warnings[0].split(": ", 1)[1] if len(pages) == 1 and warnings else NO_TEXT)
    _drop_running_heads(pages)
    blocks = _to_blocks(pages, name)
    if not blocks:
        raise InputError(NO_TEXT)
    scanned = all(p.ocr for p in pages if p.has_text)
    return ExtractedFile(path=path, name=name, sha256=sha256, format="pdf-scanned" if scanned else "pdf",
                         blocks=blocks, warnings=warnings)


def blocks_from_ocr_pages(pages: list[_Page], name: str) -> list[Block]:
    """Blocks of pages read by OCR (extract.image): the same layout steps as a PDF's."""
    pages = [p for p in pages if p.has_text]
    _drop_running_heads(pages)
    return _to_blocks(pages, name)


UNMAPPED = ("\x00", "\ufffd")
GARBAGE = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b-\x1f]")


def usable_text(chars: list[dict]) -> bool:
    """A text layer worth reading: some visible text, and not mostly private-use or junk glyphs."""
    texts = [c["text"] for c in chars if c["text"].strip()]
    if not texts:
        return False
    bad = sum(1 for t in texts if GARBAGE.search(t))
    return bad <= 0.3 * len(texts)


def _scan_dpi(page) -> float:
    """The resolution of the page's largest image, within OCR_DPI_RANGE; the default without one."""
    width_pt = page.get_width() or 1.0
    best = None
    for obj in page.get_objects(max_depth=1):
        if obj.type == 3:  # an image
            x0, _, x1, _ = obj.get_bounds()
            px = obj.get_px_size()[0]
            if x1 - x0 > 0.5 * width_pt:
                best = max(best or 0.0, px * 72.0 / (x1 - x0))
    lo, hi = OCR_DPI_RANGE
    return OCR_DPI_DEFAULT if best is None else min(hi, max(lo, best))


BLANK_DARK_LEVEL = 128  # a grey level darker than this is ink
BLANK_INK_SHARE = 1 / 50_000  # fewer ink pixels than this share of the page: blank (specks, dust)
BLANK_PAGE = "a blank page (no ink), not sent to OCR"


def is_blank(image) -> bool:
    """No ink on the page image (greyscale array): nothing for OCR to read."""
    import numpy as np

    gray = np.asarray(image)
    if gray.ndim != 2 or gray.size == 0:
        return False  # colour: let OCR's own greyscale decide
    return int(np.count_nonzero(gray < BLANK_DARK_LEVEL)) < gray.size * BLANK_INK_SHARE


def ocr_page_image(image, dpi: float, number: int) -> _Page:
    """A page image read by OCR, as a page of this extractor; a page OCR cannot read says why.
    A blank page (no ink) is not sent to OCR: a scanned folder's separator
    sheets, or a PDF of blank pages, cost a count of dark pixels each."""
    from extract.ocr import pages as ocr_pages

    if is_blank(image):
        return _Page(number=number, width=0.0, height=0.0, problem=BLANK_PAGE, ocr=True)
    try:
        found, _stats = ocr_pages.ocr_page(image, dpi)
    except ocr_pages.PageUnreadable as exc:
        return _Page(number=number, width=0.0, height=0.0, problem=f"no text layer (or an unusable one), and OCR could not read this page ({exc})",
                     ocr=True)
    except Exception as exc:  # noqa: BLE001 - one page's failure must not lose the others
        return _Page(number=number, width=0.0, height=0.0,
                     problem=f"OCR failed on this page ({type(exc).__name__}: {_one_line(exc)})", ocr=True)
    page = _read_page(found, number, ocr=True)
    page.outline = _stats.get("outline")
    if not page.has_text:
        page.problem = "no text layer (or an unusable one), and OCR could not read this page (no text)"
    return page


def _ocr_pdf_page(page, number: int) -> _Page:
    from extract.ocr import engine

    if not engine.available():
        return _Page(number=number, width=0.0, height=0.0,
                     problem=f"no usable text layer (a scanned page?), skipped: {engine.INSTALL_HINT}")
    import numpy as np

    dpi = _scan_dpi(page)
    image = np.asarray(page.render(scale=dpi / 72.0, grayscale=True).to_pil().convert("L"))
    return ocr_page_image(image, dpi, number)


def _read_pages(doc, data: bytes) -> list[_Page]:
    """Every page read by pdfium; one it cannot read the way pdfminer does, by pdfplumber."""
    import pypdfium2 as pdfium

    from extract.pdf_pdfium import PdfiumPage  # imported here: a text-only run need not pay for it
    from extract.progress import page_done

    plumber = None
    pages: list[_Page] = []
    try:
        for number in range(1, len(doc) + 1):
            try:
                page = doc[number - 1]
                try:
                    found = PdfiumPage.read(page)
                    if found is not None and not usable_text(found.chars):
                        pages.append(_ocr_pdf_page(page, number))
                        page_done(number, len(doc))
                        continue
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:
                raise InputError(f"corrupt PDF (page {number} of {len(doc)}): {_one_line(exc)}") from exc
            if found is None:
                plumber = plumber or _open_plumber(data)
                found = _plumber_page(plumber, number, len(doc))
            pages.append(_read_page(found, number))
            page_done(number, len(doc))
    finally:
        if plumber is not None:
            plumber.close()
    return pages


def _open_plumber(data: bytes):
    import pdfplumber

    try:
        return pdfplumber.open(BytesIO(data))
    except _pdf_errors() as exc:
        raise InputError(f"corrupt PDF: {_one_line(exc)}") from exc


def _plumber_page(pdf, number: int, n_pages: int):
    try:
        page = pdf.pages[number - 1]
        page.objects  # parsed here, so that a damaged page is an InputError
    except _pdf_errors() as exc:
        raise InputError(f"corrupt PDF (page {number} of {n_pages}): {_one_line(exc)}") from exc
    return page


def _pdf_errors() -> tuple[type[BaseException], ...]:
    """What pdfminer raises for a damaged file (anything else is our bug)."""
    from pdfminer.pdfdocument import PDFException
    from pdfminer.psparser import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    return (PdfminerException, PSException, PDFException)


def _one_line(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


def _open_pdf(data: bytes):
    """The pdfium document; InputError for an encrypted, truncated, corrupt or empty file."""
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise InputError("not a PDF (no %PDF header)")
    if b"%%EOF" not in data[-2048:]:
        raise InputError("truncated PDF (no %%EOF at the end)")
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise InputError("encrypted PDF (a password is needed to open it)") from exc
        raise InputError(f"corrupt PDF: {_one_line(exc)}") from exc
    if len(doc) == 0:
        doc.close()
        raise InputError("empty PDF (no pages)")
    if len(doc) > LIMITS.max_pages:
        pages = len(doc)
        doc.close()
        raise InputError(f"PDF too long ({pages} pages; the limit is {LIMITS.max_pages}, JIXIAO_MAX_PAGES)")
    return doc


# --- one page -------------------------------------------------------------------------------

@dataclass
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    page: int
    confidence: float | None = None  # OCR: the lowest of its words'

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class _Table:
    rows: list[list[str | None]]  # None: a grid slot covered by a merged cell
    top: float
    bottom: float
    x0: float
    x1: float
    col_xs: list[float]  # left edge of every grid column
    page: int
    row_pages: list[int] = field(default_factory=list)
    # left edges of the cells at the table's foot whose text runs on past the page
    runs_on: set[float] = field(default_factory=set)
    # OCR: a cell's text -> the lowest confidence of what it was read from
    conf: dict[str, float] = field(default_factory=dict)


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    tables: list[_Table] = field(default_factory=list)
    has_text: bool = False
    two_columns: bool = False
    ocr: bool = False  # read by OCR
    problem: str | None = None  # why the page gave nothing (a warning)
    outline: float | None = None  # OCR of a photo: how sure the sheet's outline was (extract.ocr.flatten)


def _read_page(page, number: int, ocr: bool = False) -> _Page:
    """One page: a PdfiumPage, or a pdfplumber Page (both pdfplumber Containers).

    `ocr`: the chars were made by OCR (extract.ocr.pages) and carry a `conf`.
    """
    from pdfplumber.utils import extract_words

    out = _Page(number=number, width=float(page.width), height=float(page.height), ocr=ocr)
    # a glyph the font maps to no Unicode comes as "\x00" (pdfminer and pdfium alike):
    # drawn, but there is no text to give for it
    chars = [c for c in page.chars if c["text"] not in UNMAPPED]
    out.has_text = any(c["text"].strip() for c in chars)
    if not out.has_text:
        if not ocr:
            out.problem = "no text layer (a scanned page?), skipped"
        return out
    index = _CharIndex(chars)
    found = page.find_tables(LINES_SETTINGS)
    tables = [t for t in found if _real_table(t, index)]
    if not tables and not page.lines and not _ruling_rects(page):
        tables = [t for t in page.find_tables(TEXT_SETTINGS) if _aligned_columns(t, index)]
    boxes = [t.bbox for t in tables]
    for t in tables:
        out.tables.append(_table_rows(t, index, number, ocr))
    rest = [c for c in chars if not _inside(c, boxes)]
    words = extract_words(rest, x_tolerance=X_TOLERANCE, y_tolerance=3, keep_blank_chars=False,
                          extra_attrs=["size", "conf"] if ocr else ["size"])
    left, right = _split_columns(words, out.width)
    if right:
        out.two_columns = True
        out.lines = _words_to_lines(left, number) + _words_to_lines(right, number)
    else:
        out.lines = _words_to_lines(words, number)
    return out


def _ruling_rects(page) -> list:
    """Thin rectangles: table rulings drawn as filled boxes."""
    return [r for r in page.rects if min(r["width"], r["height"]) < 2.5]


def _filled(t, index: _CharIndex) -> list[list[bool]]:
    """Which grid slots hold text, by pdfplumber's own test (what `t.extract()` would fill)."""
    return [[box is not None and index.any_in(box) for box in row.cells] for row in t.rows]


def _real_table(t, index: _CharIndex) -> bool:
    rows = _filled(t, index)
    if not rows:
        return False
    ncols = max(len(r) for r in rows)
    if len(rows) == 1 and ncols == 1:
        return False  # a box around a paragraph, not a table
    return any(any(r) for r in rows)


def _aligned_columns(t, index: _CharIndex) -> bool:
    """A text-strategy table worth keeping: 3+ rows of 3+ columns, mostly filled."""
    rows = _filled(t, index)
    if len(rows) < 3 or max(len(r) for r in rows) < 3:
        return False
    filled = sum(1 for r in rows for c in r if c)
    total = sum(len(r) for r in rows)
    return filled >= 0.6 * total


class _CharIndex:
    """A page's visible characters by the centre of their box: which ones lie in a box."""

    def __init__(self, chars: list[dict]):
        self._entries = sorted((((c["top"] + c["bottom"]) / 2, k, (c["x0"] + c["x1"]) / 2, c)
                                for k, c in enumerate(chars) if c["text"].strip()),
                               key=lambda e: (e[0], e[1]))
        self._ys = [e[0] for e in self._entries]

    def within(self, box) -> list[dict]:
        """The characters centred in box, edges included (as _inside), in page order."""
        x0, top, x1, bottom = box
        lo, hi = bisect_left(self._ys, top), bisect_right(self._ys, bottom)
        found = sorted((e for e in self._entries[lo:hi] if x0 <= e[2] <= x1), key=lambda e: e[1])
        return [e[3] for e in found]

    def any_in(self, box) -> bool:
        """A character centred in box, its right and bottom edges out (pdfplumber's test)."""
        x0, top, x1, bottom = box
        lo, hi = bisect_left(self._ys, top), bisect_left(self._ys, bottom)
        return any(x0 <= e[2] < x1 for e in self._entries[lo:hi])


def _inside(obj, boxes) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _clean_cell(text: str | None) -> str:
    if not text:
        return ""
    lines = [" ".join(line.split()) for line in to_halfwidth(text).split("\n")]
    return "\n".join(line for line in lines if line)


def _table_rows(t, index: _CharIndex, number: int, ocr: bool = False) -> _Table:
    x0, top, x1, bottom = t.bbox
    rows: list[list[str | None]] = []
    conf: dict[str, float] = {}
    for row in t.rows:
        texts: list[str | None] = []
        for box in row.cells:
            if box is None:
                texts.append(None)
                continue
            chars = index.within(box)
            text = _cell_text(chars)
            if ocr and text:
                text = repair_cell(text)
                low = min(c["conf"] for c in chars)
                conf[text] = min(low, conf.get(text, low))
            texts.append(text)
        rows.append(texts)
    width = max(len(r) for r in rows)
    rows = [r + [None] * (width - len(r)) for r in rows]
    xs = sorted({round(c[0], 1) for c in t.cells})
    return _Table(rows=rows, top=top, bottom=bottom, x0=x0, x1=x1, col_xs=xs, page=number,
                  row_pages=[number] * len(rows), runs_on=_runs_on(t, index), conf=conf)


def _char_lines(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines, top to bottom, each left to right."""
    lines: list[list[dict]] = []
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        if lines and c["top"] - lines[-1][0]["top"] <= 0.5 * (c["size"] or 10):
            lines[-1].append(c)
        else:
            lines.append([c])
    return [sorted(ln, key=lambda c: c["x0"]) for ln in lines]


def _line_text(line: list[dict]) -> str:
    text = line[0]["text"]
    for prev, c in zip(line, line[1:]):
        gap = c["x0"] - prev["x1"]
        text += (" " if gap > 0.25 * (c["size"] or 10) else "") + c["text"]
    return _tidy(text)


def _cell_text(chars: list[dict]) -> str:
    """A cell's text: wrapped lines joined, a line that stops short ends with "\n"."""
    if not chars:
        return ""
    lines = _char_lines(chars)
    right = max(c["x1"] for c in chars)
    out = ""
    for k, ln in enumerate(lines):
        text = _line_text(ln)
        if k:
            prev = lines[k - 1]
            wrapped = prev[-1]["x1"] >= right - 1.5 * (prev[-1]["size"] or 10)
            out += _wrap_joint(out, text) if wrapped else "\n"
        out += text
    return out


def _wrap_joint(before: str, after: str) -> str:
    """What stands where a line wrapped: nothing in Chinese, a space between Latin words."""
    a, b = before[-1:], after[:1]
    if (a.isdigit() or a in ".,") and (b.isdigit() or b in ".%"):
        return ""  # a figure wrapped in a narrow column
    return " " if (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()) else ""


CJK = "\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’"
# LibreOffice and Word space Chinese apart from Latin and digits; the text has no space there
CJK_SPACE = re.compile(rf"(?<=[{CJK}]) (?=[0-9A-Za-z(（{CJK}])|(?<=[0-9A-Za-z)）%]) (?=[{CJK}])")


def _tidy(text: str) -> str:
    text = " ".join(to_halfwidth(text).split())
    return CJK_SPACE.sub("", text)


CONTINUING = tuple("、，,：:（(《“‘")
TERMINAL = tuple("。；;！!？?）)」”\"")


def _runs_on(t, index: _CharIndex) -> set[float]:
    """Cells at the foot of the table whose text is cut by the page end.

    The text fills its last line (a wrapped sentence that goes on) and does
    not end a sentence: it continues in the same column on the next page.
    """
    out: set[float] = set()
    bottom = t.bbox[3]
    for cell in t.cells:
        if abs(cell[3] - bottom) > 2:
            continue
        chars = index.within(cell)
        if not chars:
            continue
        size = statistics.median(c["size"] for c in chars)
        ordered: list[list[dict]] = []
        for c in sorted(chars, key=lambda c: c["top"]):
            if ordered and c["top"] - ordered[-1][0]["top"] <= 0.5 * size:
                ordered[-1].append(c)
            else:
                ordered.append([c])
        if len(ordered) < 2:
            continue
        last = ordered[-1]
        longest = max(max(c["x1"] for c in ln) for ln in ordered)
        text = "".join(c["text"] for c in sorted(last, key=lambda c: c["x0"])).strip()
        fills_width = max(c["x1"] for c in last) >= longest - 1.2 * size
        fills_height = cell[3] - max(c["bottom"] for c in last) <= 1.5 * size
        # a cell cannot end on 、 or ，: cut there, the line may stop short (line-break rules)
        if fills_height and (text.endswith(CONTINUING) or (fills_width and not text.endswith(TERMINAL))):
            out.add(round(cell[0], 1))
    return out


def _split_columns(words: list[dict], width: float) -> tuple[list[dict], list[dict]]:
    """(left, right) when the words sit in two columns with an empty gutter, else (words, [])."""
    if len(words) < 6:
        return words, []
    lo, hi = width * 0.3, width * 0.7
    step = 2.0
    covered = [False] * int(width / step + 2)
    for w in words:
        for k in range(int(w["x0"] / step), int(w["x1"] / step) + 1):
            if 0 <= k < len(covered):
                covered[k] = True
    best, run, run_start = None, 0, 0
    for k in range(int(lo / step), int(hi / step)):
        if not covered[k]:
            if run == 0:
                run_start = k
            run += 1
            if best is None or run > best[1]:
                best = (run_start, run)
        else:
            run = 0
    size = statistics.median(w.get("size", 10) or 10 for w in words)
    if best is None or best[1] * step < 1.5 * size:
        return words, []
    gutter = (best[0] + best[1] / 2) * step
    left = [w for w in words if w["x1"] <= gutter]
    right = [w for w in words if w["x0"] >= gutter]
    if len(_line_tops(left)) < 3 or len(_line_tops(right)) < 3:
        return words, []
    return left, right


def _line_tops(words: list[dict]) -> set[int]:
    return {round(w["top"] / 4) for w in words}


def _words_to_lines(words: list[dict], page: int) -> list[_Line]:
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines:
            last = lines[-1]
            ref = statistics.median(x["top"] for x in last)
            h = max(x["bottom"] - x["top"] for x in last)
            if abs(w["top"] - ref) <= max(2.0, 0.45 * h):
                last.append(w)
                continue
        lines.append([w])
    out = []
    for group in lines:
        group.sort(key=lambda w: w["x0"])
        size = statistics.median((w.get("size") or (w["bottom"] - w["top"])) for w in group)
        text = group[0]["text"]
        for prev, w in zip(group, group[1:]):
            gap = w["x0"] - prev["x1"]
            text += (" " if gap > 0.25 * size else "") + w["text"]
        text = _tidy(text)
        if not text:
            continue
        confs = [w["conf"] for w in group if w.get("conf") is not None]
        out.append(_Line(text=text, x0=group[0]["x0"], x1=group[-1]["x1"],
                         top=min(w["top"] for w in group), bottom=max(w["bottom"] for w in group),
                         size=size, page=page, confidence=min(confs) if confs else None))
    return out


# --- running heads and page numbers ----------------------------------------------------------

def _margin_lines(p: _Page) -> list[_Line]:
    zone_top, zone_bottom = p.height * MARGIN_ZONE, p.height * (1 - MARGIN_ZONE)
    first_table = min((t.top for t in p.tables), default=p.height)
    last_table = max((t.bottom for t in p.tables), default=0)
    return [ln for ln in p.lines
            if (ln.bottom <= zone_top and ln.bottom <= first_table)
            or (ln.top >= zone_bottom and ln.top >= last_table)]


def _drop_running_heads(pages: list[_Page]) -> None:
    def key(text: str) -> str:
        return DIGITS.sub("#", "".join(text.split()))

    seen: Counter[str] = Counter()
    body: set[str] = set()  # the lines outside the margins
    for p in pages:
        margin = _margin_lines(p)
        seen.update({key(ln.text) for ln in margin})
        ids = {id(ln) for ln in margin}
        body.update(key(ln.text) for ln in p.lines if id(ln) not in ids)
    repeat = 2 if len(pages) <= 3 else max(2, len(pages) // 3)
    for p in pages:
        drop = set()
        for ln in _margin_lines(p):
            k = key(ln.text)
            # a running head repeats the title: in a one-page file that is all it has to go on
            echoes = len(k) >= 6 and k in body
            if is_page_number(ln.text) or LONE_NUMBER.match(ln.text) or seen[k] >= repeat or echoes:
                drop.add(id(ln))
        # a page number is often the last line of the page even outside the zone
        if p.lines:
            last = max(p.lines, key=lambda ln: ln.top)
            below = all(last.top >= t.bottom for t in p.tables)
            if below and (is_page_number(last.text) or (LONE_NUMBER.match(last.text)
                                                         and last.top > p.height * 0.75)):
                drop.add(id(last))
        p.lines = [ln for ln in p.lines if id(ln) not in drop]


# --- pages to blocks ------------------------------------------------------------------------

def _to_blocks(pages: list[_Page], file_name: str) -> list[Block]:
    items: list[tuple[str, object]] = []  # ("line", _Line) | ("table", _Table) | ("break", None)
    for p in pages:
        if not p.has_text:
            continue
        elements: list[tuple[float, int, str, object]] = []
        if p.two_columns:
            for k, ln in enumerate(p.lines):
                elements.append((float(k), 0, "line", ln))  # already in reading order
        else:
            elements += [(ln.top, 0, "line", ln) for ln in p.lines]
            elements += [(t.top, 1, "table", t) for t in p.tables]
        elements.sort(key=lambda e: (e[0], e[1]))
        for _, _, kind, obj in elements:
            items.append((kind, obj))
        if p.two_columns:
            items += [("table", t) for t in p.tables]
        items.append(("break", p))
    items = _join_tables(items)
    layout = _Layout.measure(pages)
    blocks: list[Block] = []
    table_no = 0
    para: list[_Line] = []

    def flush() -> None:
        if para:
            blocks.append(_text_block(para, file_name))
            para.clear()

    prev_line: _Line | None = None
    for kind, obj in items:
        if kind == "break":
            continue
        if kind == "table":
            flush()
            prev_line = None
            table_no += 1
            blocks.append(_table_block(obj, file_name, table_no))
            continue
        ln = obj
        own = _own_line(ln, layout)
        if para and (own or _starts_paragraph(ln, prev_line, layout)):
            flush()
        para.append(ln)
        if own:
            flush()
        prev_line = ln
    flush()
    return blocks


def _own_line(ln: _Line, layout: "_Layout") -> bool:
    """A heading or title line: short of the right margin (a full line wraps on)."""
    if ln.x1 >= layout.right - 1.5 * max(ln.size, 1.0):
        return False
    return heading_level(ln.text) is not None or looks_like_title(ln.text)


@dataclass
class _Layout:
    left: float
    right: float
    char: float

    @classmethod
    def measure(cls, pages: list[_Page]) -> "_Layout":
        lines = [ln for p in pages for ln in p.lines]
        if not lines:
            return cls(0, 0, 10)
        char = statistics.median(ln.size for ln in lines) or 10
        lefts = Counter(round(ln.x0) for ln in lines)
        # (OCR'd lines jitter by a point or so: every left edge may be seen once)
        left = min((x for x, n in lefts.items() if n >= max(2, lefts.most_common(1)[0][1] // 3)),
                   default=min(ln.x0 for ln in lines)) \
            if len(lines) > 2 else min(ln.x0 for ln in lines)
        right = max(ln.x1 for ln in lines)
        return cls(left=left, right=right, char=char)


def _starts_paragraph(ln: _Line, prev: _Line | None, layout: _Layout) -> bool:
    if prev is None:
        return True
    char = max(ln.size, 1.0)
    if _own_line(prev, layout):
        return True
    if _wrapped_title(ln, prev, layout):
        return False
    if ln.x0 > layout.left + 1.2 * char:
        return True  # first-line indent, or a centred line
    if prev.x1 < layout.right - 2.5 * char:
        return True  # the previous line stopped short: its paragraph ended
    if prev.x0 > layout.left + 3.5 * char and prev.x1 < layout.right - 1.0 * char:
        return True  # the previous line was centred
    # OCR sizes a line by its box, which its glyphs make taller or shorter: a point is noise
    jump = 1.0 if ln.confidence is None or prev.confidence is None else max(1.0, 0.2 * min(ln.size, prev.size))
    if abs(ln.size - prev.size) > jump:
        return True
    if ln.page == prev.page and ln.top - prev.bottom > 1.2 * max(ln.height, prev.height):
        return True  # a blank line's worth of space
    return False


def _wrapped_title(ln: _Line, prev: _Line, layout: _Layout) -> bool:
    """ln goes on a centred title: prev filled the width without ending a sentence and ln,
    in the same size and just under it, is centred well clear of the left margin (the
    wrapped tail of a long title; a paragraph's next line starts at the margin)."""
    size = max(ln.size, 1.0)
    if abs(ln.size - prev.size) > 0.5 or ln.size < layout.char - 0.5 or ln.page != prev.page:
        return False
    if ln.x0 < layout.left + 3.5 * size:
        return False
    if ln.top - prev.bottom > 0.8 * max(ln.height, prev.height) or prev.text.endswith(TERMINAL):
        return False
    mid = (layout.left + layout.right) / 2
    if abs((ln.x0 + ln.x1) / 2 - mid) > 1.5 * size or abs((prev.x0 + prev.x1) / 2 - mid) > 1.5 * size:
        return False
    return prev.x1 - prev.x0 >= 0.8 * (layout.right - layout.left)


def _text_block(lines: list[_Line], file_name: str) -> Block:
    text = lines[0].text
    for ln in lines[1:]:
        # wrapped Chinese joins directly; a wrap between Latin words needs a space
        sep = " " if (text[-1:].isascii() and text[-1:].isalnum()
                      and ln.text[:1].isascii() and ln.text[:1].isalnum()) else ""
        text += sep + ln.text
    confs = [ln.confidence for ln in lines if ln.confidence is not None]
    prov = Provenance(file=file_name, page=lines[0].page, confidence=min(confs) if confs else None)
    level = heading_level(text)
    if level is not None:
        return Block(kind="heading", prov=prov, text=text, level=level)
    if len(lines) == 1 and looks_like_title(text):
        return Block(kind="heading", prov=prov, text=text, level=0)
    return Block(kind="paragraph", prov=prov, text=text)


# --- tables across pages --------------------------------------------------------------------

def _continues(a: _Table, b: _Table) -> bool:
    """b, at the top of the next page, has a's outer edges."""
    return abs(a.x0 - b.x0) <= 3 and abs(a.x1 - b.x1) <= 3


def _union_xs(a: list[float], b: list[float]) -> list[float]:
    out: list[float] = []
    for x in sorted(a + b):
        if not out or x - out[-1] > 3:
            out.append(x)
    return out


def _regrid(t: _Table, xs: list[float]) -> list[list[str | None]]:
    """t's rows on the wider grid xs: a column xs adds inside a cell is covered (None)."""
    where = [min(range(len(xs)), key=lambda k: abs(xs[k] - x)) for x in t.col_xs]
    out = []
    for row in t.rows:
        new: list[str | None] = [None] * len(xs)
        for j, v in enumerate(row):
            if j < len(where):
                new[where[j]] = v
        out.append(new)
    return out


def _texts(row: list[str | None]) -> list[str]:
    return [v or "" for v in row]


def _looks_like_header(row: list[str]) -> bool:
    texts = [t for t in row if t]
    if len(texts) < 2 or len(texts) < len(row) * 0.6:
        return False
    return all(len(t) <= 20 and not re.search(r"\d{2,}", t) and not FIGURE.match(t) for t in texts)


FIGURE = re.compile(r"^[-+]?\d[\d,.]*\s*%?$")
ITEM_START = re.compile(r"^(?:指标|职能|目标|任务)\s*\d|^[一二三四五六七八九十]+[、.]|^[（(]?\d{1,2}[)）、.]|^[≥≤=<>]")


def _join(prev: _Table, cont: _Table) -> _Table | None:
    """prev and cont as one table, or None when cont starts a new table."""
    xs = _union_xs(prev.col_xs, cont.col_xs)
    a, b = _regrid(prev, xs), _regrid(cont, xs)
    b_pages = list(cont.row_pages)
    if b and _texts(b[0]) == _texts(a[0]):
        b, b_pages = b[1:], b_pages[1:]  # the header row, repeated on the new page
    elif b and _looks_like_header(_texts(b[0])) and not cont.runs_on:
        return None
    if b:
        # a cell's text cut by the page end goes on in the same column: back to its cell
        for c, v in enumerate(b[0]):
            if not v or ITEM_START.match(v):
                continue
            r = len(a) - 1
            while r > 0 and a[r][c] is None:
                r -= 1
            anchor_x = xs[c]
            anchor = a[r][c]
            if not anchor or (r == 0 and len(a) > 1):
                continue  # nothing to continue, or only the header above
            if re.match(r"[\d%]$", anchor[-1]) and v[0].isdigit():
                continue  # two figures, not one cut in two
            if len(anchor) >= 15 and any(abs(anchor_x - x) <= 3 for x in prev.runs_on):
                a[r][c] = a[r][c] + "\n" + v
                b[0][c] = None
        # a row split at a paragraph end inside one long cell: the next page shows
        # only that cell's further text, every other cell of the row fitted
        first, last = _texts(b[0]), _texts(a[-1])
        filled = [c for c, v in enumerate(first) if v]
        if len(filled) == 1 and len(first[filled[0]]) >= 15 and len(last[filled[0]]) >= 40 \
                and sum(1 for v in last if v) >= 2:
            c = filled[0]
            a[-1][c] = last[c] + "\n" + first[c]
            b[0][c] = None
        if not any(_texts(b[0])):
            b, b_pages = b[1:], b_pages[1:]
    conf = dict(prev.conf)
    for k, v in cont.conf.items():
        conf[k] = min(v, conf.get(k, v))
    return _Table(rows=a + b, top=prev.top, bottom=cont.bottom, x0=prev.x0, x1=prev.x1, col_xs=xs,
                  page=prev.page, row_pages=prev.row_pages + b_pages, runs_on=cont.runs_on, conf=conf)


def _join_tables(items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """Join a table that ends a page with the table that starts the next one."""
    out: list[tuple[str, object]] = []
    for kind, obj in items:
        if kind == "table" and out:
            j = len(out) - 1
            crossed = False
            while j >= 0 and out[j][0] == "break":
                crossed = True
                j -= 1
            if crossed and j >= 0 and out[j][0] == "table" and _continues(out[j][1], obj):
                joined = _join(out[j][1], obj)
                if joined is not None:
                    out[j] = ("table", joined)
                    continue
        out.append((kind, obj))
    return out


def _table_block(t: _Table, file_name: str, table_no: int) -> Block:
    # covered grid slots read as empty cells: a merged region's text once, then ""
    rows = [[Cell(text=text or "", prov=Provenance(file=file_name, page=t.row_pages[r], table=table_no,
                                                   row=r, col=c, confidence=_confidence(t, text)))
             for c, text in enumerate(row)] for r, row in enumerate(t.rows)]
    return Block(kind="table", prov=Provenance(file=file_name, page=t.page, table=table_no), rows=rows)


def _confidence(t: _Table, text: str | None) -> float | None:
    """An OCR'd cell's confidence: its own, or for text joined across a page the lower part's."""
    if not t.conf or not text:
        return None
    if text in t.conf:
        return t.conf[text]
    parts = [t.conf[p] for p in text.split("\n") if p in t.conf]
    return min(parts) if parts else min(t.conf.values())
