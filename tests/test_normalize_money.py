"""to_yuan and parse_amount: Decimal money."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from normalize.money import parse_amount, to_yuan
from normalize.units import MONEY_FACTORS, canonical_unit


@pytest.mark.parametrize(
    "number, unit, expected",
    [
        ("13351.2", "万元", 133512000.0),
        ("9692.786137", "万元", 96927861.37),
        ("425.3586876", "万元", 4253586.88),
        ("0.3", "万", 3000.0),
        ("4.2150", "元", 4.22),
        ("12.345", None, 12.35),
        ("1.5", "亿元", 150000000.0),
        ("2", "千元", 2000.0),
        (Decimal("11436.27"), "万元", 114362700.0),
        (0.1, "万元", 1000.0),
        ("1,234.5", "元", 1234.5),
    ],
)
def test_to_yuan(number, unit, expected):
    assert to_yuan(number, unit) == expected


def test_to_yuan_rounds_half_up():
    assert to_yuan("0.005", "元") == 0.01
    assert to_yuan("0.0000005", "万元") == 0.01


def test_to_yuan_rejects_non_money_unit():
    with pytest.raises(ValueError):
        to_yuan("3", "人")


@given(st.decimals(min_value=0, max_value=10**9, places=6, allow_nan=False))
def test_to_yuan_matches_decimal_arithmetic(d):
    # Six decimals of 万元 are exact cents: no rounding, no float drift.
    assert to_yuan(str(d), "万元") == float(d * 10000)


@pytest.mark.parametrize(
    "text, number, unit",
    [
        ("4294.75万余元", Decimal("4294.75"), "万元"),
        ("420余万元", Decimal("420"), "万元"),
        ("11,436.27 万元", Decimal("11436.27"), "万元"),
        ("271.5700", Decimal("271.57"), None),
        ("4.2150元", Decimal("4.2150"), "元"),
        ("优抚事业单位支出0.3万", Decimal("0.3"), "万"),
        ("用于死亡抚恤188.27万元", Decimal("188.27"), "万元"),
        ("共计1.2亿元", Decimal("1.2"), "亿元"),
        ("3千元", Decimal("3"), "千元"),
        ("１２３万元", Decimal("123"), "万元"),
    ],
)
def test_parse_amount(text, number, unit):
    assert parse_amount(text) == (number, unit)


def test_parse_amount_keeps_printed_digits():
    assert str(parse_amount("4.2150元")[0]) == "4.2150"


@pytest.mark.parametrize("text", ["", "无资金", "正常支付"])
def test_parse_amount_none(text):
    assert parse_amount(text) is None


def test_money_factors():
    assert MONEY_FACTORS["元"] == 1 and MONEY_FACTORS["千元"] == 1000
    assert MONEY_FACTORS["万元"] == 10000 and MONEY_FACTORS["万"] == 10000
    assert MONEY_FACTORS["亿元"] == 100000000


@pytest.mark.parametrize(
    "unit, expected",
    [
        ("个月", "月"), ("元", "元"), ("万元", "元"), ("亿元", "元"), ("千元", "元"), ("％", "%"),
        (" 人 ", "人"), ("人次", "人次"), ("个", "个"), ("次", "次"), ("场", "场"), ("件", "件"),
        ("户", "户"), ("家", "家"), ("座", "座"), ("处", "处"), ("份", "份"), ("天", "天"),
        ("年", "年"), ("小时", "小时"), ("个街道（镇）", "个街道（镇）"), (None, None), ("", None),
    ],
)
def test_canonical_unit(unit, expected):
    assert canonical_unit(unit) == expected
