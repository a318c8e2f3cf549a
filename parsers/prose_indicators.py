"""Indicators stated in prose: a self-evaluation report's 绩效指标完成情况 in sentences.

    3.时效指标。补助资金每季度末发放指标为100%实际完成值为100%
    2.质量指标。资金拨付准确率为100%，覆盖率及到位率均为98%

A paragraph that opens with a second-level name (数量指标, 质量指标, …) states
its indicators in one of two ways: a name with its target and its result
(`…指标为V，实际完成值为W`), or a name (or several joined by 及/和/、) with the
result it reached (`…为V`, `…达到V`). A name must read as a measure (…率, …数,
…量, …度) in the second form, so that a sentence about money or work is no
indicator. Nothing is read from a paragraph without such an opening.
"""
from __future__ import annotations

import re

from extract.ir import Block
from normalize.levels import level1_for_level2, level2_code
from normalize.text import squash_spaces, to_halfwidth
from normalize.values import parse_value
from parsers.records import IndicatorRow

OPENING = re.compile(
    r"^\s*(?:[（(]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）、.．]\s*)?"
    r"(?P<level>数量|质量|时效|成本|经济效益|社会效益|生态效益|可持续影响|(?:服务对象)?满意度)指标\s*[。.:：,，;；]?")
VALUE = r"(?:[≥≤><=]\s*)?\d+(?:\.\d+)?\s*(?:%|万元|元|人次|个|人|次|户|家|项|天|月|年|场|件|座|处|份|篇|名|亩|公里)?"
# a name with its target and result: `…发放指标为100%实际完成值为100%`
TARGET_AND_RESULT = re.compile(
    rf"(?P<name>[^，。；;,%]{{2,40}}?)(?:的)?(?:指标值?|目标值?|年度目标)(?:为|是|：|:)\s*(?P<target>{VALUE})"
    rf"[，,]?\s*(?:实际)?(?:完成值|完成情况|完成|实现)(?:为|是|：|:)?\s*(?P<actual>{VALUE})")
# names with the result they reached: `资金拨付准确率为100%`, `覆盖率及到位率均为98%`
RESULT = re.compile(rf"(?P<names>[^，。；;,%\d]{{2,40}}?)(?:均|都|分别)?(?:为|达到|达|是)\s*(?P<actual>{VALUE})")
MEASURE_NAME = re.compile(r"(?:率|数|量|度|人数|次数|户数|面积|时长|天数)$")
JOINED = re.compile(r"及|和|与|、|以及")
LEAD = re.compile(r"^(?:其中|全年|本年|年度|实际|共|且|并|经|以上|的)+")


def prose_indicators(blocks: list[Block]) -> list[IndicatorRow]:
    out: list[IndicatorRow] = []
    for block in blocks:
        if block.kind == "table":
            continue
        text = squash_spaces(to_halfwidth(block.text))
        m = OPENING.match(text)
        if not m:
            continue
        level2 = level2_code(m.group("level") + "指标")
        if level2 is None:
            continue
        level1 = level1_for_level2(level2)
        out.extend(_read(text[m.end():], block, level1, level2, m.group("level") + "指标"))
    return out


def _read(body: str, block: Block, level1: str, level2: str, level2_raw: str) -> list[IndicatorRow]:
    rows: list[IndicatorRow] = []
    pos = 0
    while pos < len(body):
        both = TARGET_AND_RESULT.search(body, pos)
        one = RESULT.search(body, pos)
        if both and (not one or both.start() <= one.start() or both.start() < one.end()):
            name = _clean_name(both.group("name"))
            if name:
                rows.append(_row(name, both.group("target"), both.group("actual"), block, level1, level2, level2_raw))
            pos = both.end()
            continue
        if not one:
            break
        names = [_clean_name(n) for n in JOINED.split(one.group("names"))]
        if names and all(n and MEASURE_NAME.search(n) for n in names):
            for name in names:
                rows.append(_row(name, None, one.group("actual"), block, level1, level2, level2_raw))
        pos = one.end()
    return rows


def _clean_name(raw: str) -> str:
    s = LEAD.sub("", raw.strip(" ：:，,"))
    return s if len(s) >= 2 else ""


def _row(name: str, target: str | None, actual: str, block: Block, level1: str, level2: str,
         level2_raw: str) -> IndicatorRow:
    return IndicatorRow(name=name, prov=block.prov, level1=level1, level2=level2, level2_raw=level2_raw,
                        target=parse_value(target) if target else None, actual=parse_value(actual))
