"""Table rulings from a page image (OpenCV morphology), and the cells they make.

`find_rulings` opens the binarised page with a long thin kernel, once
horizontal and once vertical, so that only strokes much longer than any
character stroke survive: the table's ruling lines. Each surviving component
becomes one segment. `rulings_as_lines` gives them as pdfplumber line objects
in PDF points, so that the PDF extractor's own table finder builds the grid
from them (merged cells included: a missing ruling between two slots joins
them) and every recognised text box lands in the cell its centre lies in.

`split_at_rulings` cuts a detected line where a ruling crosses it; `cells_from_rulings`
and `unread_ink` find, cell by cell, ink that no recognised text covers:
those are cut out and read once more, recognition only. `lone_dashes` and
`lone_slashes` read a cell's only mark from its shape ("-", "/"), and `is_slash`
tells a "/" the recogniser read as "1" by the stroke's slant.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in pixels


@dataclass(frozen=True)
class Segment:
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return (self.x1 - self.x0) >= (self.bottom - self.top)


def binarize(gray: np.ndarray) -> np.ndarray:
    """Ink as 255 on 0 (Otsu), the way morphology wants it."""
    _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return out


def ruling_ink(gray: np.ndarray) -> np.ndarray:
    """Ink for ruling detection: a local threshold, so that hairlines faint after a scan count."""
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 15, 8)


def find_rulings(binary: np.ndarray, dpi: float, follow: bool = False) -> list[Segment]:
    """Horizontal and vertical ruling segments, in pixels (binary: ruling_ink).

    follow (a flattened photo, extract.ocr.flatten): a ruling that still drifts a little
    across its length is followed rather than lost. The ink is given a pixel of slack
    across the line (a thin ruling that steps by a pixel stays one run); a drifting
    component is followed piece by piece (`_line_of`) instead of being dropped as a
    filled block; and pieces of one ruling broken where it faded or stepped are joined
    (`_joined`) and cut back to their last crossing (`trimmed`) before rulings are
    told from text strokes.
    """
    h, w = binary.shape
    # an eighth of an inch, shorter than a one-line row's edge (a character's strokes
    # can be as long: `framed` tells them from rulings)
    min_len = max(8, int(dpi * 0.12))
    out: list[Segment] = []
    for kernel, horizontal in ((cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)), True),
                               (cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)), False)):
        # close small breaks (noise, JPEG) along the line first, then keep only long runs
        along = (5, 1) if horizontal else (1, 5)
        src = binary
        if follow:
            src = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 2) if horizontal else (2, 1)))
        closed = cv2.morphologyEx(src, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along))
        lines = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        found = []
        for k in range(1, n):
            seg = _line_of(labels, k, stats[k], horizontal, dpi, follow)
            if seg is not None:
                found.append(seg)
        out += _joined(found, dpi) if follow else found
    if follow:  # a ruling run on into a stroke beyond its last crossing is cut back first
        return trimmed(framed(trimmed(out, dpi), dpi, exact=0.04), dpi)
    return trimmed(framed(out, dpi), dpi)


def ruling_mask(binary: np.ndarray, dpi: float) -> np.ndarray:
    """The ink of the rulings themselves (runs at least 0.3 inch long either way, with a pixel
    of slack across them), widened by two pixels: on a flattened photo what is left of a
    bend lies outside the straight segment, and is ink of no cell's text."""
    out = np.zeros_like(binary)
    run = max(8, int(dpi * 0.3))
    for horizontal in (True, False):
        slack = cv2.dilate(binary, np.ones((2, 1) if horizontal else (1, 2), np.uint8))
        out |= cv2.morphologyEx(slack, cv2.MORPH_OPEN, np.ones((1, run) if horizontal else (run, 1), np.uint8))
    return cv2.dilate(out, np.ones((5, 5), np.uint8))


def _joined(segments: list[Segment], dpi: float) -> list[Segment]:
    """Pieces of one ruling joined into one segment: same direction, in line within 0.03
    inch, apart by at most 0.05 inch along it, each at least a fifth of an inch long (the
    strokes of characters in lines of text one above the other are shorter)."""
    if not segments:
        return segments
    horizontal = segments[0].horizontal
    across_tol, gap_tol, min_piece = dpi * 0.03, dpi * 0.05, dpi * 0.2

    def across(s):
        return (s.top + s.bottom) / 2 if horizontal else (s.x0 + s.x1) / 2

    def span(s):
        return (s.x0, s.x1) if horizontal else (s.top, s.bottom)

    short = [s for s in segments if span(s)[1] - span(s)[0] < min_piece]
    pending = sorted((s for s in segments if span(s)[1] - span(s)[0] >= min_piece), key=lambda s: span(s)[0])
    out: list[Segment] = []
    for s in pending:
        for i, o in enumerate(out):
            if abs(across(o) - across(s)) > across_tol:
                continue
            if span(s)[0] - span(o)[1] <= gap_tol and span(s)[1] > span(o)[1]:
                if horizontal:
                    out[i] = Segment(o.x0, min(o.top, s.top), s.x1, max(o.bottom, s.bottom))
                else:
                    out[i] = Segment(min(o.x0, s.x0), o.top, max(o.x1, s.x1), s.bottom)
                break
            if span(o)[0] <= span(s)[0] and span(s)[1] <= span(o)[1]:
                break  # inside one already
        else:
            out.append(s)
    return short + out


def _line_of(labels: np.ndarray, k: int, stat, horizontal: bool, dpi: float,
             follow: bool = False) -> Segment | None:
    """The ruling in one component: its band of rows (columns) densest in ink.

    A character stroke touching the ruling joins its component, so the
    component's box is no measure of the line: the band where the ink runs
    along most of the length is. A band thicker than 0.08 inch is a filled block;
    with `follow`, unless the component is a thin line that drifts: taken in pieces
    of a third of an inch, each piece's band is thin and each follows on from the
    last (`_drifting_band`), and the ruling is set at their middle.
    """
    x, y, bw, bh = (int(v) for v in stat[:4])
    mask = labels[y:y + bh, x:x + bw] == k
    if not horizontal:
        mask = mask.T
    counts = mask.sum(axis=1)
    band = np.nonzero(counts >= 0.5 * counts.max())[0]
    lo, hi = int(band.min()), int(band.max()) + 1
    if hi - lo > dpi * 0.08:
        drift = _drifting_band(mask, dpi) if follow else None
        if drift is None:
            return None
        lo, hi = drift
        cols = np.nonzero(mask.any(axis=0))[0]
    else:
        cols = np.nonzero(mask[lo:hi].any(axis=0))[0]
    a, b = int(cols.min()), int(cols.max()) + 1
    if horizontal:
        return Segment(float(x + a), float(y + lo), float(x + b), float(y + hi))
    return Segment(float(x + lo), float(y + a), float(x + hi), float(y + b))


def _drifting_band(mask: np.ndarray, dpi: float) -> tuple[int, int] | None:
    """A thin line that drifts across its length, followed in pieces: the band (rows) of its
    middle, as thick as its pieces are; None when a piece is thick or the pieces jump."""
    piece = max(4, int(dpi / 3))
    n = mask.shape[1]
    rows = np.arange(mask.shape[0])
    centres, thick = [], []
    for a in range(0, n, piece):
        part = mask[:, a:a + piece]
        if part.shape[1] < piece // 2:
            break
        counts = part.sum(axis=1)
        if counts.max() < 0.5 * part.shape[1]:
            continue  # a gap bridged by a stroke: no evidence here
        band = np.nonzero(counts >= 0.5 * counts.max())[0]
        if band.max() - band.min() + 1 > dpi * 0.04:
            return None
        centres.append(float((counts[band] * rows[band]).sum() / counts[band].sum()))
        thick.append(int(band.max() - band.min() + 1))
    if len(centres) < 3 or max(abs(b - a) for a, b in zip(centres, centres[1:])) > dpi * 0.03:
        return None
    mid = float(np.median(centres))
    half = max(1.0, float(np.median(thick)) / 2)
    return int(round(mid - half + 0.5)), int(round(mid + half + 0.5))


def _touches(end: tuple[float, float], others: list[Segment], tol: float) -> bool:
    """A point (x, y) lies on one of the segments, within tol."""
    x, y = end
    return any(s.x0 - tol <= x <= s.x1 + tol and s.top - tol <= y <= s.bottom + tol for s in others)


def _ends(s: Segment) -> tuple[list[tuple[float, float]], float]:
    if s.horizontal:
        mid = (s.top + s.bottom) / 2
        return [(s.x0, mid), (s.x1, mid)], s.x1 - s.x0
    mid = (s.x0 + s.x1) / 2
    return [(mid, s.top), (mid, s.bottom)], s.bottom - s.top


def framed(segments: list[Segment], dpi: float, exact: float = 0.02) -> list[Segment]:
    """The segments that are rulings, not runs of text strokes.

    In a line of blurred text at 150 dpi the horizontal strokes of a few
    neighbouring characters join into a run as long as a short ruling. A real
    ruling ends on rulings across it (both ends for a cell's edge, one end for
    a line broken by the scan), or is long on its own (a three-line table's
    rules). A segment as short as a character (the side of a one-line row) must
    run exactly from one such ruling to another: to within `exact` inch at both ends
    (a flattened photo's rulings may keep a pixel or two of bend: twice as much).
    """
    short = dpi * 0.25
    hs = [s for s in segments if s.horizontal and _ends(s)[1] >= short]
    vs = [s for s in segments if not s.horizontal and _ends(s)[1] >= short]
    tol = dpi * 0.05
    long_ones = []
    for s in hs + vs:
        ends, length = _ends(s)
        touching = sum(_touches(e, vs if s.horizontal else hs, tol) for e in ends)
        if touching == 2 or length >= 2.5 * dpi or (touching == 1 and length >= 1.5 * dpi):
            long_ones.append(s)
    out = list(long_ones)
    for s in segments:
        ends, length = _ends(s)
        if length < short:
            across = [r for r in long_ones if r.horizontal != s.horizontal]
            if all(_touches(e, across, dpi * exact) for e in ends):
                out.append(s)
    return out


def trimmed(segments: list[Segment], dpi: float) -> list[Segment]:
    """Each ruling cut back to the last ruling it crosses, when it overshoots it a little.

    Closing the breaks in a ruling also joins its end to a character stroke
    just beyond the line it ends on: a vertical edge of one row then reaches
    into the text of the next. Table lines end on a crossing line, so a
    stretch of less than a fifth of an inch past the last crossing is cut off.
    """
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    tol, reach = dpi * 0.04, dpi * 0.2
    out = []
    for s in segments:
        if s.horizontal:
            y = (s.top + s.bottom) / 2
            at = sorted((v.x0 + v.x1) / 2 for v in vs if v.top - tol <= y <= v.bottom + tol
                        and s.x0 - tol <= (v.x0 + v.x1) / 2 <= s.x1 + tol)
            lo, hi = s.x0, s.x1
        else:
            x = (s.x0 + s.x1) / 2
            at = sorted((h.top + h.bottom) / 2 for h in hs if h.x0 - tol <= x <= h.x1 + tol
                        and s.top - tol <= (h.top + h.bottom) / 2 <= s.bottom + tol)
            lo, hi = s.top, s.bottom
        if at:
            lo = at[0] if 0 < at[0] - lo < reach else lo
            hi = at[-1] if 0 < hi - at[-1] < reach else hi
        if hi - lo < dpi * 0.1:
            out.append(s)
        elif s.horizontal:
            out.append(Segment(lo, s.top, hi, s.bottom))
        else:
            out.append(Segment(s.x0, lo, s.x1, hi))
    return out


def rulings_as_lines(segments: list[Segment], scale: float, page_height: float) -> list[dict]:
    """pdfplumber line objects in points (scale: points per pixel), one per segment."""
    out = []
    for s in segments:
        if s.horizontal:
            y = (s.top + s.bottom) / 2 * scale
            x0, x1, top, bottom = s.x0 * scale, s.x1 * scale, y, y
        else:
            x = (s.x0 + s.x1) / 2 * scale
            x0, x1, top, bottom = x, x, s.top * scale, s.bottom * scale
        out.append({"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                    "doctop": top, "width": x1 - x0, "height": bottom - top,
                    "y0": page_height - bottom, "y1": page_height - top,
                    "pts": [(x0, top), (x1, bottom)], "stroking_color": (0,), "linewidth": 1})
    return out


def _positions(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def split_at_rulings(lines: list[Box], segments: list[Segment]) -> list[Box]:
    """Each detected line cut where a vertical ruling crosses it, so each piece is read in its cell.

    The detector sees text, not tables: two cells' words close to the line
    between them come out as one line ("10实有人数12"). A ruling counts when it
    runs over most of the line's height; the ruling's own ink is left out.
    """
    vs = [s for s in segments if not s.horizontal]
    out: list[Box] = []
    for x0, top, x1, bottom in lines:
        h = bottom - top
        cuts = sorted((s for s in vs
                       if x0 + 2 < (s.x0 + s.x1) / 2 < x1 - 2
                       and s.top <= top + 0.3 * h and s.bottom >= bottom - 0.3 * h),
                      key=lambda s: s.x0)
        if not cuts:
            out.append((x0, top, x1, bottom))
            continue
        left = x0
        for s in cuts:
            if s.x0 - 1 - left >= 0.2 * h:
                out.append((left, top, s.x0 - 1, bottom))
            left = s.x1 + 1
        if x1 - left >= 0.2 * h:
            out.append((left, top, x1, bottom))
    return out


def cells_from_rulings(segments: list[Segment], dpi: float) -> list[Box]:
    """The closed cells the rulings make, merged cells as one (pixels).

    A cell starts at a grid slot ruled above and on its left; it grows to the
    right while no vertical ruling divides it and down while no horizontal one
    does, and counts only if it is closed on all four sides.
    """
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return []
    tol = dpi * 0.04
    ys = _positions([(s.top + s.bottom) / 2 for s in hs], tol)
    xs = _positions([(s.x0 + s.x1) / 2 for s in vs], tol)
    taken: set[tuple[int, int]] = set()
    out: list[Box] = []
    for i in range(len(ys) - 1):
        for j in range(len(xs) - 1):
            if (i, j) in taken:
                continue
            cx, cy = (xs[j] + xs[j + 1]) / 2, (ys[i] + ys[i + 1]) / 2
            if not (_touches((cx, ys[i]), hs, tol) and _touches((xs[j], cy), vs, tol)):
                continue
            k = j + 1
            while k < len(xs) - 1 and not _touches((xs[k], cy), vs, tol):
                k += 1
            m = i + 1
            mx = (xs[j] + xs[k]) / 2
            while m < len(ys) - 1 and not _touches((mx, ys[m]), hs, tol):
                m += 1
            my = (ys[i] + ys[m]) / 2
            if not (_touches((xs[k], my), vs, tol) and _touches((mx, ys[m]), hs, tol)):
                continue
            taken.update((a, b) for a in range(i, m) for b in range(j, k))
            out.append((xs[j], ys[i], xs[k], ys[m]))
    return out


def unread_ink(ink: np.ndarray, cells: list[Box], boxes: list[Box], dpi: float) -> list[Box]:
    """Per cell, the box of the ink no text box covers: what detection missed (pixels).

    Inside each cell (its rulings left out) the ink under the text boxes is
    wiped; the marks left that are at least a millimetre long one way are
    boxed together, given a margin and returned, to be read.
    """
    pad = max(3, int(dpi * 0.03))
    min_extent, dash_len = dpi * 0.04, dpi * 0.025
    h, w = ink.shape
    out: list[Box] = []
    for x0, top, x1, bottom in cells:
        a, b, c, d = int(x0 + pad), int(top + pad), int(x1 - pad), int(bottom - pad)
        if c - a < dpi * 0.05 or d - b < dpi * 0.05:
            continue
        inner = ink[b:d, a:c].copy()
        for bx0, bt, bx1, bb in boxes:
            if bx0 < c and bx1 > a and bt < d and bb > b:
                inner[max(0, int(bt) - b - 1):max(0, int(bb) - b + 1),
                      max(0, int(bx0) - a - 1):max(0, int(bx1) - a + 1)] = 0
        n, _, stats, _ = cv2.connectedComponentsWithStats(inner, connectivity=8)
        # a mark is a millimetre long one way, or a dash ("-" for "none"): three times as
        # wide as high; a speck of dust is neither
        marks = [st for st in stats[1:] if st[4] >= 4 and (
            max(st[2], st[3]) >= min_extent or (st[2] >= dash_len and st[2] >= 3 * st[3]))]
        if not marks:
            continue
        left = min(m[0] for m in marks)
        top_ = min(m[1] for m in marks)
        right = max(m[0] + m[2] for m in marks)
        low = max(m[1] + m[3] for m in marks)
        out.append((max(0, a + int(left) - pad), max(0, b + int(top_) - pad),
                    min(w, a + int(right) + pad), min(h, b + int(low) + pad)))
    return out


def lone_dashes(ink: np.ndarray, dark: np.ndarray, cells: list[Box], boxes: list[Box], dpi: float,
                line_height: float) -> list[Box]:
    """Cells holding nothing but one short level stroke: the "-" tables print for "none".

    At 150 dpi such a hyphen is a few pixels, too little for the recogniser (it
    reads "·" or nothing). Its shape says what it is: one mark, at least 1.4
    times as wide as high, shorter than half a character (a "一" is a
    whole character wide) and thin. `ink` is binarised locally (ruling_ink), so
    that a faint hyphen is found whole; but the mark must hold ink as dark as the
    page's text (`dark`, binarize), or it is a smudge. Cells with any text box
    are not looked at.
    """
    pad = max(3, int(dpi * 0.03))
    speck = (dpi * 0.03) ** 2  # a mark of less ink than a dot 0.2 mm across is grain
    out: list[Box] = []
    for x0, top, x1, bottom in cells:
        if any(bx0 < x1 and bx1 > x0 and bt < bottom and bb > top for bx0, bt, bx1, bb in boxes):
            continue
        a, b, c, d = int(x0 + pad), int(top + pad), int(x1 - pad), int(bottom - pad)
        if c - a < 4 or d - b < 4:
            continue
        n, _, stats, _ = cv2.connectedComponentsWithStats(ink[b:d, a:c], connectivity=8)
        # local binarising keeps the paper's grain: small, roundish specks
        marks = [st for st in stats[1:] if st[4] >= speck or max(st[2], st[3]) >= dpi * 0.04]
        if len(marks) != 1:
            continue
        x, y, w, h = (int(v) for v in marks[0][:4])
        dark_px = int(np.count_nonzero(dark[b + y:b + y + h, a + x:a + x + w]))
        if w >= 1.4 * h and w <= 0.45 * line_height and h <= 0.25 * line_height and dark_px >= 3:
            out.append((a + x, b + y, a + x + w, b + y + h))
    return out


# --- a lone slash: "/" for "not applicable", which the recogniser reads as "1" -----------

ONE_LIKE = frozenset("1lI|丨/／")
SLASH_MIN_SLANT = 0.25  # run across per run down: a slash leans 20-30 degrees, a 1 stands upright


def stroke_slant(mask: np.ndarray) -> tuple[float, float]:
    """(slant, elongation) of the ink in a mask: how far the stroke runs right per pixel it
    runs up (second moments; a "/" about 0.4, an upright "1" 0 or less: its flag leans the
    other way), and the ratio of its long axis to its short one (a stroke: well above 3)."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 5:
        return 0.0, 0.0
    x, y = xs - xs.mean(), ys - ys.mean()
    mu20, mu02, mu11 = float((x * x).mean()), float((y * y).mean()), float((x * y).mean())
    if mu02 <= 0:
        return 0.0, 0.0
    spread = np.sqrt(max(0.0, ((mu20 - mu02) / 2) ** 2 + mu11 ** 2))
    major, minor = (mu20 + mu02) / 2 + spread, (mu20 + mu02) / 2 - spread
    return -mu11 / mu02, float(np.sqrt(major / max(minor, 1e-3)))


def _main_mark(ink: np.ndarray, speck: float) -> np.ndarray | None:
    """The one mark in a patch of ink (specks of grain left out), as a mask; None when none or several."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    marks = [k for k in range(1, n) if stats[k, 4] >= speck]
    if len(marks) != 1:
        return None
    return labels == marks[0]


def is_slash(ink: np.ndarray, dpi: float) -> bool:
    """The patch (binarised, ink 255) holds one mark and it is a slash: a thin stroke leaning right."""
    mark = _main_mark(ink, (dpi * 0.02) ** 2)  # a slash in 8-point type is a couple of dozen pixels
    if mark is None:
        return False
    ys, xs = np.nonzero(mark)
    h, w = ys.max() - ys.min() + 1, xs.max() - xs.min() + 1
    if h < dpi * 0.06 or w > 0.9 * h:
        return False
    slant, elongation = stroke_slant(mark)
    return slant >= SLASH_MIN_SLANT and elongation >= 3.0


def lone_slashes(ink: np.ndarray, cells: list[Box], boxes: list[Box], dpi: float,
                 line_height: float) -> list[Box]:
    """Cells holding nothing but a slash: the "/" forms print for "not applicable". Read on
    its own it is a "1" to the recogniser, or too weak a reading to keep; its shape says what
    it is (`is_slash`: one thin stroke about a line high, leaning right). Cells with any text
    box are not looked at."""
    pad = max(3, int(dpi * 0.03))
    out: list[Box] = []
    for x0, top, x1, bottom in cells:
        if any(bx0 < x1 and bx1 > x0 and bt < bottom and bb > top for bx0, bt, bx1, bb in boxes):
            continue
        a, b, c, d = int(x0 + pad), int(top + pad), int(x1 - pad), int(bottom - pad)
        if c - a < 4 or d - b < 4:
            continue
        patch = ink[b:d, a:c]
        if not patch.any() or not is_slash(patch, dpi):
            continue
        ys, xs = np.nonzero(patch)
        h = ys.max() - ys.min() + 1
        if 0.4 * line_height <= h <= 1.5 * line_height:
            out.append((a + int(xs.min()), b + int(ys.min()), a + int(xs.max()) + 1, b + int(ys.max()) + 1))
    return out
