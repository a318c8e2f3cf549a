"""One page image to what the PDF extractor reads: chars and rulings in points.

Steps: a photo's sheet found on its desk and flattened at the page's own
resolution (extract.ocr.flatten; an image with no outline, a scan, is left as it
is); greyscale; denoise (`prepare`: a median for finding, a light Gaussian for reading);
deskew (the angle, within +-3 degrees, at which the rows of ink line up
best: the projection profile's variance is highest); rulings by morphology
(extract.ocr.table); text lines detected once on the page (on a copy at
DETECT_DPI), each cut where a ruling crosses it and every piece read within
its cell (extract.ocr.engine); ink inside a cell that no read text covers is
read once more; a lone "/" that the recogniser read as "1" told by the glyph's
slant, and a cell holding only a slash or a hyphen read from the mark's shape;
figures and a few look-alike words repaired (normalize.ocr_repair).

Every recognised line becomes pseudo-characters spread over its box, each
with the line's confidence (`conf`), and the rulings become line objects, in
a `PdfiumPage`: extract.pdf then finds tables, cells, paragraphs and headings
exactly as it does for a born-digital page.
"""
from __future__ import annotations

import unicodedata

import cv2
import numpy as np

from extract.ocr import engine, flatten, table
from extract.pdf_pdfium import PdfiumPage
from normalize.ocr_repair import repair

MAX_SKEW = 3.0
# detection runs on a copy at about this resolution: enough to find 9-point text, and
# detection time grows with the area (reading is always done on the full image)
DETECT_DPI = 110
MIN_CONFIDENCE = 0.3
MISSED_MIN_CONFIDENCE = 0.5
DASH_CONFIDENCE = 0.5  # read from a shape, not by the recogniser
SLASH_CONFIDENCE = 0.5  # likewise


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


def rotate(gray: np.ndarray, angle: float) -> np.ndarray:
    if abs(angle) < 0.05:
        return gray
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=255)


def prepare(image: np.ndarray, smooth: bool = True) -> tuple[np.ndarray, np.ndarray, float]:
    """The page levelled twice: denoised for finding things, lightly smoothed for reading them.

    A 3x3 median takes out specks and JPEG grain, which detection, rulings and
    the skew estimate want gone, but at 150 dpi it also erodes the thin strokes
    that tell 缮 from 善, and a one-pixel ruling with them; the recogniser and the
    ruling finder use a copy only smoothed by a small Gaussian (`smooth`; a flattened
    photo has been smoothed by its own resampling and is read as it is).
    """
    gray = to_gray(image)
    found = cv2.medianBlur(gray, 3)
    angle = skew_angle(found)
    reading = cv2.GaussianBlur(gray, (3, 3), 0) if smooth else gray
    return rotate(found, angle), rotate(reading, angle), angle


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


def stacked_as_line(crop: np.ndarray, line_height: float, bent: bool = False) -> np.ndarray:
    """Characters stacked one above the other (a narrow header cell: 责/任/人) set side by side.

    The recogniser reads one horizontal line; a box at least two lines high and
    1.5 times as high as wide is cut at its blank rows into characters (pieces
    of one glyph joined while they fit a square character's height) and these
    are laid left to right on the crop's own paper. Anything else is returned as it is.
    `bent` (a flattened photo): a ruling caught in the box may lean by a pixel, so it
    is found as an unbroken run down 85 % of the box (with a pixel of slack either side;
    stacked characters have blank rows between them), and painted out of the characters
    (else each comes with a "|" of it).
    """
    h, w = crop.shape[:2]
    if h < 1.5 * w or h < 1.6 * line_height:
        return crop
    ink = table.binarize(crop)
    if bent:
        slack = cv2.dilate(ink, np.ones((1, 3), np.uint8))
        run = cv2.morphologyEx(slack, cv2.MORPH_OPEN, np.ones((max(3, int(0.85 * h)), 1), np.uint8))
        leaning = run.any(axis=0)
        if leaning.any():
            crop = crop.copy()
            wide = np.convolve(leaning.astype(np.uint8), np.ones(3, np.uint8), mode="same") > 0
            crop[:, wide] = np.uint8(np.percentile(crop, 90))
    ink = ink[:, ink.mean(axis=0) < 0.8 * 255]  # a ruling caught in the box inks every row
    rows = np.nonzero(ink.any(axis=1))[0]
    cols = np.nonzero(ink.any(axis=0))[0]
    if not len(rows):
        return crop
    ink_w = int(cols[-1] - cols[0] + 1)
    # runs of inked rows; pieces of one glyph (the strokes of 二, 合's roof) joined while
    # together they stay within a square character's height
    runs: list[list[int]] = []
    for y in rows:
        if runs and runs[-1][1] == y:
            runs[-1][1] = int(y) + 1
        else:
            runs.append([int(y), int(y) + 1])
    # a sliver at the box's edge is the neighbouring line's glyph, cut by the box
    runs = [r for r in runs if r[1] - r[0] >= 0.4 * ink_w or 0 < r[0] and r[1] < h] or runs
    joined = True
    while joined and len(runs) > 1:
        joined = False
        k = min(range(len(runs)), key=lambda i: runs[i][1] - runs[i][0])
        if runs[k][1] - runs[k][0] >= 0.7 * ink_w:
            break
        options = [j for j in (k - 1, k + 1) if 0 <= j < len(runs)]
        j = min(options, key=lambda j: max(runs[k][1], runs[j][1]) - min(runs[k][0], runs[j][0]))
        a, b = min(runs[k][0], runs[j][0]), max(runs[k][1], runs[j][1])
        if b - a <= 1.25 * ink_w:
            runs[min(j, k)] = [a, b]
            del runs[max(j, k)]
            joined = True
    if len(runs) < 2:
        return crop
    bands = [crop[a:b] for a, b in runs]
    height = max(b.shape[0] for b in bands)
    paper = np.percentile(crop, 90)
    gap = max(2, w // 4)
    line = np.full((height, sum(b.shape[1] for b in bands) + gap * (len(bands) + 1)), paper, dtype=crop.dtype)
    x = gap
    for b in bands:
        y = (height - b.shape[0]) // 2
        line[y:y + b.shape[0], x:x + b.shape[1]] = b
        x += b.shape[1] + gap
    return line


def _read_pieces(gray: np.ndarray, pieces: list[engine.Box], line_height: float,
                 bent: bool = False) -> list[engine.TextBox]:
    crops = [stacked_as_line(engine.crop(gray, b), line_height, bent) for b in pieces]
    out = []
    for box, (text, conf) in zip(pieces, engine.read(crops)):
        if text.strip() and conf >= MIN_CONFIDENCE:
            out.append(engine.TextBox(text=text, box=box, confidence=conf))
    return out


def _slash_or_one(tb: engine.TextBox, dark: np.ndarray, dpi: float) -> tuple[engine.TextBox, bool]:
    """A reading of one stroke ("1", "l", "I", "|", "/") made "/" when the glyph it was read
    from leans like a slash (the recogniser reads a lone "/" as "1"), with True; anything
    else as it was, with False."""
    text = tb.text.strip()
    if len(text) != 1 or text not in table.ONE_LIKE:
        return tb, False
    if table.is_slash(engine.crop(dark, tb.box), dpi):
        return engine.TextBox("/", tb.box, SLASH_CONFIDENCE), True
    return tb, False


def _missed_lines(gray: np.ndarray, regions: list[engine.Box], boxes: list[engine.Box],
                  line_height: float) -> list[engine.Box]:
    """The lines in each region of unread ink: the region itself when one line high,
    else detection run again on the region alone (the text already read painted out)."""
    out: list[engine.Box] = []
    for region in regions:
        x0, top, x1, bottom = region
        if bottom - top <= 1.6 * line_height:
            out.append(region)
            continue
        part = engine.crop(gray, region).copy()
        for bx0, bt, bx1, bb in boxes:
            part[max(0, int(bt - top)):max(0, int(bb - top)), max(0, int(bx0 - x0)):max(0, int(bx1 - x0))] = 255
        out += [(a + x0, b + top, c + x0, d + top) for a, b, c, d in engine.detect(part)]
    return out


def ocr_page(image: np.ndarray, dpi: float, find_sheet: bool = True) -> tuple[PdfiumPage, dict]:
    """A page image (greyscale or BGR) as a PdfiumPage with `conf` on every char; and stats.

    A photo of a sheet on a desk is flattened first (extract.ocr.flatten: the outline
    found, the perspective and the bend undone, the desk cropped, at the page's own
    resolution, which replaces `dpi`); an image with no outline (a scan) is read as it is.
    `stats["outline"]` is the outline's confidence, or None when none was found.
    """
    flat = flatten.flatten(image, dpi) if find_sheet else None
    if flat is not None:
        image, dpi = flat.image, flat.dpi
    gray, reading, angle = prepare(image, smooth=flat is None)
    # rulings from the smoothed copy: a median wipes out a one-pixel hairline
    local_ink = table.ruling_ink(reading)
    segments = table.find_rulings(local_ink, dpi, follow=flat is not None)
    lines = engine.detect(gray, scale=min(1.0, DETECT_DPI / dpi))
    pieces = table.split_at_rulings(lines, segments)
    line_height = float(np.median([b - t for _, t, _, b in lines])) if lines else dpi * 0.2
    boxes = _read_pieces(reading, pieces, line_height, bent=flat is not None)
    # ink in a cell that no text covers: a line detection missed ("一" alone in a merged cell)
    read_at = [b.box for b in boxes]
    cells = table.cells_from_rulings(segments, dpi)
    dark = table.binarize(gray)
    if flat is not None:  # what a residual bend leaves of a ruling beside its segment is no text
        rules = table.ruling_mask(local_ink, dpi)
        dark = cv2.bitwise_and(dark, cv2.bitwise_not(rules))
        local_ink = cv2.bitwise_and(local_ink, cv2.bitwise_not(rules))
    regions = table.unread_ink(dark, cells, read_at, dpi)
    missed = _read_pieces(reading, table.split_at_rulings(
        _missed_lines(gray, regions, read_at, line_height), segments), line_height, bent=flat is not None)
    # a lone "/" ("not applicable") is read as "1": its shape says which it is
    boxes = [_slash_or_one(tb, dark, dpi)[0] for tb in boxes]
    missed = [_slash_or_one(tb, dark, dpi) for tb in missed]
    # from the second look, a lone dot or a weak reading is no value: left out, not guessed
    # (a slash told by its shape is kept)
    missed = [b for b, slash in missed if slash or (
        b.confidence >= MISSED_MIN_CONFIDENCE
        and not all(unicodedata.category(ch).startswith("P") for ch in b.text.strip()))]
    boxes += missed
    # a cell with only a slash in it ("/": not applicable), told by the mark's shape
    boxes += [engine.TextBox("/", box, SLASH_CONFIDENCE) for box in
              table.lone_slashes(local_ink, cells, [b.box for b in boxes], dpi, line_height)]
    # a cell with only a hyphen in it, told by the mark's shape (too small to be read)
    boxes += [engine.TextBox("-", box, DASH_CONFIDENCE) for box in
              table.lone_dashes(local_ink, dark, cells, [b.box for b in boxes], dpi, line_height)]
    if not boxes:
        raise PageUnreadable("OCR found no text")
    scale = 72.0 / dpi
    height_pt, width_pt = gray.shape[0] * scale, gray.shape[1] * scale
    chars: list[dict] = []
    # on a flattened photo, no value is surer than the page's outline was
    ceiling = flat.outline.confidence if flat is not None else 1.0
    for tb in boxes:
        chars += _pseudo_chars(engine.TextBox(repair(tb.text), tb.box, min(tb.confidence, ceiling)), scale)
    objects = {"char": chars, "line": table.rulings_as_lines(segments, scale, height_pt),
               "rect": [], "curve": []}
    stats = {"angle": angle, "lines": len(lines), "pieces": len(pieces), "rulings": len(segments),
             "reread": len(missed), "confidence": min((b.confidence for b in boxes), default=None),
             "outline": None, "dpi": dpi}
    if flat is not None:
        stats.update(outline=flat.outline.confidence, corners=flat.outline.corners.round(1).tolist(),
                     bend_px=flat.bend_px, flatten_s=flat.seconds)
    return PdfiumPage(objects, width_pt, height_pt), stats
