"""Build the photo sample set: pages of the text PDFs photographed with a phone on a desk.

The four pages of samples/formats/pdf/002_7fa6d94f5c65e222.pdf that hold the
target table (its fifth page holds only the page number) are each turned into a
phone-like photo and the photos put into one PDF, one JPEG a page, the way a
phone's "scan to PDF" or a chat's "save as PDF" hands them on:

- the page rendered with pypdfium2 (about 1.3 times the photo's pixels, then
  warped down: the camera's own sampling);
- curl: the sheet bends a little, a smooth displacement of up to about 1.2 % of
  the page's height across it (rulings and text lines bow) and a smaller one
  along it, the page's edges bending with it;
- perspective: the camera tilted 2-8 degrees off the page's normal (a real
  pinhole projection of the tilted plane) and turned up to +-3.5 degrees;
- a dark desk around the sheet (wood-like grain), uneven light across the page
  and a soft shadow over part of it, a warm tint, sensor noise, a slight blur;
- JPEG (quality 85), 1500-1600 px on the long side, the page 84-90 % of it: 110-125
  pixels to the inch of paper.

Deterministic: every page has a fixed seed (the file name and page number) and the
PDF fixed dates, so running it again gives the same bytes. The gold is samples/formats/gold/pdf's
with source.file the photo PDF's name and source.format 'pdf-scanned' (what the
extractor reports for a PDF of page images), written next to the photos
(samples/photos/gold/); what each photo was made with (the sheet's corners in
the JPEG's pixels, tilt, turn, curl) goes to samples/photos/photos.manifest.
`.venv/bin/python samples/build_photos.py`
"""
from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

HERE = Path(__file__).resolve().parent
SRC = HERE / "formats" / "pdf"
GOLD_SRC = HERE / "formats" / "gold" / "pdf"
OUT = HERE / "photos"
GOLD_OUT = OUT / "gold"
# (source PDF, pages photographed): the target table, 80 indicators over four pages
PHOTOGRAPHED = [("002_7fa6d94f5c65e222.pdf", [1, 2, 3, 4])]
JPEG_QUALITY = 85  # a phone's own JPEG is 90-95; a chat app's copy of it less
PDF_RESOLUTION = 144  # what a phone app writes into the PDF; the extractor must not trust it


def _camera(w: float, h: float, rng: random.Random) -> tuple[np.ndarray, dict]:
    """The page's corners (w x h) seen by a pinhole camera tilted 2-8 degrees, turned by up
    to 3.5 degrees: four image points (unscaled) and the parameters."""
    tilt = math.radians(rng.uniform(2.0, 8.0))
    direction = rng.uniform(0, 2 * math.pi)
    ax, ay = tilt * math.cos(direction), tilt * math.sin(direction)
    roll = math.radians(rng.uniform(-3.5, 3.5))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(roll), -math.sin(roll), 0], [math.sin(roll), math.cos(roll), 0], [0, 0, 1]])
    rot = rz @ ry @ rx
    f = 0.95 * max(w, h)  # a phone's wide lens with the page filling most of the frame
    corners = np.array([[-w / 2, -h / 2, 0], [w / 2, -h / 2, 0], [w / 2, h / 2, 0], [-w / 2, h / 2, 0]])
    cam = corners @ rot.T + np.array([0, 0, f])
    pts = f * cam[:, :2] / cam[:, 2:3]
    return pts.astype(np.float32), {"tilt": round(math.degrees(tilt), 2),
                                    "roll": round(math.degrees(roll), 2)}


def _curl_maps(w: int, h: int, rng: random.Random):
    """remap() maps bending the page (where each pixel of the curled page comes from), the
    forward field (where a point of the flat page goes: d(x, y) -> (dx, dy)) and the parameters."""
    amp_y = rng.choice([-1, 1]) * rng.uniform(0.006, 0.012) * h  # rulings bow up or down
    amp_x = rng.choice([-1, 1]) * rng.uniform(0.003, 0.006) * w  # verticals bow less
    cx = rng.uniform(0.35, 0.65) * w
    cy = rng.uniform(0.35, 0.65) * h
    lift = rng.uniform(0.3, 0.7)  # how much more one end of the page is bent than the other
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)

    def field(x, y):
        u = (x - cx) / (w / 2)
        v = (y - cy) / (h / 2)
        dy = amp_y * (u * u - 0.3) * (1 - lift + lift * (y / h))
        dx = amp_x * (v * v - 0.3) * (1 - lift + lift * (x / w))
        return dx, dy

    # forward: page point p goes to p + d(p); inverse by fixed point iteration
    sx, sy = xs.copy(), ys.copy()
    for _ in range(3):
        dx, dy = field(sx, sy)
        sx, sy = xs - dx, ys - dy
    return sx, sy, field, {"curl_px": round(abs(amp_y), 1)}


def _desk(h: int, w: int, nrng: np.random.Generator) -> np.ndarray:
    """A dark wooden desk, BGR float."""
    base = np.array([nrng.uniform(30, 45), nrng.uniform(45, 60), nrng.uniform(60, 80)])  # brown-ish
    grain = cv2.resize(nrng.normal(0, 1, (max(2, h // 40), max(2, w // 3))).astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    fine = nrng.normal(0, 1, (h, w)).astype(np.float32)
    tex = 12 * grain + 4 * fine
    return np.clip(base[None, None, :] + tex[:, :, None], 0, 255)


def _light(h: int, w: int, rng: random.Random, nrng: np.random.Generator) -> np.ndarray:
    """Uneven light and a soft shadow (a hand or the phone), as a factor per pixel."""
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    a = rng.uniform(0, 2 * math.pi)
    ramp = (xs * math.cos(a) + ys * math.sin(a))
    ramp = (ramp - ramp.min()) / max(1.0, float(ramp.max() - ramp.min()))
    light = 1.0 - rng.uniform(0.1, 0.22) * ramp
    # vignetting
    r2 = ((xs - w / 2) / (w / 2)) ** 2 + ((ys - h / 2) / (h / 2)) ** 2
    light *= 1.0 - 0.08 * r2
    # a shadow over part of the page from one side, soft-edged
    mask = np.zeros((h, w), np.float32)
    side = rng.randrange(4)
    depth = rng.uniform(0.18, 0.32)
    pts = []
    for k in range(5):
        t = k / 4
        d = depth * rng.uniform(0.7, 1.2)
        if side == 0:
            pts.append((t * w, d * h))
        elif side == 1:
            pts.append(((1 - d) * w, t * h))
        elif side == 2:
            pts.append((t * w, (1 - d) * h))
        else:
            pts.append((d * w, t * h))
    corners = {0: [(w, 0), (0, 0)], 1: [(w, h), (w, 0)], 2: [(w, h), (0, h)], 3: [(0, h), (0, 0)]}[side]
    poly = np.array(pts + corners, np.int32)
    cv2.fillPoly(mask, [poly], 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(25, 50))
    light *= 1.0 - rng.uniform(0.2, 0.32) * mask
    return light


def photograph(page: pdfium.PdfPage, rng: random.Random) -> tuple[Image.Image, dict]:
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    long_side = rng.randrange(1500, 1601)
    out_w, out_h = int(round(long_side * 3 / 4)), long_side
    fill = rng.uniform(0.84, 0.9)  # the page's share of the photo's height
    page_h_px = fill * out_h
    render_dpi = 1.3 * page_h_px / (page.get_height() / 72)
    img = page.render(scale=render_dpi / 72, grayscale=True).to_pil().convert("L")
    paper = np.asarray(img).astype(np.float32)
    ph, pw = paper.shape
    # curl, on the page with a margin so that its edges bend too (alpha follows)
    pad = int(0.03 * ph)
    big = np.full((ph + 2 * pad, pw + 2 * pad), 0, np.float32)
    alpha = np.zeros_like(big)
    big[pad:pad + ph, pad:pad + pw] = paper
    alpha[pad:pad + ph, pad:pad + pw] = 1.0
    mx, my, bend, curl = _curl_maps(big.shape[1], big.shape[0], rng)
    big = cv2.remap(big, mx, my, cv2.INTER_LINEAR, borderValue=0)
    alpha = cv2.remap(alpha, mx, my, cv2.INTER_LINEAR, borderValue=0)
    # perspective: the page's corners through the camera, fitted into the frame off-centre
    src = np.array([[pad, pad], [pad + pw, pad], [pad + pw, pad + ph], [pad, pad + ph]], np.float32)
    seen, cam = _camera(pw, ph, rng)
    seen -= seen.min(axis=0)
    k = page_h_px / float(seen[:, 1].max())
    seen *= k
    room = np.array([out_w, out_h], np.float32) - seen.max(axis=0)
    seen += room * np.array([rng.uniform(0.3, 0.7), rng.uniform(0.3, 0.7)], np.float32)
    hmat = cv2.getPerspectiveTransform(src, seen)
    # the camera's sampling: smooth by the scale before warping down
    big = cv2.GaussianBlur(big, (0, 0), 0.5 / k ** 0.5)
    page_img = cv2.warpPerspective(big, hmat, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)
    page_alpha = cv2.warpPerspective(alpha, hmat, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=0)
    # paper slightly warm, desk dark, light uneven
    tint = np.array([rng.uniform(0.86, 0.92), rng.uniform(0.93, 0.97), 1.0], np.float32)
    paper_bgr = page_img[:, :, None] * tint[None, None, :]
    desk = _desk(out_h, out_w, nrng)
    a = page_alpha[:, :, None]
    scene = a * paper_bgr + (1 - a) * desk
    # a faint shadow of the sheet on the desk along its edges
    scene *= _light(out_h, out_w, rng, nrng)[:, :, None]
    scene = cv2.GaussianBlur(scene, (0, 0), rng.uniform(0.35, 0.6))  # focus and shake: slight
    scene += nrng.normal(0, 3.0, scene.shape)
    rgb = np.clip(scene[:, :, ::-1], 0, 255).astype(np.uint8)
    dx, dy = bend(src[:, 0], src[:, 1])  # the corners move with the curl, then the camera
    corners = cv2.perspectiveTransform((src + np.stack([dx, dy], axis=1)).astype(np.float32)[None], hmat)[0]
    info = {"size": [out_w, out_h], "corners": [[round(float(x), 1), round(float(y), 1)] for x, y in corners],
            **cam, **curl}
    return Image.fromarray(rgb, "RGB"), info


def build_one(name: str, pages: list[int]) -> tuple[Path, list[dict]]:
    doc = pdfium.PdfDocument(str(SRC / name))
    photos, infos = [], []
    try:
        for number in pages:
            rng = random.Random(f"{name}#{number}")
            photo, info = photograph(doc[number - 1], rng)
            photos.append(photo)
            infos.append({"page": number, **info})
    finally:
        doc.close()
    out = OUT / name
    fixed = time.strptime("2024-01-01", "%Y-%m-%d")  # the same bytes on every run
    photos[0].save(out, "PDF", resolution=PDF_RESOLUTION, save_all=True, append_images=photos[1:],
                   quality=JPEG_QUALITY, creationDate=fixed, modDate=fixed)
    return out, infos


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    GOLD_OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, list[dict]] = {}
    for name, pages in PHOTOGRAPHED:
        out, infos = build_one(name, pages)
        stem = Path(name).stem
        gold = json.loads((GOLD_SRC / (stem + ".json")).read_text(encoding="utf-8"))
        for rec in gold["documents"]:
            source = rec.get("source") if isinstance(rec, dict) else None
            if isinstance(source, dict):
                source["file"] = out.name
                source["format"] = "pdf-scanned"
        (GOLD_OUT / (stem + ".json")).write_text(
            json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        manifest[out.name] = infos
        for info in infos:
            print(f"{out.name} p{info['page']}: {info['size'][0]}x{info['size'][1]} px, tilt {info['tilt']}°, "
                  f"turned {info['roll']}°, curl {info['curl_px']} px")
        print(out, out.stat().st_size)
    # what each photo was made with (the sheet's corners in the JPEG's pixels, the camera's tilt
    # and turn, the curl): for tests and benchmarks; not a document, so never ingested
    (OUT / "photos.manifest").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
