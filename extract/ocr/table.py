"""Table rulings from a page image (OpenCV morphology), and the cells they make.

`find_rulings` opens the binarised page with a long thin kernel, once
horizontal and once vertical, so that only strokes much longer than any
character stroke survive: the table's ruling lines. Each surviving component
becomes one segment. `rulings_as_lines` gives them as pdfplumber line objects
in PDF points, so that the PDF extractor's own table finder builds the grid
from them (merged cells included: a missing ruling between two slots joins
them) and every recognised text box lands in the cell its centre lies in.

`empty_inked_slots` lists the grid slots that hold ink but no recognised text:
those are cut out and read once more, recognition only.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


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


def find_rulings(binary: np.ndarray, dpi: float) -> list[Segment]:
    """Horizontal and vertical ruling segments, in pixels (binary: ruling_ink)."""
    h, w = binary.shape
    min_len = max(20, int(dpi * 0.6))  # 0.6 inch: longer than any character stroke
    out: list[Segment] = []
    for kernel, horizontal in ((cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1)), True),
                               (cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_len)), False)):
        # close small breaks (noise, JPEG) along the line first, then keep only long runs
        along = (5, 1) if horizontal else (1, 5)
        closed = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, along))
        lines = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
        n, _, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
        for k in range(1, n):
            x, y, bw, bh = stats[k, :4]
            if horizontal and bh > dpi * 0.08 or not horizontal and bw > dpi * 0.08:
                continue  # a filled block, not a line
            out.append(Segment(float(x), float(y), float(x + bw), float(y + bh)))
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


def empty_inked_slots(binary: np.ndarray, segments: list[Segment],
                      boxes: list[tuple[float, float, float, float]], dpi: float) -> list[tuple[int, int, int, int]]:
    """Grid slots (x0, top, x1, bottom, px) with ink inside and no text box touching them."""
    hs = [s for s in segments if s.horizontal]
    vs = [s for s in segments if not s.horizontal]
    if len(hs) < 2 or len(vs) < 2:
        return []
    tol = dpi * 0.04
    ys = _positions([(s.top + s.bottom) / 2 for s in hs], tol)
    xs = _positions([(s.x0 + s.x1) / 2 for s in vs], tol)
    pad = max(3, int(dpi * 0.03))
    min_ink = (dpi * 0.04) ** 2  # a dot of about a millimetre
    out = []
    for top, bottom in zip(ys, ys[1:]):
        if bottom - top < dpi * 0.1:
            continue
        for x0, x1 in zip(xs, xs[1:]):
            if x1 - x0 < dpi * 0.1:
                continue
            cx = (x0 + x1) / 2
            if not any(abs((s.top + s.bottom) / 2 - top) <= tol and s.x0 - tol <= cx <= s.x1 + tol for s in hs):
                continue  # not under a ruling: the crossing of two different tables' lines
            a, b, c, d = int(x0 + pad), int(top + pad), int(x1 - pad), int(bottom - pad)
            if c <= a or d <= b:
                continue
            if any(bx0 < c and bx1 > a and bt < d and bb > b for bx0, bt, bx1, bb in boxes):
                continue
            inner = binary[b:d, a:c]
            inner = cv2.morphologyEx(inner, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # specks out
            if int(np.count_nonzero(inner)) < min_ink:
                continue
            # the ink's own box, a little wider, is what gets read
            ys_, xs_ = np.nonzero(inner)
            out.append((a + int(xs_.min()) - pad, b + int(ys_.min()) - pad,
                        a + int(xs_.max()) + pad, b + int(ys_.max()) + pad))
    return out
