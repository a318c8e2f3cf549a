"""One page image to what the PDF extractor reads: chars and rulings in points.

Steps: greyscale; denoise (a 3x3 median takes out specks and JPEG grain);
deskew (the angle, within +-3 degrees, at which the rows of ink line up
best: the projection profile's variance is highest); rulings by morphology
(extract.ocr.table); text detected once on the page and every line
recognised (extract.ocr.engine); grid slots with ink and no text read once
more; figures and a few look-alike words repaired (normalize.ocr_repair).

Every recognised line becomes pseudo-characters spread over its box, each
with the line's confidence (`conf`), and the rulings become line objects, in
a `PdfiumPage`: extract.pdf then finds tables, cells, paragraphs and headings
exactly as it does for a born-digital page.
"""
from __future__ import annotations

import unicodedata

import cv2
import numpy as np

from extract.ocr import engine, table
from extract.pdf_pdfium import PdfiumPage
from normalize.ocr_repair import repair

MAX_SKEW = 3.0


class PageUnreadable(Exception):
    """OCR found no text on the page."""


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


def skew_angle(gray: np.ndarray) -> float:
    """Degrees to rotate by (counter-clockwise) so that text rows lie level."""
    h, w = gray.shape
    f = min(1.0, 800 / max(h, w))
    small = cv2.resize(gray, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else gray
    binary = table.binarize(small)
    center = (small.shape[1] / 2, small.shape[0] / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(center, angle, 1.0)
        rot = cv2.warpAffine(binary, m, (small.shape[1], small.shape[0]), flags=cv2.INTER_NEAREST)
        return float(np.var(rot.sum(axis=1, dtype=np.float64)))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=score)
    fine = max(np.arange(best - 0.5, best + 0.5 + 1e-9, 0.1), key=score)
    return round(float(fine), 2)


def deskew(gray: np.ndarray) -> tuple[np.ndarray, float]:
    angle = skew_angle(gray)
    if abs(angle) < 0.05:
        return gray, 0.0
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255), angle


def _char_weight(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


def _pseudo_chars(tb: engine.TextBox, scale: float) -> list[dict]:
    """The line's characters spread over its box (points), each with the line's confidence."""
    x0, top, x1, bottom = (v * scale for v in tb.box)
    text = tb.text
    weights = [_char_weight(ch) for ch in text]
    total = sum(weights) or 1.0
    height = bottom - top
    size = max(1.0, min(height * 0.8, (x1 - x0) / total))  # the det box is padded around the glyphs
    mid = (top + bottom) / 2
    c_top, c_bottom = mid - size / 2, mid + size / 2
    out = []
    x = x0
    step = (x1 - x0) / total
    for ch, wt in zip(text, weights):
        nx = x + wt * step
        if not ch.isspace():
            out.append({"object_type": "char", "text": ch, "x0": x, "x1": nx, "top": c_top,
                        "bottom": c_bottom, "doctop": c_top, "width": nx - x, "height": size,
                        "size": size, "upright": True, "conf": tb.confidence})
        x = nx
    return out


def ocr_page(image: np.ndarray, dpi: float) -> tuple[PdfiumPage, dict]:
    """A page image (greyscale or BGR) as a PdfiumPage with `conf` on every char; and stats."""
    gray = to_gray(image)
    gray = cv2.medianBlur(gray, 3)
    gray, angle = deskew(gray)
    binary = table.binarize(gray)
    segments = table.find_rulings(table.ruling_ink(gray), dpi)
    boxes = engine.recognize(gray)
    slots = table.empty_inked_slots(binary, segments, [b.box for b in boxes], dpi)
    reread = 0
    if slots:
        h, w = gray.shape
        crops = [gray[max(0, t):min(h, b), max(0, l):min(w, r)] for l, t, r, b in slots]
        for (l, t, r, b), (text, conf) in zip(slots, engine.recognize_crops(crops)):
            if text.strip() and conf >= 0.3:
                boxes.append(engine.TextBox(text=text, box=(l, t, r, b), confidence=conf))
                reread += 1
    if not boxes:
        raise PageUnreadable("OCR found no text")
    scale = 72.0 / dpi
    height_pt, width_pt = gray.shape[0] * scale, gray.shape[1] * scale
    chars: list[dict] = []
    for tb in boxes:
        text = repair(tb.text)
        chars += _pseudo_chars(engine.TextBox(text, tb.box, tb.confidence), scale)
    objects = {"char": chars, "line": table.rulings_as_lines(segments, scale, height_pt),
               "rect": [], "curve": []}
    stats = {"angle": angle, "boxes": len(boxes), "rulings": len(segments), "reread": reread,
             "confidence": min((b.confidence for b in boxes), default=None)}
    return PdfiumPage(objects, width_pt, height_pt), stats
