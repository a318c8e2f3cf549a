"""Photos of a page (extract.ocr.flatten): the sheet found on the desk, flattened, read as a scan.

Made-up pages drawn with PIL (a form with rulings and Chinese text), photographed
synthetically: a known perspective (the sheet's four corners are given), a known
curl (rulings bow by more than the 0.08 inch a ruling may drift in a scan), a dark
desk, uneven light, a slight blur, JPEG. The full photo sample set is scored by
benchmarks/bench_ocr.py --photos.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import numpy as np
import pytest


FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PAGE_DPI = 100  # the drawn sheet: A4 at 100 dpi, 827 x 1169
ROWS = [("指标名称", "预算数", "执行率"),
        ("产出指标", "120.5", "98.5%"),
        ("服务对象满意度", "95", "100%"),
        ("培训人次", "1200", "=100%")]
# the photo: 1000 x 1333 px, the sheet's corners (top-left, top-right, bottom-right, bottom-left)
PHOTO = (1000, 1333)
CORNERS = np.array([[128, 96], [902, 132], [866, 1236], [92, 1200]], np.float32)
CURL = 14.0  # px of the drawn sheet (0.14 inch): how far the middle of the sheet bows


def _engine_or_skip():
    from extract.ocr import engine

    if not engine.available():
        pytest.skip("OCR engine not installed: pip install -e . (rapidocr, onnxruntime)")


def _font(size: int):
    from PIL import ImageFont

    if not FONT.exists():
        pytest.skip(f"no CJK font at {FONT}")
    return ImageFont.truetype(str(FONT), size)


def _form() -> np.ndarray:
    """An A4 form at 100 dpi: a title, a ruled 4 x 3 table across the page, a line of text."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (827, 1169), 255)
    d = ImageDraw.Draw(img)
    d.text((250, 100), "部门整体支出绩效自评表", font=_font(24), fill=0)
    font = _font(20)
    xs, ys = [70, 330, 560, 760], [200, 262, 324, 386, 448]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    for r, row in enumerate(ROWS):
        for c, text in enumerate(row):
            d.text((xs[c] + 14, ys[r] + 18), text, font=font, fill=0)
    d.text((70, 520), "评价结论：该部门整体支出绩效良好。", font=font, fill=0)
    return np.asarray(img)


def _photograph(page: np.ndarray, corners: np.ndarray = CORNERS, curl: float = CURL,
                size: tuple[int, int] = PHOTO, seed: int = 7) -> np.ndarray:
    """The sheet photographed on a dark desk: bent by `curl` (every row bows by it in the middle,
    every column by half of it; nothing moves at the corners, so that they stay where `corners`
    puts them), warped onto `corners`, lit unevenly, blurred; greyscale."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = page.shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)

    def field(x, y):  # where a point of the flat sheet goes
        u, v = 2 * x / w - 1, 2 * y / h - 1
        return 0.5 * curl * (1 - v * v), curl * (1 - u * u)

    sx, sy = xs.copy(), ys.copy()
    for _ in range(4):  # the inverse, by fixed-point iteration
        dx, dy = field(sx, sy)
        sx, sy = xs - dx, ys - dy
    paper = cv2.remap(page.astype(np.float32), sx, sy, cv2.INTER_LINEAR, borderValue=255)
    hmat = cv2.getPerspectiveTransform(np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32), corners)
    sheet = cv2.warpPerspective(paper * 0.93, hmat, size, flags=cv2.INTER_LINEAR, borderValue=0)
    alpha = cv2.warpPerspective(np.ones((h, w), np.float32), hmat, size, flags=cv2.INTER_LINEAR)
    desk = 45 + 10 * cv2.resize(rng.normal(0, 1, (size[1] // 40, size[0] // 40)).astype(np.float32), size)
    scene = alpha * sheet + (1 - alpha) * desk
    gy, gx = np.mgrid[0:size[1], 0:size[0]].astype(np.float32)
    scene *= 1.0 - 0.2 * gx / size[0] - 0.1 * gy / size[1]  # light from the top left
    scene = cv2.GaussianBlur(scene, (0, 0), 0.5) + rng.normal(0, 3, scene.shape)
    return np.clip(scene, 0, 255).astype(np.uint8)


def _jpeg(gray: np.ndarray, path: Path) -> Path:
    from PIL import Image

    Image.fromarray(gray).save(path, "JPEG", quality=85)  # no dpi tag: a phone's JPEG
    return path


def _rows(extracted) -> list[list[str]]:
    return [[c.text for c in row] for b in extracted.blocks if b.kind == "table" for row in b.rows]


# --- the outline -------------------------------------------------------------------------

def test_the_sheet_is_found_on_a_photo_with_its_corners():
    from extract.ocr.flatten import find_page, page_size

    photo = _photograph(_form())
    outline = find_page(photo)
    assert outline is not None
    assert outline.confidence >= 0.9, outline
    err = np.linalg.norm(outline.corners - CORNERS, axis=1)
    assert err.max() <= 6.0, (outline.corners.round(1).tolist(), err)  # 0.4 % of the photo's diagonal
    (w_in, h_in), density = page_size(outline.corners)
    assert (round(w_in * 25.4), round(h_in * 25.4)) == (210, 297)
    assert 85 <= density <= 100  # the sheet's pixels to the inch on the photo, not the file's width


def test_no_outline_on_a_flatbed_scan_a_page_cut_by_the_frame_or_a_light_desk():
    import cv2

    from extract.ocr.flatten import find_page, flatten

    # a flatbed scan: the sheet fills the image, white borders, turned a little
    page = _form()
    m = cv2.getRotationMatrix2D((413, 584), 0.9, 1.0)
    scan = cv2.warpAffine(page, m, (827, 1169), borderValue=255)
    bordered = cv2.copyMakeBorder(scan, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    assert find_page(scan) is None and find_page(bordered) is None
    assert flatten(bordered, 100) is None
    # the sheet runs off the photo's bottom edge: no whole outline, read as it is
    photo = _photograph(page)
    assert find_page(photo[:1150]) is None
    # a white sheet on a light grey desk: too little contrast to be sure
    light = _photograph(page).astype(np.int16)
    light[light < 100] += 120
    found = find_page(np.clip(light, 0, 255).astype(np.uint8))
    assert found is None or found.confidence < 0.5


# --- flattened and read ------------------------------------------------------------------

def test_bowed_rulings_come_out_straight_and_whole():
    """The curl bows the table's rulings by 0.14 inch, more than a scan's ruling may drift
    (0.08 inch: such a ruling was dropped, and the table with it); flattened, every ruling
    is found whole and straight."""
    from extract.ocr import table
    from extract.ocr.flatten import flatten

    flat = flatten(_photograph(_form()), 96.0)
    assert flat is not None and flat.bend_px >= 0.08 * flat.dpi
    assert (flat.image.shape[1], flat.image.shape[0]) == (round(8.2677 * flat.dpi), round(11.6929 * flat.dpi))
    segments = table.find_rulings(table.ruling_ink(flat.image), flat.dpi, follow=True)
    scale = flat.dpi / PAGE_DPI
    # the table's rulings (the title's big strokes above it are no concern here); each line
    # keeps the height the curl gave its middle, so spacing is what is compared
    inside = [s for s in segments if s.bottom >= 190 * scale]
    hs = sorted((s for s in inside if s.horizontal), key=lambda s: s.top)
    vs = sorted((s for s in inside if not s.horizontal), key=lambda s: s.x0)
    assert len(hs) == 5 and len(vs) == 4, (hs, vs)
    for s in hs:
        assert s.x1 - s.x0 >= 0.95 * 690 * scale  # whole: from the first column's edge to the last
        assert s.bottom - s.top <= 0.04 * flat.dpi  # straight: a thin band
    mids = [(s.top + s.bottom) / 2 for s in hs]
    assert all(abs(b - a - 62 * scale) <= 0.03 * flat.dpi for a, b in zip(mids, mids[1:])), mids
    centres = [(s.x0 + s.x1) / 2 for s in vs]
    gaps = [b - a for a, b in zip(centres, centres[1:])]
    assert all(abs(g - d * scale) <= 0.03 * flat.dpi for g, d in zip(gaps, [260, 230, 200])), centres
    assert len(table.cells_from_rulings(inside, flat.dpi)) == 12
    assert not any(s.x1 - s.x0 > 0.9 * flat.image.shape[1] for s in segments)  # no frame round the page


def test_a_photographed_form_reads_as_the_flat_page(tmp_path):
    """The photo (JPEG, no dpi tag, perspective, curl, dark desk) gives the table the flat
    page gives, cell for cell, and the page has its A4 size whatever the file's width."""
    _engine_or_skip()
    from PIL import Image

    from extract import read_file

    page = _form()
    flat_path = tmp_path / "flat.png"
    Image.fromarray(page).save(flat_path, dpi=(PAGE_DPI, PAGE_DPI))
    flat_rows = _rows(read_file(flat_path))
    for row in ROWS:
        assert list(row) in flat_rows, flat_rows
    got = read_file(_jpeg(_photograph(page), tmp_path / "photo.jpg"))
    assert got.format == "image"
    assert _rows(got) == flat_rows
    cells = [c for b in got.blocks if b.kind == "table" for c in b.cells() if c.text]
    assert all(0 < c.prov.confidence <= 1 for c in cells)


def test_the_outline_and_the_page_size_reach_the_page():
    _engine_or_skip()
    from extract.ocr.pages import ocr_page

    found, stats = ocr_page(_photograph(_form()), 1000 / 8.27)  # the file's width taken as A4's
    assert stats["outline"] >= 0.9
    assert round(found.width) == 595 and round(found.height) == 842  # A4 in points
    assert stats["dpi"] == 150.0  # the page's own density (about 93) raised to the readers' 150


def test_a_flat_scan_is_read_exactly_as_before():
    """No outline on a scan (white all round): the page goes the way it always went."""
    _engine_or_skip()
    import cv2

    from extract.ocr.pages import ocr_page

    page = _form()[150:500]
    m = cv2.getRotationMatrix2D((413, 175), 0.8, 1.0)
    scan = cv2.warpAffine(page, m, (827, 350), borderValue=255)
    scan = np.clip(scan + np.random.default_rng(3).normal(0, 6, scan.shape), 0, 255).astype(np.uint8)
    now, stats = ocr_page(scan, PAGE_DPI)
    before, _ = ocr_page(scan, PAGE_DPI, find_sheet=False)
    assert stats["outline"] is None
    assert now.chars == before.chars and now.lines == before.lines


# --- a lone slash is not a 1 --------------------------------------------------------------

@pytest.mark.parametrize("size", [16, 20, 24, 28])
def test_a_slash_is_told_from_a_one_by_its_shape(size):
    from PIL import Image, ImageDraw

    from extract.ocr.table import binarize, is_slash

    font = _font(size)
    for ch, slash in (("/", True), ("1", False), ("l", False), ("|", False), ("7", False), ("人", False)):
        img = Image.new("L", (80, 70), 255)
        ImageDraw.Draw(img).text((30, 12), ch, font=font, fill=0)
        assert is_slash(binarize(np.asarray(img)), 150) is slash, (ch, size)


def test_a_lone_slash_in_a_cell_reads_as_a_slash_and_a_lone_one_as_one():
    """Forms print "/" in cells that do not apply; read alone it is "1" to the recogniser (a
    false weight or score). Told by the glyph's shape, each cell keeps what it prints."""
    _engine_or_skip()
    from PIL import Image, ImageDraw

    from extract.ocr.pages import ocr_page
    from extract.pdf import _read_page

    font = _font(22)
    img = Image.new("L", (900, 260), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [40, 260, 420, 580, 740, 860], [40, 110, 180, 240]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for x in xs:
        d.line([(x, ys[0]), (x, ys[-1])], fill=0, width=2)
    rows = [("指标名称", "权重", "得分", "备注", "分值"), ("产出数量", "/", "1", "/", "1"),
            ("满意度", "10", "/", "1", "/")]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            d.text((xs[c] + 30, ys[r] + 18), text, font=font, fill=0)
    found, _ = ocr_page(np.asarray(img), 150)
    got = [[c or "" for c in row] for t in _read_page(found, 1, ocr=True).tables for row in t.rows]
    assert got == [list(r) for r in rows], got


# --- images: orientation -------------------------------------------------------------------

def test_a_phone_jpeg_is_turned_upright_by_its_exif_orientation():
    from PIL import Image

    from extract.image import _orientation, _upright

    img = Image.new("L", (60, 40), 255)
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held on its side: the picture is to be turned 90 degrees
    buf = BytesIO()
    img.save(buf, "JPEG", exif=exif)
    frame = Image.open(BytesIO(buf.getvalue()))
    assert _orientation(frame) == 6
    assert _upright(frame.convert("L"), 6).size == (40, 60)
