"""Build the scanned sample set: the text PDFs of samples/formats/pdf as image-only PDFs.

Every page is rendered with pypdfium2 at 150 dpi (greyscale), turned by a small
angle (-1.2 to +1.2 degrees, as a sheet lies on a scanner glass), given sensor
noise and a few specks, a slight blur, JPEG-compressed and written one image a page with PIL,
so that the PDF has no text layer at all. The gold is samples/formats/gold/pdf
with source.file renamed and source.format 'pdf-scanned'.

Deterministic (a fixed seed per file): run it again and the images are the
same. `.venv/bin/python samples/build_scanned.py`
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter

HERE = Path(__file__).resolve().parent
SRC = HERE / "formats" / "pdf"
OUT = HERE / "formats" / "pdf-scanned"
GOLD_SRC = HERE / "formats" / "gold" / "pdf"
GOLD_OUT = HERE / "formats" / "gold" / "pdf-scanned"
DPI = 150
JPEG_QUALITY = 30


def scan_page(page: pdfium.PdfPage, rng: random.Random) -> Image.Image:
    img = page.render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
    angle = rng.uniform(-1.2, 1.2)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    arr = np.asarray(img).astype(np.int16)
    nrng = np.random.default_rng(rng.randrange(1 << 30))
    arr = arr + nrng.normal(0, 8, arr.shape).astype(np.int16)
    # salt-and-pepper specks, as dust on the glass
    specks = nrng.random(arr.shape) < 0.0008
    arr[specks] = nrng.integers(0, 120, int(specks.sum()))
    noisy = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "L")
    return noisy.filter(ImageFilter.GaussianBlur(0.6))  # the optics: noise and edges soften


def build_one(src: Path) -> Path:
    rng = random.Random(src.name)
    doc = pdfium.PdfDocument(str(src))
    try:
        images = [scan_page(doc[k], rng) for k in range(len(doc))]
    finally:
        doc.close()
    out = OUT / src.name
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:],
                   quality=JPEG_QUALITY)
    return out


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    GOLD_OUT.mkdir(parents=True, exist_ok=True)
    for src in sorted(SRC.glob("*.pdf")):
        out = build_one(src)
        gold = json.loads((GOLD_SRC / (src.stem + ".json")).read_text(encoding="utf-8"))
        for rec in gold["documents"]:
            source = rec.get("source") if isinstance(rec, dict) else None
            if isinstance(source, dict):
                source["file"] = out.name
                source["format"] = "pdf-scanned"
        (GOLD_OUT / (src.stem + ".json")).write_text(
            json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(out, out.stat().st_size)


if __name__ == "__main__":
    main()
