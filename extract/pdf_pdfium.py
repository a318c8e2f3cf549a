"""A PDF page read by pypdfium2, in the shape pdfplumber gives it.

pdfminer's page parsing was two thirds of the PDF extractor's time; pdfium
reads the same page in a few milliseconds. This module turns what pdfium
gives into pdfplumber's object dicts (top-left coordinates, `top`/`bottom`,
`object_type`): the characters, and the painted paths as lines, rectangles
and curves classified the way pdfminer does it. `PdfiumPage` is a pdfplumber
`Container`, so pdfplumber's own table finder, word and text extraction work
on it unchanged.

Where it differs from pdfminer:

- a character's box is its em square standing on the baseline (pdfminer
  lowers it by the Descent of the font descriptor, which pdfium does not
  expose; LibreOffice writes 0 there, so its PDFs read exactly the same);
- spaces pdfium infers from gaps are left out, and so are a few real space
  characters it reports as inferred: words split at such a gap all the same;
- characters come in pdfium's order (line by line), not the content
  stream's; extract.pdf groups and sorts them by position anyway.

A page that is rotated or whose MediaBox does not start at (0, 0) is not
read here (`PdfiumPage.read` returns None): pdfplumber reads it.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as c
from pdfplumber import utils
from pdfplumber.container import Container
from pdfplumber.table import Table, TableFinder, TableSettings


class PdfiumPage(Container):
    """A page's chars, lines, rects and curves; enough for find_tables and extract_words."""

    def __init__(self, objects: dict[str, list[dict]], width: float, height: float):
        self._page_objects = objects
        self.width = width
        self.height = height
        self.bbox = (0, 0, width, height)

    @property
    def objects(self) -> dict[str, list[dict]]:
        return self._page_objects

    def find_tables(self, settings: dict) -> list[Table]:
        return TableFinder(self, TableSettings.resolve(settings)).tables

    def extract_words(self, **kwargs) -> list[dict]:
        return utils.extract_words(self.chars, **kwargs)

    @classmethod
    def read(cls, page: pdfium.PdfPage) -> "PdfiumPage | None":
        if page.get_rotation() % 360:
            return None
        box = _mediabox(page)
        if box[0] != 0 or box[1] != 0:
            return None
        height = box[3]
        textpage = page.get_textpage()
        try:
            objects = {"char": _chars(textpage, height), "line": [], "rect": [], "curve": []}
        finally:
            textpage.close()
        for kind, obj in _paths(page.raw, height):
            objects[kind].append(obj)
        return cls(objects, box[2], height)


def _mediabox(page: pdfium.PdfPage) -> tuple[float, float, float, float]:
    """(left, bottom, width, height) of the MediaBox, the box pdfplumber's coordinates use."""
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    if not c.FPDFPage_GetMediaBox(page.raw, l, b, r, t):  # inherited from the page tree
        rect = c.FS_RECTF()
        c.FPDF_GetPageBoundingBox(page.raw, rect)
        l.value, b.value, r.value, t.value = rect.left, rect.bottom, rect.right, rect.top
    return (round(l.value, 3), round(b.value, 3), round(r.value - l.value, 3),
            round(t.value - b.value, 3))


def _chars(textpage: pdfium.PdfTextPage, height: float) -> list[dict]:
    tp = textpage.raw
    n = c.FPDFText_CountChars(tp)
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer(2 * (n + 1))
    written = c.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    if written == n + 1:  # the text and its terminator: one UTF-16 unit per char index
        units = buf.raw[: 2 * n].decode("utf-16-le", errors="surrogatepass")
    else:
        # FPDFText_GetText leaves out the characters that have no Unicode (a glyph the
        # font's ToUnicode does not map), so the string no longer lines up with the
        # char indices: ask for each index's own unit instead
        units = "".join(chr(c.FPDFText_GetUnicode(tp, k)) for k in range(n))
    ox, oy = ctypes.c_double(), ctypes.c_double()
    runs: dict[int, _Run] = {}  # by text object
    widths: dict[tuple, float | None] = {}
    out: list[dict] = []
    for k, text in enumerate(units):
        if text.isspace() and c.FPDFText_IsGenerated(tp, k):
            continue  # a space or line end pdfium inferred
        if "\udc00" <= text <= "\udfff":
            continue  # the second half of a surrogate pair, joined below
        if "\ud800" <= text <= "\udbff" and k + 1 < n:
            text = (text + units[k + 1]).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        obj = c.FPDFText_GetTextObject(tp, k)
        run = runs.get(ctypes.c_void_p.from_buffer(obj).value) if obj else None
        if run is None:
            run = _Run.of(tp, k, obj)
            if obj:
                runs[ctypes.c_void_p.from_buffer(obj).value] = run
        # the advance from the font's widths, as pdfminer has it (pdfium's loose box takes
        # another glyph width for the half-width characters of a non-embedded CJK font)
        key = (run.font_id, text, run.size)
        adv = widths.get(key, -1.0)
        if adv == -1.0:
            adv = widths[key] = _advance(run.font, text, run.size)
        if adv is None:
            out.append(_loose_char(tp, k, text, height, run.upright))
            continue
        c.FPDFText_GetCharOrigin(tp, k, ox, oy)
        x, y = ox.value, oy.value
        if run.straight:  # no rotation or skew: the common case, kept short
            x0, x1, y0, y1 = x, x + run.a * adv, y, y + run.hy
        else:  # pdfminer's box: the glyph's text-space box through the char's matrix
            xs = (x, x + run.a * adv, x + run.hx, x + run.a * adv + run.hx)
            ys = (y, y + run.b * adv, y + run.hy, y + run.b * adv + run.hy)
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        x0, x1, top, bottom = round(x0, 3), round(x1, 3), round(height - y1, 3), round(height - y0, 3)
        out.append({"object_type": "char", "text": text, "x0": x0, "x1": x1, "top": top,
                    "bottom": bottom, "doctop": top, "width": x1 - x0, "height": bottom - top,
                    "size": round(y1 - y0, 3), "upright": run.upright})
    return out


@dataclass(frozen=True)
class _Run:
    """What the characters of one text object share: font, size and matrix."""

    font: object
    font_id: int | None
    size: float  # the Tf size, in text space
    a: float  # the char matrix (CTM, Tm and Tz), without the size
    b: float
    hx: float  # where the top of the em box lies from the origin: (c, d) * size
    hy: float
    straight: bool
    upright: bool

    @classmethod
    def of(cls, tp, k: int, obj) -> "_Run":
        m = c.FS_MATRIX()
        if not c.FPDFText_GetMatrix(tp, k, m):
            m.a, m.b, m.c, m.d = 1.0, 0.0, 0.0, 1.0
        font = c.FPDFTextObj_GetFont(obj) if obj else None
        size = c.FPDFText_GetFontSize(tp, k)
        return cls(font=font, font_id=ctypes.c_void_p.from_buffer(font).value if font else None,
                   size=size, a=m.a, b=m.b, hx=m.c * size, hy=m.d * size,
                   straight=m.b == 0 and m.c == 0 and m.a > 0 and m.d > 0,
                   upright=m.a * m.d > 0 and m.b * m.c <= 0)  # pdfminer's test


def _advance(font, text: str, size: float) -> float | None:
    """The glyph's advance in text space (size included), None when pdfium cannot say."""
    width = ctypes.c_float()
    if font and len(text) == 1 and c.FPDFFont_GetGlyphWidth(font, ord(text), size, width) \
            and width.value > 0:
        return width.value
    return None


def _loose_char(tp, k: int, text: str, height: float, upright: bool) -> dict:
    """A character by pdfium's loose box, for a glyph whose width the font does not give."""
    box = c.FS_RECTF()
    c.FPDFText_GetLooseCharBox(tp, k, box)
    x0, x1, top, bottom = (round(v, 3) for v in (box.left, box.right, height - box.top, height - box.bottom))
    return {"object_type": "char", "text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "doctop": top, "width": x1 - x0, "height": bottom - top, "size": round(bottom - top, 3),
            "upright": upright}


# --- paths ---------------------------------------------------------------------------------

_Matrix = tuple[float, float, float, float, float, float]
IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _matrix(obj) -> _Matrix:
    m = c.FS_MATRIX()
    if not c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _times(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n."""
    a, b, cc, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, cc * a2 + d * c2, cc * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _paths(page_raw, height: float):
    """(kind, dict) for every painted path on the page, inside form XObjects too."""
    stack = [(c.FPDFPage_CountObjects(page_raw), lambda k: c.FPDFPage_GetObject(page_raw, k),
              IDENTITY)]
    while stack:
        count, get, outer = stack.pop()
        for k in range(count):
            obj = get(k)
            kind = c.FPDFPageObj_GetType(obj)
            if kind == c.FPDF_PAGEOBJ_PATH:
                yield from _path_objects(obj, _times(_matrix(obj), outer), height)
            elif kind == c.FPDF_PAGEOBJ_FORM:
                stack.append((c.FPDFFormObj_CountObjects(obj),
                              lambda j, form=obj: c.FPDFFormObj_GetObject(form, j),
                              _times(_matrix(obj), outer)))


def _path_objects(obj, m: _Matrix, height: float):
    """pdfminer's reading of a path: each subpath a line, a rect or a curve."""
    x, y = ctypes.c_float(), ctypes.c_float()
    subpaths: list[tuple[str, list[tuple[float, float]]]] = []
    for k in range(c.FPDFPath_CountSegments(obj)):
        seg = c.FPDFPath_GetPathSegment(obj, k)
        c.FPDFPathSegment_GetPoint(seg, x, y)
        a, b, cc, d, e, f = m
        pt = (round(a * x.value + cc * y.value + e, 3), round(height - (b * x.value + d * y.value + f), 3))
        kind = c.FPDFPathSegment_GetType(seg)
        if kind == c.FPDF_SEGMENT_MOVETO or not subpaths:
            subpaths.append(("m", [pt]))
        elif kind == c.FPDF_SEGMENT_LINETO:
            subpaths[-1] = (subpaths[-1][0] + "l", subpaths[-1][1] + [pt])
        else:  # a Bézier curve: three points, the last one on the path
            subpaths[-1] = (subpaths[-1][0] + "c", subpaths[-1][1] + [pt])
        if c.FPDFPathSegment_GetClose(seg):
            shape, pts = subpaths[-1]
            subpaths[-1] = (shape + "h", pts + [pts[0]])
    for shape, pts in subpaths:
        item = _classify(_bezier_points(shape, pts), height)
        if item is not None:
            yield item


def _bezier_points(shape: str, pts: list) -> tuple[str, list]:
    """pdfium lists a curve's two control points as segments of their own; pdfminer keeps
    only the end point of each `c`."""
    out_shape, out_pts, run = "", [], 0
    for op, pt in zip(shape, pts):
        if op == "c":
            run += 1
            if run % 3:
                continue  # a control point
            out_shape += "c"
        else:
            run = 0
            out_shape += op
        out_pts.append(pt)
    return out_shape, out_pts


def _classify(path: tuple[str, list], height: float) -> tuple[str, dict] | None:
    shape, pts = path
    if len(pts) < 2:
        return None
    if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:
        shape, pts = shape[:-2] + "h", pts[:-2] + pts[-1:]  # a redundant l before h
    if shape in ("ml", "mlh"):
        return "line", _box("line", pts[:2], height)
    if shape in ("mlllh", "mllll") and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) \
                or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            return "rect", _box("rect", [pts[0], pts[2]], height)
    return "curve", _box("curve", pts, height)


def _box(kind: str, pts: list[tuple[float, float]], height: float) -> dict:
    xs = [p[0] for p in pts]
    tops = [p[1] for p in pts]
    x0, x1, top, bottom = min(xs), max(xs), min(tops), max(tops)
    out = {"object_type": kind, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
           "width": x1 - x0, "height": bottom - top, "y0": height - bottom, "y1": height - top}
    if kind != "rect":
        out["pts"] = pts
    return out
