"""Images (PNG, JPEG, TIFF) as documents: every frame is a page read by OCR.

A TIFF may hold several pages; PNG and JPEG are one page each. The resolution
is the file's own (its dpi tag) when it says one within 100-600 dpi, else it is
taken from the width as if the page were A4 (210 mm wide). A page OCR cannot
read gives a warning and the others are kept.
"""
from __future__ import annotations

from io import BytesIO

from extract.errors import InputError, UnsupportedFormat
from extract.ir import ExtractedFile

A4_WIDTH_INCH = 210 / 25.4
MAX_PIXELS = 80_000_000


def _dpi(img) -> float:
    info = img.info.get("dpi")
    try:
        d = float(info[0]) if info else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    if 100 <= d <= 600:
        return d
    return max(72.0, min(600.0, img.width / A4_WIDTH_INCH))


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "image") -> ExtractedFile:
    import numpy as np
    from PIL import Image, ImageSequence, UnidentifiedImageError

    from extract import pdf
    from extract.ocr import engine

    if not engine.available():
        raise UnsupportedFormat(f"an image: {engine.INSTALL_HINT}")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        img = Image.open(BytesIO(data))
        frames = [f.copy() for f in ImageSequence.Iterator(img)]
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise InputError(f"unreadable image: {exc}") from exc
    pages = []
    for number, frame in enumerate(frames, start=1):
        dpi = _dpi(frame if frame.info.get("dpi") else img)
        gray = np.asarray(frame.convert("L"))
        pages.append(pdf.ocr_page_image(gray, dpi, number))
    warnings = [f"page {p.number}: {p.problem}" for p in pages if p.problem]
    blocks = pdf.blocks_from_ocr_pages(pages, name)
    if not blocks:
        raise InputError(warnings[0].split(": ", 1)[1] if warnings else "OCR found no text in the image")
    return ExtractedFile(path=path, name=name, sha256=sha256, format="image", blocks=blocks,
                         warnings=warnings)
