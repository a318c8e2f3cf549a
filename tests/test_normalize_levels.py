"""Indicator level labels."""
import pytest

from normalize.levels import (
    LEVEL2_ORDER,
    is_level1_label,
    is_level2_label,
    level1_code,
    level1_for_level2,
    level2_code,
)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("产出指标", "output"), ("产出目标", "output"), ("产出", "output"),
        ("效益指标", "outcome"), ("效益目标", "outcome"), ("效益", "outcome"),
        ("满意度指标", "satisfaction"), ("满意度", "satisfaction"), ("满意度\n指标", "satisfaction"),
        ("成本指标", "cost"), ("决策", "decision"), ("过程", "process"),
        ("产 出 指 标", "output"), ("产出目标（部门工作实绩…）", "output"), ("一、产出指标", "output"),
        ("数量指标", None), ("指标1：优抚对象人数", None), ("", None), (None, None),
    ],
)
def test_level1_code(raw, code):
    assert level1_code(raw) == code
    assert is_level1_label(raw) is (code is not None)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("数量指标", "quantity"), ("数量", "quantity"), ("质量指标", "quality"), ("质量", "quality"),
        ("时效指标", "timeliness"), ("时效", "timeliness"), ("成本指标", "cost"), ("成本", "cost"),
        ("经济效益指标", "economic"), ("经济效益\n指标", "economic"), ("社会效益", "social"),
        ("社会效益指标", "social"), ("生态效益指标", "ecological"), ("可持续影响指标", "sustainability"),
        ("可持续", "sustainability"), ("服务对象满意度指标", "satisfaction"),
        ("社会公众或服务对象满意度指标", "satisfaction"), ("满意度", "satisfaction"),
        ("满意度\n指标", "satisfaction"),
        ("退役军人服务质量", None), ("服务对象满意度达到95%以上的比例", None),
        ("数量指标完成情况良好", None), ("社会效益显著提升的程度指标", None), ("产出指标", None), (None, None),
    ],
)
def test_level2_code(raw, code):
    assert level2_code(raw) == code
    assert is_level2_label(raw) is (code is not None)


def test_level2_order_and_parent():
    assert LEVEL2_ORDER == {
        "output": ["quantity", "quality", "timeliness", "cost"],
        "outcome": ["economic", "social", "ecological", "sustainability"],
        "satisfaction": ["satisfaction"],
    }
    for parent, codes in LEVEL2_ORDER.items():
        for code in codes:
            assert level1_for_level2(code) == parent
