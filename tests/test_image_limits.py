"""Bounded work per page for images and scans (issue 12): a page limit for
images as for PDFs, frames read one at a time, a pixel limit per page (scaled
down before OCR), blank pages not sent to OCR.

OCR itself is replaced by a recorder (what reading gives is tests/test_ocr.py's
business): these tests are about what reaches it, so they are fast.
"""
from __future__ import annotations

import dataclasses
from io import BytesIO

import pytest

import extract.limits
from extract import read_file
from extract.errors import InputError


@pytest.fixture
def ocr_calls(monkeypatch):
    """Every page image handed to OCR, as (height, width, dpi); OCR finds nothing."""
    from extract.ocr import engine
    from extract.ocr import pages as ocr_pages

    if not engine.available():
        pytest.skip("OCR engine not installed: pip install -e . (rapidocr, onnxruntime)")
    calls = []

    def fake_ocr_page(image, dpi):
        calls.append((image.shape[0], image.shape[1], dpi))
        raise ocr_pages.PageUnreadable("OCR found no text")

    monkeypatch.setattr(ocr_pages, "ocr_page", fake_ocr_page)
    return calls


def limits(monkeypatch, **changes):
    monkeypatch.setattr(extract.limits, "LIMITS", dataclasses.replace(extract.limits.LIMITS,
                                                                      **changes))


def _page(ink: bool, size=(1240, 1754)):
    from PIL import Image, ImageDraw

    img = Image.new("L", size, 255)
    if ink:
        ImageDraw.Draw(img).rectangle([100, 100, 700, 160], fill=0)  # a bar of ink
    return img


def _tiff(tmp_path, pages):
    path = tmp_path / "scan.tif"
    pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:], dpi=(150, 150))
    return path


def test_blank_pages_of_an_image_are_not_sent_to_ocr(tmp_path, ocr_calls):
    path = _tiff(tmp_path, [_page(False), _page(True), _page(False), _page(False), _page(True)])
    with pytest.raises(InputError):
        read_file(path)
    assert len(ocr_calls) == 2


def test_an_image_of_only_blank_pages_says_so(tmp_path, ocr_calls):
    path = _tiff(tmp_path, [_page(False), _page(False)])
    with pytest.raises(InputError, match="blank page .*not sent to OCR"):
        read_file(path)
    assert ocr_calls == []


def test_blank_pages_of_a_scanned_pdf_are_not_sent_to_ocr(tmp_path, ocr_calls):
    pdf = tmp_path / "scan.pdf"
    _page(False).save(pdf, "PDF", resolution=150, save_all=True,
                      append_images=[_page(True), _page(False)])
    with pytest.raises(InputError):
        read_file(pdf)
    assert len(ocr_calls) == 1


def test_an_image_has_a_page_limit_as_a_pdf_has(tmp_path, ocr_calls, monkeypatch):
    limits(monkeypatch, max_pages=3)
    path = _tiff(tmp_path, [_page(True, (200, 280)) for _ in range(4)])
    with pytest.raises(InputError, match=r"image too long \(4 pages; the limit is 3, JIXIAO_MAX_PAGES\)"):
        read_file(path)
    assert ocr_calls == []


def test_frames_are_read_one_at_a_time(tmp_path, ocr_calls, monkeypatch):
    """The next frame is decoded only once the page before it went to OCR."""
    from PIL import TiffImagePlugin

    order = []
    seek = TiffImagePlugin.TiffImageFile.seek

    def logged_seek(self, frame):
        order.append(("seek", frame))
        return seek(self, frame)

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "seek", logged_seek)
    from extract.ocr import pages as ocr_pages

    fake = ocr_pages.ocr_page
    monkeypatch.setattr(ocr_pages, "ocr_page",
                        lambda image, dpi: (order.append(("ocr",)), fake(image, dpi))[1])
    path = _tiff(tmp_path, [_page(True, (300, 400)) for _ in range(3)])
    with pytest.raises(InputError):
        read_file(path)
    steps = [s for s in order if s[0] == "ocr" or s[1] > 0]  # open seeks frame 0 itself
    assert steps == [("ocr",), ("seek", 1), ("ocr",), ("seek", 2), ("ocr",)]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_page_over_the_pixel_limit_is_scaled_down_before_ocr(tmp_path, ocr_calls, monkeypatch,
                                                               fmt):
    limits(monkeypatch, max_page_pixels=2_000_000)
    img = _page(True, (4960, 7016))  # A4 at 600 dpi: 34.8 megapixels
    path = tmp_path / f"big.{fmt.lower()}"
    img.save(path, fmt, dpi=(600, 600))
    with pytest.raises(InputError):
        read_file(path)
    (h, w, dpi), = ocr_calls
    assert h * w <= 2_000_000 and w >= 1170  # about 170 dpi, not less
    assert dpi == pytest.approx(600 * w / 4960, rel=0.01)  # the resolution follows the scale


def test_a_page_within_the_pixel_limit_is_read_as_it_is(tmp_path, ocr_calls):
    path = tmp_path / "page.png"
    _page(True).save(path, "PNG", dpi=(150, 150))
    with pytest.raises(InputError):
        read_file(path)
    (h, w, dpi), = ocr_calls
    assert (h, w) == (1754, 1240) and dpi == pytest.approx(150, abs=0.1)


def test_the_pixel_limit_is_a_setting():
    limits = extract.limits.Limits.from_env({"JIXIAO_MAX_PAGE_MEGAPIXELS": "8"})
    assert limits.max_page_pixels == 8_000_000
    assert extract.limits.Limits().max_page_pixels == 20_000_000


def test_a_page_between_pils_warning_and_its_refusal_reads_without_a_warning(tmp_path, ocr_calls):
    import warnings

    from PIL import Image

    path = tmp_path / "big.png"
    Image.new("L", (9000, 9000), 255).save(path)  # 81 MP: over PIL's warning threshold, under its refusal
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(InputError, match="blank page"):
            read_file(path)
    assert not [w for w in seen if "DecompressionBomb" in type(w.message).__name__]


def test_a_pdf_of_only_blank_pages_says_so(tmp_path, ocr_calls):
    pdf = tmp_path / "blank.pdf"
    _page(False).save(pdf, "PDF", resolution=150, save_all=True, append_images=[_page(False), _page(False)])
    with pytest.raises(InputError, match="all 3 pages are blank"):
        read_file(pdf)
    assert ocr_calls == []
