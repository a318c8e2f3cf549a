"""Images (PNG, JPEG, TIFF) as documents: every frame is a page read by OCR.

A TIFF may hold several pages; PNG and JPEG are one page each. A phone's photo
is turned upright by its EXIF orientation first. The resolution is the file's
own (its dpi tag) when it says one within 100-600 dpi, else it is taken from the
width as if the page were A4 (210 mm wide); a photo of a sheet on a desk has its
page found, flattened and cropped by OCR (extract.ocr.flatten), and its
resolution then comes from the page's own size, not from the file's width,
which counts the desk too. A page OCR cannot read gives a warning and the
others are kept.

Memory per page is bounded: frames are read one at a time (at most
JIXIAO_MAX_PAGES of them, as for PDFs), a page over JIXIAO_MAX_PAGE_MEGAPIXELS
(20) is scaled down before OCR, and a blank page (no ink) is not sent to OCR.
"""
from __future__ import annotations

import warnings

from io import BytesIO

from extract.errors import InputError, UnsupportedFormat
from extract.ir import ExtractedFile

A4_WIDTH_INCH = 210 / 25.4
MAX_PIXELS = 80_000_000


# EXIF orientation -> the PIL transposition that turns the image upright
_UPRIGHT = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
            6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}


def _orientation(img) -> int:
    """The frame's EXIF orientation (1: upright, as a phone that held itself level writes)."""
    try:
        value = int(img.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001 - a broken EXIF block is no reason to lose the page
        return 1
    return value if value in _UPRIGHT else 1


def _upright(gray, orientation: int):
    from PIL import Image

    name = _UPRIGHT.get(orientation)
    return gray.transpose(getattr(Image.Transpose, name)) if name else gray


def _dpi(img, width: int | None = None) -> float:
    """The frame's resolution: its dpi tag, else its (upright) width taken as A4's."""
    info = img.info.get("dpi")
    try:
        d = float(info[0]) if info else 0.0
    except (TypeError, ValueError, IndexError):
        d = 0.0
    if 100 <= d <= 600:
        return d
    return max(72.0, min(600.0, (width or img.width) / A4_WIDTH_INCH))


def _page_gray(frame, max_pixels: int):
    """The frame in greyscale, scaled down to at most `max_pixels` before OCR
    sees it (a JPEG is decoded at the reduced scale, never at full size);
    and the factor it was scaled by."""
    from PIL import Image

    w, h = frame.size
    if w * h <= max_pixels:
        return frame.convert("L"), 1.0
    f = (max_pixels / (w * h)) ** 0.5
    size = (max(1, int(w * f)), max(1, int(h * f)))
    if frame.format == "JPEG":
        frame.draft("L", size)  # DCT scaling: 1/2, 1/4 or 1/8, at least `size`
    gray = frame.convert("L")
    if gray.size != size:
        gray = gray.resize(size, Image.Resampling.BOX)  # area average: strokes stay, no aliasing
    return gray, size[0] / w


def extract(data: bytes, name: str, path: str, sha256: str, fmt: str = "image") -> ExtractedFile:
    import numpy as np
    from PIL import Image, UnidentifiedImageError

    from extract import pdf
    from extract.limits import LIMITS
    from extract.ocr import engine
    from extract.progress import page_done

    if not engine.available():
        raise UnsupportedFormat(f"an image: {engine.INSTALL_HINT}")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    # PIL warns between MAX_PIXELS and twice that; such a page is accepted and scaled down
    # (JIXIAO_MAX_PAGE_MEGAPIXELS), so the warning would only be noise on a nightly run's stderr
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
    unreadable = (UnidentifiedImageError, OSError, Image.DecompressionBombError, EOFError,
                  ValueError)
    try:
        img = Image.open(BytesIO(data))
        count = getattr(img, "n_frames", 1)
    except unreadable as exc:
        raise InputError(f"unreadable image: {exc}") from exc
    if count > LIMITS.max_pages:
        raise InputError(f"image too long ({count} pages; the limit is {LIMITS.max_pages}, "
                         "JIXIAO_MAX_PAGES)")
    # One frame at a time: a 500-page TIFF never has two pages in memory.
    pages = []
    for number in range(1, count + 1):
        try:
            img.seek(number - 1)
            orientation = _orientation(img)
            turned = orientation in (5, 6, 7, 8)
            dpi = _dpi(img, img.height if turned else img.width)
            gray, factor = _page_gray(img, LIMITS.max_page_pixels)
            gray = _upright(gray, orientation)
        except unreadable as exc:
            if number == 1:
                raise InputError(f"unreadable image: {exc}") from exc
            pages.append(pdf._Page(number=number, width=0.0, height=0.0, ocr=True,
                                   problem=f"unreadable page ({exc})"))
            continue
        array = np.asarray(gray)
        del gray
        pages.append(pdf.ocr_page_image(array, dpi * factor, number))
        del array
        page_done(number, count)
    problems = [f"page {p.number}: {p.problem}" for p in pages if p.problem]
    blocks = pdf.blocks_from_ocr_pages(pages, name)
    if not blocks:
        raise InputError(problems[0].split(": ", 1)[1] if problems else "OCR found no text in the image")
    return ExtractedFile(path=path, name=name, sha256=sha256, format="image", blocks=blocks,
                         warnings=problems)
