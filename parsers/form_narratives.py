"""The narrative cells of a form whose text ran together: label, text, label, text ….

A PDF preview or an OCR'd form often loses every border: `项目概况…建设项目立项情况
项目立项的依据…项目绩效目标长期目标年度目标改善…`. A form's narrative cells are
named by a small vocabulary (项目概况, 立项情况, 年度总体目标, 全年目标实际完成情况 …),
so the labels are found by that vocabulary and each text runs to the next label
of any kind (the key–value labels of `form_fields` and the table words end it too).

Labels that follow each other with no text between are one group, as a merged
label over its sub-labels (`年度总体目标 | 预期目标 | 实际完成情况 | text | text`): the
group's first label names it; when its labels name two kinds (the target and its
result), the text's parts are dealt to them from the right.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extract.ir import Block
from normalize.text import trie_pattern
from parsers.records import SectionRow
from parsers.sections import _is_prompt
from parsers.tables import clean

# label -> section kind; SUB continues the section above (the parts of 立项情况);
# SKIP names a part that is a table or a field, not a narrative (its group is no section).
SUB, SKIP = "", "-"
NARRATIVE_LABELS: dict[str, str] = {
    **dict.fromkeys((
        "年度总体目标", "项目年度目标", "当年绩效目标", "年初绩效目标", "全年(调整)绩效目标", "调整后绩效目标",
        "年初设定目标", "项目绩效目标", "年度绩效目标", "整体绩效目标", "部门整体绩效目标", "实施期绩效目标",
        "实施期目标", "预期目标", "年度目标", "长期目标", "中期目标", "总体目标", "绩效目标",
    ), "goals"),
    **dict.fromkeys((
        "全年目标实际完成情况", "年度总体目标完成情况", "总体目标完成情况", "年度目标完成情况", "目标完成情况",
        "全年实际完成情况", "实际完成情况", "完成情况", "评价结论", "自评结论", "总体评价",
    ), "conclusion"),
    **dict.fromkeys(("项目概况", "项目基本情况", "项目简介", "部门概况", "单位概况", "单位基本情况"), "overview"),
    **dict.fromkeys(("部门职能", "单位职能", "主要职能", "职能职责", "部门职责", "主要职责"), "functions"),
    **dict.fromkeys(("项目实施内容及过程概述", "项目实施内容", "项目实施情况", "实施内容"), "implementation"),
    **dict.fromkeys(("存在问题", "存在的问题", "主要问题", "问题及原因"), "problems"),
    **dict.fromkeys(("改进措施", "改进建议", "整改措施", "下一步改进措施", "下一步工作计划"), "suggestions"),
    **dict.fromkeys(("主要经验及做法", "经验做法"), "experience"),
    "立项情况": "other",
    **dict.fromkeys(("项目立项的依据", "项目申报的可行性", "项目申报的必要性", "立项依据"), SUB),
    **dict.fromkeys((
        "项目实施进度计划", "绩效指标", "长期绩效指标", "年度绩效指标", "一级指标", "二级指标", "三级指标",
        "开始时间", "完成时间", "项目资金", "年度资金总额", "资金情况", "预算执行情况", "绩效目标实现措施",
    ), SKIP),
}
MIN_HAN = 6  # fewer characters than this is a field's word (无, 完成), not a narrative
HAN = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from parsers.form_fields import _LABEL_WORDS

    def bracketed(words) -> str:
        return trie_pattern(sorted(words)).replace(r"\(", "[(（]").replace(r"\)", "[)）]")

    narrative = re.compile(bracketed(NARRATIVE_LABELS))
    stops = re.compile(bracketed(set(_LABEL_WORDS) - set(NARRATIVE_LABELS)))
    return narrative, stops


def runon_form_sections(blocks: list[Block]) -> list[SectionRow]:
    """Sections of a form's run-together paragraphs (tables keep their own readers)."""
    out: list[SectionRow] = []
    seen: set[str] = set()
    for block in blocks:
        if block.kind == "table" or _is_prompt(block.text):
            continue  # a template's instruction names the part it asks for (分析存在的问题…)
        for kind, heading, text in text_to_narratives(block.text):
            if kind not in seen:
                seen.add(kind)
                out.append(SectionRow(kind, heading, text, block.prov))
    return out


def text_to_narratives(text: str) -> list[tuple[str, str, str]]:
    """(kind, heading, text) for each labelled narrative of one run-together line."""
    pieces = _label_pieces(text)
    out: list[tuple[str, str, str]] = []
    k = 0
    while k < len(pieces):
        group = []
        while k < len(pieces) and pieces[k][0] is not None:
            group.append(pieces[k])
            k += 1
        body = pieces[k][1] if k < len(pieces) else ""
        k += 1
        if not group:
            continue
        if group[0][0] == SUB and out:
            kind, heading, previous = out.pop()  # a part of the section above (立项依据 under 立项情况)
            out.append((kind, heading, (previous + "\n" + body).strip()))
            continue
        if group[0][0] in (SKIP, SUB):
            continue
        kinds = list(dict.fromkeys(kind for kind, _ in group if kind not in (SKIP, SUB)))
        for kind, part in _deal(kinds, body):
            if len(HAN.findall(part)) >= MIN_HAN:
                heading = next(label for label_kind, label in group if label_kind == kind)
                out.append((kind, clean(group[0][1] if kind == kinds[0] else heading), part.strip()))
    return out


def _label_pieces(text: str) -> list[tuple[str | None, str]]:
    """The line cut into (kind, label) and (None, text) pieces, in order."""
    narrative, stops = _patterns()
    marks: list[tuple[int, int, str]] = []
    for m in narrative.finditer(text):
        marks.append((m.start(), m.end(), NARRATIVE_LABELS[_plain(m.group())]))
    if not marks:
        return []
    taken = 0
    stop_marks = []
    for m in stops.finditer(text):
        if all(m.end() <= s or m.start() >= e for s, e, _ in marks):
            stop_marks.append((m.start(), m.end(), SKIP))
    marks = sorted(marks + stop_marks)
    pieces: list[tuple[str | None, str]] = []
    for start, end, kind in marks:
        between = text[taken:start].strip(" \u3000:：、,，;；|")
        if between:
            pieces.append((None, between))
        pieces.append((kind, text[start:end]))
        taken = end
    tail = text[taken:].strip(" \u3000:：、,，;；|")
    if tail:
        pieces.append((None, tail))
    return pieces


def _plain(label: str) -> str:
    return label.replace("（", "(").replace("）", ")")


def _deal(kinds: list[str], body: str) -> list[tuple[str, str]]:
    """The body given to the group's kinds: one text to the first, parts from the right otherwise."""
    if len(kinds) <= 1:
        return [(kinds[0], body)] if kinds else []
    parts = [p for p in re.split(r"\s+", body) if p] if re.search(r"\s", body) else \
        [p for p in re.split(r"(?<=[。！？])", body) if p.strip()]
    if len(parts) < 2:
        return [(kinds[0], body)]
    n = min(len(kinds), len(parts))
    head = kinds[: len(kinds) - n + 1]
    dealt = [(head[0], "".join(parts[: len(parts) - n + 1]))]
    dealt += list(zip(kinds[len(kinds) - n + 1:], parts[len(parts) - n + 1:]))
    return dealt
