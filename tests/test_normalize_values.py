"""parse_value: SCHEMA VALUE cells."""
import pytest

from normalize.values import parse_value
from parsers.records import Value


@pytest.mark.parametrize(
    "raw, op, value, unit",
    [
        ("≥2600人", ">=", 2600, "人"),
        ("=1个", "=", 1, "个"),
        ("≥95%", ">=", 95, "%"),
        ("=100%", "=", 100, "%"),
        ("≥12个月", ">=", 12, "月"),
        ("4113人", None, 4113, "人"),
        ("17个街道（镇）", None, 17, "个街道（镇）"),
        ("9691.647591万元", None, 96916475.91, "元"),
        ("9692.786137万元", None, 96927861.37, "元"),
        ("≤5天", "<=", 5, "天"),
        ("<3次", "<", 3, "次"),
        (">90%", ">", 90, "%"),
        ("两次", None, 2, "次"),
        ("95", None, 95, None),
        ("≧95％", ">=", 95, "%"),
        ("═1个", "=", 1, "个"),
        ("≥９５％", ">=", 95, "%"),
        ("IO人", None, 10, "人"),
        ("≥1O0%", ">=", 100, "%"),
        ("不低于95%", ">=", 95, "%"),
        ("不少于3场", ">=", 3, "场"),
        ("至少2次", ">=", 2, "次"),
        ("不高于5%", "<=", 5, "%"),
        ("不超过10天", "<=", 10, "天"),
        ("不多于2次", "<=", 2, "次"),
        ("≤3小时", "<=", 3, "小时"),
        ("大于90%", ">", 90, "%"),
        ("小于3次", "<", 3, "次"),
        ("100%（含）", None, 100, "%"),
        ("全年不少于2次", ">=", 2, "次"),
        ("全年不少于两次", ">=", 2, "次"),
        ("95%以上", ">=", 95, "%"),
        ("3天以内", "<=", 3, "天"),
        ("5%以下", "<=", 5, "%"),
        ("≈95%", None, 95, "%"),
        ("＝１个", "=", 1, "个"),
        ("≥2人次", ">=", 2, "人次"),
        ("4.2150元", None, 4.22, "元"),
        ("0.5万元", None, 5000, "元"),
        ("1,234人", None, 1234, "人"),
        ("98.5%", None, 98.5, "%"),
        ("百分之九十五", None, 95, "%"),
        ("完成率达到95%以上，群众满意", ">=", 95, "%"),
        ("  ≥528人\t", ">=", 528, "人"),
    ],
)
def test_numeric_values(raw, op, value, unit):
    v = parse_value(raw)
    assert v == Value(raw=raw.strip(), op=op, value=value, unit=unit, text=None)


@pytest.mark.parametrize("raw", ["正常支付", "保质保量", "达标", "完成", "好", "显著提升", "一般", "一次性补助"])
def test_qualitative_values_are_text(raw):
    assert parse_value(raw) == Value(raw=raw, text=raw)


@pytest.mark.parametrize("raw", [None, "", "   ", "-", "－", "—", "/", "——"])
def test_empty_cells_are_none(raw):
    assert parse_value(raw) is None


@pytest.mark.parametrize(
    "raw",
    ["（1）财政拨款", "职能4：落实退役军人特殊保障政策。", "1、局机关", "(2024年度)",
     "2024年部门整体支出绩效目标批复表", "95%以上的群众满意"],
)
def test_numbers_inside_prose_are_text(raw):
    v = parse_value(raw)
    assert v.value is None and v.text == raw


def test_number_ending_a_clause_counts():
    assert parse_value("2次，确保安全") == Value(raw="2次，确保安全", value=2, unit="次")


def test_unit_as_printed_with_slash():
    assert parse_value("2次/年") == Value(raw="2次/年", value=2, unit="次/年")


def test_raw_keeps_the_input_stripped():
    assert parse_value(" ≧95％ \n").raw == "≧95％"


def test_wrapped_text_value_is_joined():
    assert parse_value("保质\n保量") == Value(raw="保质\n保量", text="保质保量")


def test_date_is_text_not_a_number():
    v = parse_value("2024年12月底")
    assert v.value is None and v.text == "2024年12月底"


def test_value_is_float():
    assert isinstance(parse_value("≥2600人").value, float)
