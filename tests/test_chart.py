"""`compare --chart` draws Chinese, whatever fonts the OS has: every text of
the chart is set in the font file shipped by a package (Noto Sans SC, a
Simplified-Chinese sans face), and the glyphs drawn are the characters, not
the missing-glyph box (compared with the rendering of code points no font has).
"""
from __future__ import annotations

import csv
import hashlib
import io
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from analysis.compare import (
    AGG_LABELS, BY_LABELS, MEASURE_LABELS, UNKNOWN, UNKNOWN_LABEL, Comparison, chart,
    chart_font, chart_labels, figure,
)
from analysis.workbook import CODE_LABELS
from normalize import concepts

# NotoSansSC-Regular.otf from notofonts/noto-cjk (Sans/SubsetOTF/SC), as the wheel ships it
NOTO_SANS_SC_SHA256 = "faa6c9df652116dde789d351359f3d7e5d2285a2b2a1f04a2d7244df706d5ea9"
TOFU = ("\U0010FFFD", "\uE000", "\U000F0000")  # private use: no font has them
LABEL = "孟津县乌审旗岳阳县预算执行率"


def comparison(areas=("孟津县", "乌审旗", "岳阳县", UNKNOWN), measure="execution_rate"):
    table = pd.DataFrame({2022: [90.0, 80.0, 95.0, 50.0][:len(areas)],
                          2023: [95.0, 85.0, 97.5, 60.0][:len(areas)]}, index=list(areas))
    table.index.name = "county"
    return Comparison(measure, "county", "mean", table)


def render(text: str, size: int = 48) -> np.ndarray:
    """`text` alone, in the chart font, as a grey-level image (0 = white)."""
    fig = Figure(figsize=(0.9 * len(text) + 0.4, 1.0), dpi=72)
    fig.text(0.02, 0.2, text, fontproperties=FontProperties(fname=str(chart_font()), size=size))
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tofu's own "missing glyph" warning
        fig.savefig(buf, format="png")
    import matplotlib.image

    rgba = matplotlib.image.imread(io.BytesIO(buf.getvalue()))
    return 1.0 - rgba[..., :3].mean(axis=2)


def ink(img: np.ndarray) -> np.ndarray:
    return img > 0.5


# ------------------------------------------------------------------ the font

def test_the_font_is_the_shipped_noto_sans_sc_file():
    path = chart_font()
    import pylopdf_fonts_zh_cn

    assert path.parent == Path(pylopdf_fonts_zh_cn.__file__).parent  # inside the package
    assert hashlib.sha256(path.read_bytes()).hexdigest() == NOTO_SANS_SC_SHA256
    face = FT2Font(str(path))
    assert face.family_name == "Noto Sans SC" and face.style_name == "Regular"
    assert "Serif" not in face.family_name and "JP" not in face.family_name


def test_every_text_of_the_chart_is_set_in_the_shipped_file():
    fig = figure(comparison())
    fig.canvas.draw()  # tick labels exist once drawn
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    drawn = {t.get_text() for t in texts}
    assert {"孟津县", "乌审旗", "岳阳县", UNKNOWN_LABEL, "财政年度"} <= drawn
    assert any("预算执行率" in s for s in drawn)
    for t in texts:
        assert t.get_fontproperties().get_file() == str(chart_font()), t.get_text()


def test_the_font_has_every_character_the_charts_draw():
    """Area names come from the administrative-division dataset: all of its
    1,240 characters, and every label a chart prints, have a glyph."""
    face = FT2Font(str(chart_font()))
    text = (resources.files("cpca").joinpath("resources/adcodes.csv")
            .read_text(encoding="utf-8"))
    names = "".join(row[1] for row in list(csv.reader(io.StringIO(text)))[1:])
    labels = "".join([*(m for m, _ in MEASURE_LABELS.values()), *BY_LABELS.values(),
                      *AGG_LABELS.values(), UNKNOWN_LABEL, *concepts.labels().values(),
                      "：（）万元人分%数据个数实际值财政年度按与"])
    labels += "".join(v for table in CODE_LABELS.values() for v in table.values())
    missing = sorted({ch for ch in names + labels
                      if not ch.isspace() and face.get_char_index(ord(ch)) == 0})
    assert missing == []
    assert all(face.get_char_index(ord(ch)) == 0 for ch in TOFU)  # the control case


# ------------------------------------------------------------------ the glyphs

def test_glyphs_are_the_characters_not_the_missing_glyph_box():
    # What a missing glyph looks like: the font's .notdef box, or (matplotlib >= 3.10)
    # its Last Resort face's box for that block; either way the same for one code point.
    for ch in TOFU:
        assert np.array_equal(ink(render(ch)), ink(render(ch)))
    boxes = {t: ink(render(t)) for t in TOFU}
    seen = []
    for ch in dict.fromkeys(LABEL):
        glyph = ink(render(ch))
        assert glyph.sum() > 50, ch  # something is drawn
        for t, box in boxes.items():
            assert glyph.shape == box.shape
            differ = np.logical_xor(glyph, box).sum()
            assert differ > 0.3 * max(glyph.sum(), box.sum()), (ch, t)  # not the box
        assert not any(np.array_equal(glyph, other) for other in seen), ch  # not all alike
        seen.append(glyph)


def test_a_whole_label_differs_from_the_same_length_of_tofu():
    label, tofu = render(LABEL[:3]), render(TOFU[0] * 3)
    assert label.shape == tofu.shape
    assert not np.array_equal(ink(label), ink(tofu))
    assert np.logical_xor(ink(label), ink(tofu)).sum() > 0.3 * ink(tofu).sum()


def test_chart_png_has_no_missing_glyph_and_shows_the_names(tmp_path):
    png = tmp_path / "c.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        font = chart(comparison(), png)
    assert font == chart_font()
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The control: names no font can draw do warn, and draw another picture.
    boxed = tmp_path / "tofu.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chart(comparison(areas=(TOFU[0] * 3, TOFU[1] * 3, TOFU[2] * 3, UNKNOWN)), boxed)
    assert [w for w in caught if "missing from font" in str(w.message)]
    import matplotlib.image

    a, b = matplotlib.image.imread(png), matplotlib.image.imread(boxed)
    assert a.shape == b.shape and not np.array_equal(a, b)


def test_chart_labels_in_chinese_and_money_in_wan_yuan():
    money = comparison(measure="budget")
    money.table = money.table * 1e6
    labels = chart_labels(money)
    assert labels["ylabel"] == "全年预算数(万元)" and labels["scale"] == 1e4
    assert labels["title"] == "全年预算数：按县(区)与年度（平均）"
    assert chart_labels(comparison())["ylabel"] == "预算执行率(%)"
    c = comparison()
    c.measure = "concept:beneficiary_satisfaction"
    assert chart_labels(c)["ylabel"].startswith("受益对象满意度")


@pytest.mark.parametrize("n", [1, 12])
def test_one_or_many_areas(tmp_path, n):
    areas = [f"测试{i}县" for i in range(n)]
    table = pd.DataFrame({2021: range(n), 2022: range(1, n + 1)}, index=areas, dtype=float)
    table.index.name = "county"
    png = tmp_path / f"{n}.png"
    chart(Comparison("score", "county", "max", table), png)
    assert png.stat().st_size > 5000
