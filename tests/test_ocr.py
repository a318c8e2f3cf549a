"""OCR of scanned pages and images (extract.ocr): one small synthetic page, kept fast.

The engine tests skip when the `ocr` extra (rapidocr-onnxruntime) is not
installed; the full scanned sample set is scored by benchmarks/bench_ocr.py.
"""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest

from extract import sniff_format
from extract.errors import InputError
from normalize.ocr_repair import repair, repair_numbers

# any CJK font the OS packages put here (.ci/run installs fonts-wqy-microhei, 1.6 MB)
FONT_CANDIDATES = [Path(p) for p in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                                     "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
                                     "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")]
FONT = next((p for p in FONT_CANDIDATES if p.exists()), FONT_CANDIDATES[0])


def _engine_or_skip():
    from extract.ocr import engine

    if not engine.available():
        pytest.skip("OCR engine not installed: pip install -e '.[ocr]' (rapidocr-onnxruntime)")


@pytest.mark.parametrize("raw, fixed", [
    ("1O.5万兀", "10.5万元"), ("l2,345.O0", "12,345.00"), ("2O22年", "2022年"), ("5O%", "50%"),
    ("95.3l分", "95.31分"), ("IOS系统", "IOS系统"), ("Ol", "Ol"), ("ABl2", "ABl2"), ("1.2.O", "1.2.O"),
])
def test_repair_numbers_only_where_the_result_parses(raw, fixed):
    assert repair_numbers(raw) == fixed


def test_known_look_alike_words_are_repaired():
    assert repair("服务对像满意度指标 l2,345.O0") == "服务对象满意度指标 12,345.00"
    assert repair("对象满意度") == "对象满意度"


@pytest.mark.parametrize("head, name", [
    (b"\x89PNG\r\n\x1a\n....", "a.png"), (b"\xff\xd8\xff\xe0....", "scan.jpg"),
    (b"II*\x00....", "x.tif"), (b"MM\x00*....", "noname"),
])
def test_images_are_sniffed_from_their_bytes(head, name):
    assert sniff_format(Path(name), head + b"\x00" * 64) == "image"


def test_a_file_named_png_that_is_not_an_image_is_refused():
    with pytest.raises(InputError):
        sniff_format(Path("a.png"), b"hello, not an image")


def _table_image(angle: float = 0.8):
    """A ruled 3x3 table at about 150 dpi, its first row one merged cell, slightly rotated."""
    from PIL import Image, ImageDraw, ImageFont

    if not FONT.exists():
        pytest.skip(f"no CJK font at {FONT}")
    font = ImageFont.truetype(str(FONT), 22)
    img = Image.new("L", (820, 330), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [40, 300, 560, 780], [60, 130, 200, 270]
    for y in ys:
        d.line([(xs[0], y), (xs[-1], y)], fill=0, width=2)
    for k, x in enumerate(xs):
        d.line([(x, ys[1] if k in (1, 2) else ys[0]), (x, ys[-1])], fill=0, width=2)  # row 1 merged
    d.text((60, 80), "部门整体支出绩效自评表", font=font, fill=0)
    rows = [("产出指标", "完成率", "98.5%"), ("预算资金", "万元", "120.5")]
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            d.text((xs[c] + 20, ys[r + 1] + 22), text, font=font, fill=0)
    img = img.rotate(angle, fillcolor=255, resample=Image.BICUBIC)
    buf = BytesIO()
    img.save(buf, "PNG", dpi=(150, 150))
    return buf.getvalue()


def test_a_scanned_table_image_reads_as_cells_with_confidence(tmp_path):
    _engine_or_skip()
    from extract import read_file

    path = tmp_path / "table.png"
    path.write_bytes(_table_image())
    got = read_file(path)
    assert got.format == "image"
    tables = [b for b in got.blocks if b.kind == "table"]
    assert tables, [(b.kind, b.text) for b in got.blocks]
    texts = [[c.text for c in row] for row in tables[0].rows]
    assert ["产出指标", "完成率", "98.5%"] in texts
    assert ["预算资金", "万元", "120.5"] in texts
    cells = [c for c in tables[0].cells() if c.text]
    assert all(c.prov.page == 1 and 0 < c.prov.confidence <= 1 for c in cells)
    every = "".join(b.text for b in got.blocks) + "".join(c.text for t in tables for c in t.cells())
    assert "绩效自评表" in every  # the merged first row: as a title or as one cell


def test_a_page_ocr_cannot_read_gives_a_clear_error(tmp_path):
    _engine_or_skip()
    from PIL import Image

    from extract import read_file

    path = tmp_path / "blank.png"
    Image.new("L", (600, 800), 255).save(path)
    with pytest.raises(InputError, match="OCR"):
        read_file(path)


def test_a_scanned_page_in_a_pdf_is_ocred_and_an_unreadable_one_is_reported(tmp_path):
    _engine_or_skip()
    from PIL import Image

    from extract import read_file

    table = Image.open(BytesIO(_table_image(0.0)))
    page = Image.new("L", (1240, 1754), 255)
    page.paste(table, (200, 200))
    blank = Image.new("L", (1240, 1754), 255)
    pdf = tmp_path / "scan.pdf"
    page.save(pdf, "PDF", resolution=150, save_all=True, append_images=[blank])
    got = read_file(pdf)
    assert got.format == "pdf-scanned"
    assert any("page 2" in w and "OCR" in w for w in got.warnings), got.warnings
    cells = [c.text for b in got.blocks if b.kind == "table" for c in b.cells()]
    assert "98.5%" in cells and "120.5" in cells
