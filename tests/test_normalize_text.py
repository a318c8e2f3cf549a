"""Character clean-up and numbers."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.numbers import chinese_to_int, parse_number
from normalize.text import fix_ocr_value, join_lines, squash_spaces, to_halfwidth


def test_to_halfwidth_converts_numeric_forms():
    assert to_halfwidth("１２３ＡＢｃ％．＋－") == "123ABc%.+-"
    assert to_halfwidth("a\u3000b") == "a b"


def test_to_halfwidth_keeps_chinese_punctuation():
    assert to_halfwidth("（一）：甲，乙。") == "（一）：甲，乙。"


@given(st.text())
def test_to_halfwidth_is_idempotent(s):
    assert to_halfwidth(to_halfwidth(s)) == to_halfwidth(s)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("≧95%", "≥95%"),
        ("≦5天", "≤5天"),
        ("═1个", "=1个"),
        ("＝1个", "=1个"),
        ("12万兀", "12万元"),
        ("5兀", "5元"),
        ("IO人", "10人"),
        ("1O0%", "100%"),
        ("≥l2个月", "≥12个月"),
        ("2O24年", "2024年"),
        ("1,234", "1234"),
        ("1，234人", "1234人"),
        ("1,234,567元", "1234567元"),
        ("ISO认证", "ISO认证"),
        ("Excel表", "Excel表"),
        ("兀旦", "兀旦"),
        ("1.5,2", "1.5,2"),
    ],
)
def test_fix_ocr_value(raw, expected):
    assert fix_ocr_value(raw) == expected


def test_squash_spaces_removes_all_whitespace():
    assert squash_spaces(" 作 用\u3000发挥\t(1 分)\n。") == "作用发挥(1分)。"


def test_join_lines():
    assert join_lines("  按规定时间 \n\n 节点完成\n") == "按规定时间节点完成"
    assert join_lines("") == ""


@pytest.mark.parametrize(
    "s, expected",
    [
        ("12", 12.0), ("0.5", 0.5), ("９５", 95.0), ("两", 2.0), ("十二", 12.0),
        ("一百零五", 105.0), ("三千", 3000.0), ("十", 10.0), ("二十", 20.0),
        ("一万二千", 12000.0), ("二〇二四", 2024.0), ("1,234", 1234.0), (" 7 ", 7.0),
        ("-3", -3.0),
    ],
)
def test_parse_number(s, expected):
    assert parse_number(s) == expected


@pytest.mark.parametrize("s", ["", "abc", "正常", "万", "12人", "1.2.3", None])
def test_parse_number_none(s):
    assert parse_number(s) is None


def test_chinese_to_int():
    assert chinese_to_int("一百零五") == 105
    assert chinese_to_int("两") == 2
    assert chinese_to_int("三百二十一") == 321
    assert chinese_to_int("好") is None


@given(st.integers(min_value=0, max_value=10**6))
def test_parse_number_arabic_roundtrip(n):
    assert parse_number(str(n)) == float(n)


def test_the_traditional_only_characters_are_traditional_only():
    """Each character of the cheap first test has a simplified form of its own: one that is
    written the same in both (算 of 预算) would send every simplified report to the converter."""
    from opencc import OpenCC

    from normalize.script import TRADITIONAL_ONLY, looks_traditional

    t2s = OpenCC("t2s")
    assert [c for c in sorted(TRADITIONAL_ONLY) if t2s.convert(c) == c] == []
    assert not looks_traditional("部门整体支出绩效自评报告：年初预算数、全年预算数、全年执行数均已填报。" * 5)
    assert looks_traditional("部門整體支出績效自評報告：年初預算數、全年預算數、全年執行數均已填報。" * 5)
