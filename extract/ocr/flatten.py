"""Photos of a page: find the sheet, flatten it, take the desk away; before anything else reads it.

A phone photo of a printed form shows the sheet tilted in perspective, turned,
slightly curled, on a dark desk, under uneven light. Read as it is, the skew
estimate sees the desk, the rulings bend and drift out of the ruling finder's
band, and the resolution guessed from the file's width counts the desk too.
`flatten` puts the page back as a flat scan would give it:

1. `find_page`: the sheet's outline against its background, on a copy about
   640 px long. Light is multiplicative (shadow, a ramp across the desk), so
   the page is told from the desk by Otsu's threshold on the logarithm of the
   brightness, not the brightness; the largest bright component, its holes
   filled, is the sheet. Its four corners are the hull's extreme points along
   the diagonals of its minimum-area rectangle, refined: each side's contour
   points between 10 % and 90 % of the way (a rounded or dog-eared corner left
   out) get a robust quadratic fit, so that a curled edge is followed to its
   end, and each corner is where two adjacent sides' curves meet. No outline is found when the bright region reaches the
   image's border (a flatbed scan with white borders, a page cut by the frame),
   fills nearly all of it, or is small; then nothing is changed and the page is
   read the way it always was. The outline's confidence (0-1) is the lowest of:
   how much darker the background is than the page along the outline (a
   ratio, as the light), how well the outline's points lie on the fitted quad,
   how well the component's area matches the quad's, and whether the quad is
   shaped like a photographed sheet (corners within 90 +- 30 degrees, opposite
   sides alike). Below MIN_CONFIDENCE the outline is not used.
2. The perspective is undone onto the page's own size: a quad whose sides are
   in A4's ratio (within 12 %) is taken as A4 (210 x 297 mm, either way up),
   and the resolution then comes from the page, not from the file (whose width
   counts the desk, and whose dpi tag, if any, is the phone's guess): the output
   is at the photo's own density of page pixels (its mean side lengths over the
   sheet's size), at least MIN_DPI (the ruling finder and the recogniser are
   tuned on 150 dpi scans) and at most MAX_DPI. The desk is cropped away (and a
   band of EDGE_INCH along the sheet's edges set to paper: what the outline may have
   left of the desk would be a frame round the page to the ruling finder).
3. The light is levelled: the page divided by its paper's brightness (a
   closing that wipes out the print, smoothed), so that a shadow's text is as
   dark against its paper as the rest.
4. `bend_field`: what curl and a residual bend leave, measured on a copy
   flattened at ANALYSIS_DPI. Horizontal rulings and text lines (smeared into
   one band per line) are followed along their length, sample by sample;
   vertical rulings likewise. A smooth field (polynomials of x and y, up to
   the cube along a line and the square across; one free offset per followed
   line) is fitted to how far each line's samples stray from a straight line,
   robustly (samples far off are dropped, twice), and the photo is then
   resampled once, each pixel of the flat page taken from where the
   perspective and the bend put it: every followed line comes out straight,
   rulings that bowed are straight rulings, text lines are level, and the
   cells the straightened rulings make are the cells of the bent grid, with
   the text assigned to them as printed. What is left (a pixel or two) the
   ruling finder follows (extract.ocr.table.find_rulings(follow=True)).

The remaining steps (skew, rulings, cells, reading) are extract.ocr.pages's,
unchanged, on the flattened page: the skew is estimated on the page, not the desk.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np

FIND_SIDE = 640  # the outline is found on a copy this long
MIN_CONFIDENCE = 0.5
MIN_AREA, MAX_AREA = 0.2, 0.97  # the sheet's share of the photo
A4 = (210 / 25.4, 297 / 25.4)  # inches
A4_RATIO_TOLERANCE = 0.12
MIN_DPI, MAX_DPI = 150.0, 300.0
EDGE_INCH = 0.06  # the band along the sheet's edges set to paper after flattening
MAX_BEND_INCH = 0.25  # a fitted bend beyond this is not a bend but a failed fit: not applied


@dataclass
class Outline:
    """The sheet's corners in the photo's pixels (top-left, top-right, bottom-right, bottom-left)."""
    corners: np.ndarray
    confidence: float
    contrast: float = 0.0
    fit: float = 0.0


@dataclass
class Flat:
    image: np.ndarray  # the page, flattened, greyscale
    dpi: float
    outline: Outline
    size_inch: tuple[float, float]
    bend_px: float = 0.0  # the largest shift the de-warp made
    seconds: float = 0.0
    stats: dict = field(default_factory=dict)


def _order(pts: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]  # y down: increasing angle runs clockwise, TL TR BR BL
    k = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -k, axis=0)


@dataclass
class _Side:
    """One side of the sheet: a quadratic off the chord from `start` (unit `along`, normal
    `normal`), n(t) = c0 + c1 t + c2 t^2, t from 0 to `length`."""
    start: np.ndarray
    along: np.ndarray
    normal: np.ndarray
    coef: np.ndarray
    length: float

    def at(self, t: float) -> np.ndarray:
        c0, c1, c2 = self.coef
        return self.start + t * self.along + (c0 + c1 * t + c2 * t * t) * self.normal

    def slope(self, t: float) -> np.ndarray:
        _, c1, c2 = self.coef
        return self.along + (c1 + 2 * c2 * t) * self.normal


def _side_curve(p: np.ndarray, q: np.ndarray, points: np.ndarray) -> _Side | None:
    """The side from corner p to corner q through its contour points: a robust quadratic fit
    to the points between 10 % and 90 % of the way (a rounded or dog-eared corner left out);
    a straight line when the bend is not clear."""
    chord = q - p
    length = float(np.linalg.norm(chord))
    if length < 10 or len(points) < 10:
        return None
    along = chord / length
    normal = np.array([-along[1], along[0]])
    t = (points - p) @ along
    nn = (points - p) @ normal
    keep = (t >= 0.1 * length) & (t <= 0.9 * length)
    if keep.sum() < 8:
        return None
    t, nn = t[keep], nn[keep]
    basis = np.stack([np.ones_like(t), t, t * t], axis=1)
    w = np.ones_like(t)
    coef = np.zeros(3)
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(basis * w[:, None], nn * w, rcond=None)
        resid = np.abs(basis @ coef - nn)
        w = (resid <= max(1.0, 2.5 * float(np.median(resid)) + 0.5)).astype(float)
    if abs(coef[2]) * length * length / 4 > 0.05 * length:
        line, *_ = np.linalg.lstsq(basis[:, :2], nn, rcond=None)
        coef = np.array([line[0], line[1], 0.0])
    return _Side(p.astype(np.float64), along, normal, coef, length)


def _meet(a: _Side, b: _Side) -> np.ndarray | None:
    """Where side a (near its end) meets side b (near its start): Newton on a(s) = b(t)."""
    s, t = a.length, 0.0
    for _ in range(8):
        diff = a.at(s) - b.at(t)
        jac = np.stack([a.slope(s), -b.slope(t)], axis=1)
        if abs(np.linalg.det(jac)) < 1e-9:
            return None
        step = np.linalg.solve(jac, diff)
        s, t = s - step[0], t - step[1]
        if float(np.abs(step).max()) < 1e-3:
            break
    if not (0.7 * a.length <= s <= 1.3 * a.length and -0.3 * b.length <= t <= 0.3 * b.length):
        return None
    return (a.at(s) + b.at(t)) / 2


def _polygon_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def find_page(gray: np.ndarray) -> Outline | None:
    """The sheet's outline on a photo (greyscale), or None when there is no desk around it."""
    h, w = gray.shape[:2]
    f = min(1.0, FIND_SIDE / max(h, w))
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA) \
        if f < 1 else gray
    sh, sw = small.shape
    if min(sh, sw) < 32:
        return None
    blur = cv2.GaussianBlur(small, (5, 5), 0)
    logi = np.log1p(blur.astype(np.float32))
    scaled = cv2.normalize(logi, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    _, bright = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    k = max(3, int(round(min(sh, sw) * 0.02)) | 1)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    contours, _ = cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if not (MIN_AREA * sh * sw <= area <= MAX_AREA * sh * sw):
        return None
    pts = contour[:, 0, :].astype(np.float64)
    edge = 2
    on_border = ((pts[:, 0] <= edge) | (pts[:, 0] >= sw - 1 - edge) |
                 (pts[:, 1] <= edge) | (pts[:, 1] >= sh - 1 - edge))
    if on_border.mean() > 0.02:
        return None  # the bright region runs off the image: a scan, or a page cut by the frame
    hull = cv2.convexHull(contour)[:, 0, :].astype(np.float64)
    (_, _), (_, _), angle = cv2.minAreaRect(contour)
    a = math.radians(angle)
    u = np.array([math.cos(a), math.sin(a)])
    v = np.array([-math.sin(a), math.cos(a)])
    corners = []
    for d in (u + v, u - v, -u - v, -u + v):
        corners.append(hull[int(np.argmax(hull @ d))])
    corners = _order(np.array(corners))
    # refine: a curve (a quadratic off the chord, so that a curled edge is followed) through
    # each side's contour points, away from the corners; the corners where adjacent sides meet
    idx = [int(np.argmin(((pts - c) ** 2).sum(axis=1))) for c in corners]
    n = len(pts)
    sides = []
    for i in range(4):
        a_i, b_i = idx[i], idx[(i + 1) % 4]
        span = (b_i - a_i) % n
        # the contour may run either way round: take the shorter arc from corner to corner
        if span > n / 2:
            span = n - span
            seq = (a_i - np.arange(span + 1)) % n
        else:
            seq = (a_i + np.arange(span + 1)) % n
        side = _side_curve(corners[i], corners[(i + 1) % 4], pts[seq])
        if side is None:
            sides = []
            break
        sides.append(side)
    refined = corners
    if len(sides) == 4:
        cand = [_meet(sides[i - 1], sides[i]) for i in range(4)]
        if all(c is not None for c in cand):
            cand = np.array(cand)
            if np.all(np.abs(cand - corners).max(axis=1) < 0.08 * max(sh, sw)):
                refined = cand
    quad = refined.astype(np.float32)
    # confidence: contrast across the outline, fit of the outline, area, shape
    diag = math.hypot(sh, sw)
    dist = np.abs(np.array([cv2.pointPolygonTest(quad.reshape(-1, 1, 2), (float(x), float(y)), True)
                            for x, y in pts[:: max(1, n // 400)]]))
    fit = float(np.mean(dist <= 0.01 * diag))
    quad_area = _polygon_area(refined)
    area_match = max(0.0, 1.0 - 4.0 * abs(area - quad_area) / max(quad_area, 1.0))
    mask = np.zeros((sh, sw), np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 255)
    ring = max(3, int(0.02 * min(sh, sw)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * ring + 1, 2 * ring + 1))
    inner = cv2.subtract(mask, cv2.erode(mask, kernel))
    outer = cv2.subtract(cv2.dilate(mask, kernel), mask)
    inside = float(np.median(blur[inner > 0])) if inner.any() else 0.0
    outside = float(np.median(blur[outer > 0])) if outer.any() else 255.0
    contrast_ratio = (inside - outside) / max(inside, 1.0)
    contrast = float(np.clip((contrast_ratio - 0.15) / 0.3, 0.0, 1.0))
    shape = 1.0
    for i in range(4):
        p0, p1, p2 = refined[i - 1], refined[i], refined[(i + 1) % 4]
        e1, e2 = p0 - p1, p2 - p1
        cosang = float(np.dot(e1, e2) / max(np.linalg.norm(e1) * np.linalg.norm(e2), 1e-6))
        if abs(math.degrees(math.acos(np.clip(cosang, -1, 1))) - 90) > 30:
            shape = 0.0
    sides = [float(np.linalg.norm(refined[(i + 1) % 4] - refined[i])) for i in range(4)]
    if max(sides[0], sides[2]) > 1.35 * min(sides[0], sides[2]) or \
            max(sides[1], sides[3]) > 1.35 * min(sides[1], sides[3]):
        shape = 0.0
    confidence = round(min(contrast, fit, area_match, shape), 3)
    return Outline(corners=(refined / f).astype(np.float32), confidence=confidence,
                   contrast=round(contrast_ratio, 3), fit=round(fit, 3))


def page_size(corners: np.ndarray) -> tuple[tuple[float, float], float]:
    """The sheet's size in inches (A4 either way up when its sides say so, else A4's width
    across the shorter side) and the photo's density of page pixels over it."""
    tl, tr, br, bl = corners.astype(np.float64)
    w = (np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = (np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    ratio = h / max(w, 1.0)
    a4 = A4[1] / A4[0]
    if abs(ratio - a4) <= A4_RATIO_TOLERANCE * a4:
        size = A4
    elif abs(1 / max(ratio, 1e-6) - a4) <= A4_RATIO_TOLERANCE * a4:
        size = (A4[1], A4[0])
    elif w <= h:
        size = (A4[0], A4[0] * ratio)
    else:
        size = (A4[0] / ratio, A4[0])
    density = (w / size[0] + h / size[1]) / 2
    return size, density


def level_light(gray: np.ndarray, dpi: float) -> np.ndarray:
    """The page divided by its paper's brightness: shadow and uneven light taken out."""
    h, w = gray.shape
    f = min(1.0, 40.0 / dpi)  # the paper's brightness varies slowly: a 40 dpi copy is plenty
    small = cv2.resize(gray, (max(1, int(w * f)), max(1, int(h * f))), interpolation=cv2.INTER_AREA)
    k = max(3, int(round(0.12 * dpi * f)) | 1)  # wider than a stroke or a ruling: the print is closed away
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k)
    paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    out = gray.astype(np.float32) * (245.0 / np.maximum(paper, 16.0))
    return np.clip(out, 0, 255).astype(np.uint8)


# --- curl and residual bend ---------------------------------------------------------------

def _follow(mask: np.ndarray, horizontal: bool, min_len: float, step: int, max_thick: float):
    """Lines of a mask followed along their length: for each long component, (along, across)
    samples of its centre every `step` pixels where it is thin (a crossing ruling left out)."""
    m = mask if horizontal else mask.T
    n, labels, stats, _ = cv2.connectedComponentsWithStats(m, connectivity=8)
    out = []
    for k in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        if bw < min_len:
            continue
        sub = labels[y:y + bh, x:x + bw] == k
        cols = np.arange(0, bw, step)
        part = sub[:, cols]
        count = part.sum(axis=0)
        rows = np.arange(bh, dtype=np.float64)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = (part * rows).sum(axis=0) / count
        ok = (count > 0) & (count <= max_thick)
        if ok.sum() < 5:
            continue
        out.append((cols[ok] + x + 0.0, centre[ok] + y))
    return out


def _basis(u: np.ndarray, v: np.ndarray, along_powers, across_powers) -> np.ndarray:
    return np.stack([u ** p * v ** q for p in along_powers for q in across_powers], axis=1)


def _fit_field(curves, size_along: float, size_across: float, along_powers, across_powers,
               ridge: float):
    """A smooth field d(along, across) and a free offset per curve, so that along each curve
    across = offset + d, fitted by least squares, robustly (samples far off dropped, twice).
    The offsets are eliminated by centring each curve on its mean; returns the field's
    coefficients, or None when there is too little to fit."""
    if len(curves) < 2:
        return None
    along = np.concatenate([c[0] for c in curves])
    across = np.concatenate([c[1] for c in curves])
    which = np.concatenate([np.full(len(c[0]), i) for i, c in enumerate(curves)])
    u = 2 * along / size_along - 1
    v = 2 * across / size_across - 1
    basis = _basis(u, v, along_powers, across_powers)
    n_curves, n_terms = len(curves), basis.shape[1]
    keep = np.ones(len(along), bool)
    coef = None
    for _ in range(3):
        if keep.sum() < n_terms + n_curves + 5:
            return None
        wgt = keep.astype(np.float64)
        count = np.maximum(np.bincount(which, weights=wgt, minlength=n_curves), 1.0)
        mean_y = np.bincount(which, weights=wgt * across, minlength=n_curves) / count
        mean_b = np.stack([np.bincount(which, weights=wgt * basis[:, j], minlength=n_curves)
                           for j in range(n_terms)], axis=1) / count[:, None]
        b = (basis - mean_b[which]) * wgt[:, None]
        y = (across - mean_y[which]) * wgt
        # a little ridge: where nothing bends, no bend
        coef = np.linalg.solve(b.T @ b + ridge * keep.sum() * np.eye(n_terms), b.T @ y)
        offsets = mean_y - mean_b @ coef
        resid = np.abs(across - offsets[which] - basis @ coef)
        scale = max(1.0, 3.0 * 1.4826 * float(np.median(resid[keep])))
        keep = resid <= scale
    return coef


@dataclass
class Bend:
    """A page's residual bend: shift fields (in inches) as polynomial coefficients over the
    page's normalised coordinates (-1..1 each way); `dy` moves rows, `dx` columns."""
    coef_y: np.ndarray | None
    coef_x: np.ndarray | None
    stats: dict

    def maps(self, w: int, h: int, dpi: float, xs: np.ndarray | None = None,
             ys: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(dx, dy) in pixels over a w x h page at dpi (at the columns xs and rows ys, every
        pixel when not given): where each straightened pixel lies on the bent page, relative
        to itself."""
        xs = np.arange(w, dtype=np.float32) if xs is None else xs.astype(np.float32)
        ys = np.arange(h, dtype=np.float32) if ys is None else ys.astype(np.float32)
        ux, vy = 2 * xs / w - 1, 2 * ys / h - 1
        shape = (len(ys), len(xs))
        dy = _field(None if self.coef_y is None else self.coef_y * dpi, ux, vy, along_is_x=True, shape=shape)
        dx = _field(None if self.coef_x is None else self.coef_x * dpi, ux, vy, along_is_x=False, shape=shape)
        return dx, dy


def _text_lines(ink: np.ndarray, v_rules: np.ndarray, dpi: float, step: int):
    """Text lines followed along their length: the print without the vertical rulings (which
    would join cells' lines), smeared along the line into one band per line (a ruling alone
    is too thin a band to stay); (x, centre y) samples of each band a page-inch long or more."""
    long_v = cv2.morphologyEx(v_rules, cv2.MORPH_OPEN, np.ones((max(3, int(dpi * 0.4)), 1), np.uint8))
    text = cv2.subtract(ink, cv2.dilate(long_v, np.ones((3, 3), np.uint8)))
    band = cv2.morphologyEx(text, cv2.MORPH_CLOSE,
                            np.ones((max(2, int(dpi * 0.02)), max(5, int(dpi * 0.15))), np.uint8))
    band = cv2.morphologyEx(band, cv2.MORPH_OPEN, np.ones((max(3, int(dpi * 0.06)), 1), np.uint8))
    out = []
    n, labels, stats, _ = cv2.connectedComponentsWithStats(band, connectivity=8)
    for k in range(1, n):
        x, y, bw, bh = (int(v) for v in stats[k, :4])
        if bw < dpi * 1.0 or bh > dpi * 0.3:
            continue  # short, or two lines run together
        sub = labels[y:y + bh, x:x + bw] == k
        cols = np.arange(0, bw, step)
        part = sub[:, cols]
        has = part.any(axis=0)
        if has.sum() < 5:
            continue
        top = part.argmax(axis=0)
        bottom = bh - 1 - part[::-1].argmax(axis=0)
        out.append((cols[has] + x + 0.0, (top[has] + bottom[has]) / 2 + y))
    return out


def bend_field(gray: np.ndarray, dpi: float) -> Bend | None:
    """The bend left on a page after its perspective is undone (gray: the page, levelled, at a
    low resolution is enough): rulings and text lines followed, a smooth field fitted to how
    they stray from straight. None when no line could be followed or nothing is bent."""
    from extract.ocr import table

    h, w = gray.shape
    ink = table.ruling_ink(gray)
    step = max(3, int(dpi * 0.06))
    # rulings: long runs along the line, with a pixel of slack across it for the bend
    min_run = max(8, int(dpi * 0.15))
    thick_v = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (1, 3)))
    thick_h = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))
    h_rules = cv2.morphologyEx(cv2.morphologyEx(thick_v, cv2.MORPH_CLOSE, np.ones((1, 3), np.uint8)),
                               cv2.MORPH_OPEN, np.ones((1, min_run), np.uint8))
    v_rules = cv2.morphologyEx(cv2.morphologyEx(thick_h, cv2.MORPH_CLOSE, np.ones((3, 1), np.uint8)),
                               cv2.MORPH_OPEN, np.ones((min_run, 1), np.uint8))
    max_thick = max(6.0, dpi * 0.08)  # a ruling, a pixel of slack either side of it
    h_curves = _follow(h_rules, True, dpi * 1.0, step, max_thick)
    v_curves = _follow(v_rules, False, dpi * 1.0, step, max_thick)
    t_curves = _text_lines(ink, v_rules, dpi, step)
    ridge = 1e-3
    coef_y = _fit_field(h_curves + t_curves, w, h, POWERS_ALONG, POWERS_ACROSS, ridge)
    # vertical lines: x offsets as a function of y (their "along"), across = x
    coef_x = _fit_field(v_curves, h, w, POWERS_ALONG, POWERS_ACROSS, ridge) if len(v_curves) >= 3 else None
    if coef_y is None and coef_x is None:
        return None
    bend = Bend(None if coef_y is None else coef_y / dpi, None if coef_x is None else coef_x / dpi,
                {"h_lines": len(h_curves), "v_lines": len(v_curves), "text_lines": len(t_curves)})
    dx, dy = bend.maps(w, h, dpi)
    most = float(max(np.abs(dx).max(), np.abs(dy).max())) / dpi
    bend.stats["bend_inch"] = round(most, 4)
    if most < 0.004 or most > MAX_BEND_INCH:
        return None  # nothing to straighten, or not a bend but a failed fit
    return bend


POWERS_ALONG, POWERS_ACROSS = (1, 2, 3), (0, 1, 2)


def _field(coef, ux: np.ndarray, vy: np.ndarray, along_is_x: bool, shape) -> np.ndarray:
    """The fitted field over the page: sum over powers q of across^q times a polynomial along."""
    out = np.zeros(shape, np.float32)
    if coef is None:
        return out
    along, across = (ux, vy) if along_is_x else (vy, ux)
    c = np.asarray(coef).reshape(len(POWERS_ALONG), len(POWERS_ACROSS))
    for j, q in enumerate(POWERS_ACROSS):
        poly = sum(np.float32(c[i, j]) * along ** p for i, p in enumerate(POWERS_ALONG)).astype(np.float32)
        weight = (across ** q).astype(np.float32)
        out += weight[:, None] * poly[None, :] if along_is_x else poly[:, None] * weight[None, :]
    return out


GRID = 8  # the resampling map is computed every GRID pixels and interpolated between
ANALYSIS_DPI = 75.0  # the bend is measured on a copy at this resolution (rulings stay a pixel wide)


def _perspective_maps(hinv: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the page's points (xs, ys: float32 arrays) lie on the photo, through hinv
    (single precision, in place: a few milliseconds for a page)."""
    h = hinv.astype(np.float32)
    den = h[2, 0] * xs
    den += h[2, 1] * ys
    den += h[2, 2]
    np.reciprocal(den, out=den)
    mx = h[0, 0] * xs
    mx += h[0, 1] * ys
    mx += h[0, 2]
    mx *= den
    my = h[1, 0] * xs
    my += h[1, 1] * ys
    my += h[1, 2]
    my *= den
    return mx, my


def flatten(image: np.ndarray, dpi: float) -> Flat | None:
    """The page found on a photo, flattened at its own resolution; None when there is no outline
    (or one too uncertain to use): the page is then read as it is.

    The perspective is undone on a small copy first (ANALYSIS_DPI), the bend measured on
    it, and the photo then resampled once: every pixel of the flat page taken from where the
    perspective and the bend put it on the photo."""
    t0 = time.perf_counter()
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    outline = find_page(gray)
    if outline is None or outline.confidence < MIN_CONFIDENCE:
        return None
    size, density = page_size(outline.corners)
    out_dpi = float(min(MAX_DPI, max(MIN_DPI, density)))
    out_w, out_h = int(round(size[0] * out_dpi)), int(round(size[1] * out_dpi))
    corners = outline.corners.astype(np.float32)
    a_w, a_h = int(round(size[0] * ANALYSIS_DPI)), int(round(size[1] * ANALYSIS_DPI))
    f = min(1.0, ANALYSIS_DPI / density)  # area-averaged down first: a warp alone would alias hairlines
    photo_small = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 0.95 else gray
    f = photo_small.shape[1] / gray.shape[1]
    h_small = cv2.getPerspectiveTransform(
        corners * f, np.array([[0, 0], [a_w, 0], [a_w, a_h], [0, a_h]], np.float32))
    small = cv2.warpPerspective(photo_small, h_small, (a_w, a_h), flags=cv2.INTER_LINEAR,
                                borderMode=cv2.BORDER_REPLICATE)
    bend = bend_field(level_light(small, ANALYSIS_DPI), ANALYSIS_DPI)
    hmat = cv2.getPerspectiveTransform(corners, np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]],
                                                         np.float32))
    # the map is smooth (a perspective and a low-order bend): computed every GRID pixels, at
    # the centres a linear resize by GRID puts back exactly on the pixels, and resized up
    gw, gh = -(-out_w // GRID), -(-out_h // GRID)
    cx = (np.arange(gw, dtype=np.float32) + 0.5) * GRID - 0.5
    cy = (np.arange(gh, dtype=np.float32) + 0.5) * GRID - 0.5
    xs = np.broadcast_to(cx[None, :], (gh, gw)).copy()
    ys = np.broadcast_to(cy[:, None], (gh, gw)).copy()
    shift = 0.0
    if bend is not None:
        dx, dy = bend.maps(out_w, out_h, out_dpi, cx, cy)
        xs, ys = xs + dx, ys + dy
        shift = round(float(max(np.abs(dx).max(), np.abs(dy).max())), 1)
    mx, my = _perspective_maps(np.linalg.inv(hmat), xs, ys)
    mx = cv2.resize(mx, (gw * GRID, gh * GRID), interpolation=cv2.INTER_LINEAR)[:out_h, :out_w]
    my = cv2.resize(my, (gw * GRID, gh * GRID), interpolation=cv2.INTER_LINEAR)[:out_h, :out_w]
    page = cv2.remap(gray, mx, my, cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    page = level_light(page, out_dpi)
    # the outline is found to a pixel or two of the small copy: a sliver of desk may be left
    # along the edges, which the ruling finder would take for a frame round the page; the
    # printed matter is well inside the sheet's margins, so the edges are set to paper
    edge = max(3, int(round(EDGE_INCH * out_dpi)))
    page[:edge], page[-edge:], page[:, :edge], page[:, -edge:] = 245, 245, 245, 245
    return Flat(image=page, dpi=out_dpi, outline=outline, size_inch=size, bend_px=shift,
                seconds=round(time.perf_counter() - t0, 3), stats=bend.stats if bend else {})
