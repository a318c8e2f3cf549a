"""What a cell says: the types the row re-flow matches against column roles.

A pasted table keeps its cells but loses their places; a cell's type (an
operator, a unit, a figure, a value with its unit, a level name, text) tells
which column it can stand in. Types are cheap and cached: a re-flow asks for
the same cells many times.
"""
from __future__ import annotations

import re
from functools import lru_cache

from normalize.levels import level1_code, level2_code
from normalize.text import fix_ocr_value, squash_spaces, to_halfwidth
from normalize.values import parse_value

DASH = re.compile(r"^(?:[-－—–/／\\~～…]+|\.{3,}|无|——|—)$")
OP = re.compile(r"^(?:[≥≤><=＝≧≦═]|>=|<=|正向|反向|定量|定性|定量指标|定性指标|正向指标|反向指标)$")
PLAIN_NUMBER = re.compile(r"^[-+]?\d+(?:\.\d+)?$")
PERCENT = re.compile(r"^[-+]?\d+(?:\.\d+)?%$")
MONEY = re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^[-+]?\d+(?:\.\d+)?$")
UNITS = frozenset((
    "%", "‰", "人", "人次", "个", "次", "场", "件", "户", "家", "座", "处", "份", "项", "天", "日", "月", "个月", "年",
    "周", "小时", "分钟", "亩", "万亩", "公里", "千米", "米", "平方米", "㎡", "立方米", "吨", "万元", "元", "千元", "亿元",
    "篇", "组", "台", "套", "辆", "张", "本", "册", "期", "批", "所", "名", "位", "条", "块", "棵", "株", "头", "只",
    "间", "栋", "平方公里", "公顷", "千瓦", "户次", "人/次", "元/人", "分", "级", "类", "课时", "学时", "万人次", "万人",
))
CORE = frozenset(("是", "否"))
# Words a deviation or improvement note uses.
DEVIATION_WORDS = re.compile(r"原因|由于|因为|未完成|偏差|改进|措施|受.{0,8}影响|加强|下一步|^无$")
# Rows that end an indicator or money table: totals and the form's next parts.
END_WORDS = re.compile(
    r"^(?:总分|合计|总计|综合得分|自评得分|总得分|评价结论|自评结论|其他需要说明(?:的)?事项|项目负责人|财务负责人|"
    r"偏差大或|备注[：:]|说明[：:]|填报人|联系电话|审核意见|主要绩效|存在(?:的)?问题|改进措施|年度总体目标|总体目标|"
    r"项目基本情况|项目年度目标|[^，。,]{0,10}意见[：:]?$)"
)
# A label before a colon is a form field (项目单位意见：), never an indicator's name.
FORM_LABEL = re.compile(r"^[^，。,；;]{1,12}[：:]$")


def clean(text: str) -> str:
    return squash_spaces(to_halfwidth(text or ""))


BOUND_WORDS = re.compile(r"^(?:不超过|不超出|不超|不高于|不低于|不少于|不大于|不小于)[\u4e00-\u9fff]")


@lru_cache(maxsize=65536)
def cell_type(text: str) -> str:
    """empty | dash | op | unit | core | number | percent | value | level1 | level2 | text."""
    s = clean(text)
    if not s:
        return "empty"
    if DASH.match(s):
        return "dash"
    f = fix_ocr_value(s)
    if OP.match(f):
        return "op"
    if s in UNITS or f in UNITS:
        return "unit"
    if s in CORE:
        return "core"
    if PLAIN_NUMBER.match(f) or MONEY.match(f):
        return "number"
    if PERCENT.match(f):
        return "percent"
    if level1_code(s) and not level2_code(s) and len(s) <= 16:
        return "level1"
    if level2_code(s):
        return "level2"
    v = parse_value(s)
    if v is not None and v.value is not None and len(s) <= 24:
        return "value"
    if BOUND_WORDS.match(s) and len(s) <= 12:
        return "value"  # a bound in words (不超预算, 不低于上年): a target, not a name or a note
    return "text"


def number_of(text: str) -> float | None:
    s = fix_ocr_value(clean(text)).replace(",", "").rstrip("%")
    try:
        return float(s)
    except ValueError:
        return None
