"""Column headers to roles: the one vocabulary every table reader uses.

A header cell as printed (`预算执行数`, `年初目标值(A)`, `得分\n(20分*执行率)`)
is cleaned (no white space, half-width, a trailing `(A)`/`(B/A)` and points
dropped) and matched against the vocabulary below, the longest word first,
so that `预算执行数` is the amount spent (`actual`), not a budget, and
`执行率得分` is a score, not a rate. Units printed in a header (`(万元)`)
and points (`(20分)`) are read apart from the role.

Roles:
- label columns: `level1`, `level2`, `name` (the indicator), `label` (a
  finance row's label: 项目资金, 资金来源), `block` (a row-label header cell
  that names a part of the form, `预算执行情况(10分)`, `绩效指标(90分)`:
  it stands over the rows, it is no column of its own);
- indicator values: `op`, `target`, `target_adjusted`, `unit`, `actual`,
  `weight`, `score`, `deviation`, `coefficient`, `core`, `explanation`;
- money: `budget_initial`, `budget`, `actual`, `rate`, `weight`, `score`
  (the same `actual`/`weight`/`score` roles as indicators: a table's kind
  comes from its other columns).
- tasks: `section`, `section_no`, `item`, `criterion`, `points`, `self_score`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from normalize.text import squash_spaces, to_halfwidth

# (word, role): matched as a substring of the cleaned header, longest word first.
_VOCABULARY: tuple[tuple[str, str], ...] = (
    # indicator labels
    ("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"),
    ("指标名称", "name"), ("指标内容", "name"), ("具体指标", "name"), ("绩效指标名称", "name"),
    # indicator values
    ("指标性质", "op"), ("计算符号", "op"), ("运算符号", "op"), ("指标方向", "op"),
    ("度量单位", "unit"), ("计量单位", "unit"), ("指标单位", "unit"),
    ("调整指标值", "target_adjusted"), ("调整后指标值", "target_adjusted"), ("全年(调整)指标值", "target_adjusted"),
    ("年度指标值", "target"), ("年初指标值", "target"), ("年初目标值", "target"), ("指标值", "target"),
    ("目标值", "target"), ("预期目标值", "target"), ("当年预期实现值", "target"), ("预期实现值", "target"),
    ("计划值", "target"), ("标准值", "target"), ("考核指标值", "target"),
    ("实际完成值", "actual"), ("全年实际值", "actual"), ("全年完成值", "actual"), ("实际完成情况", "actual"),
    ("完成值", "actual"), ("实际值", "actual"), ("完成情况", "actual"), ("实际完成", "actual"),
    ("得分系数", "coefficient"), ("是否核心指标", "core"), ("核心指标", "core"),
    ("偏差原因分析及改进措施", "deviation"), ("未完成原因分析及改进措施", "deviation"),
    ("未完成原因及拟采取的改进措施", "deviation"), ("未完成原因分析", "deviation"), ("偏差原因", "deviation"),
    ("原因分析", "deviation"), ("改进措施", "deviation"), ("原因", "deviation"), ("备注", "deviation"),
    ("绩效标准", "explanation"), ("指标解释", "explanation"), ("指标说明", "explanation"),
    # money
    ("年初预算数", "budget_initial"), ("年初预算", "budget_initial"), ("年初预匏数", "budget_initial"),
    ("全年(调整)预算数", "budget"), ("全年预算数", "budget"), ("调整后预算数", "budget"), ("调整预算数", "budget"),
    ("调整后预算", "budget"), ("预算数", "budget"), ("预算金额", "budget"), ("批复数", "budget"),
    ("全年执行数", "actual"), ("预算执行数", "actual"), ("执行数", "actual"), ("实际支出", "actual"),
    ("决算数", "actual"), ("支出数", "actual"), ("金额", "amount"),
    ("预算执行率", "rate"), ("执行率", "rate"), ("完成率", "rate"),
    ("执行率权重", "weight"), ("执行率得分", "score"),
    # both
    ("指标权重", "weight"), ("分值", "weight"), ("权重", "weight"), ("满分", "weight"), ("考值", "weight"),
    ("基本分", "weight"), ("权数", "weight"),
    ("指标得分", "score"), ("得分", "score"), ("评分", "score"), ("自评分", "score"), ("考评分", "score"),
    ("考评得分", "score"),
    ("序号", "seq"), ("编号", "seq"),
    # scoring rules (考评细则, 任务分解表)
    ("评分标准", "criterion"), ("考核标准", "criterion"), ("考评标准", "criterion"), ("评分细则", "criterion"),
    ("评分办法", "criterion"), ("评分方法", "criterion"), ("计分方法", "criterion"),
    ("考核内容", "item"), ("考评内容", "item"), ("评分内容", "item"), ("工作内容", "item"), ("任务内容", "item"),
    ("考评项目", "section"), ("考核项目", "section"), ("评分任务", "section"), ("考核任务", "section"),
    ("完成时限", "deadline"), ("完成时间", "deadline"), ("牵头领导", "lead"), ("责任领导", "lead"),
    ("责任股室", "office"), ("责任单位", "office"), ("责任科室", "office"), ("责任人", "owner"),
    ("考核指标", "task_indicator"), ("年度工作目标", "task_target"),
    # finance row labels
    ("项目资金", "label"), ("年度预算数", "label"), ("项目", "label"), ("资金来源", "label"), ("资金情况", "label"),
)
_WORDS = sorted(_VOCABULARY, key=lambda p: -len(p[0]))
# Row-label header cells that name a part of the form: they stand over the rows.
_BLOCK = re.compile(r"^(?:预算执行情况|年度绩效目标|绩效指标|年度绩效指标|长期绩效指标|绩效目标)(?:\(\d+(?:\.\d+)?分\))?")
_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分[^)）]*[)）]")
_UNIT = re.compile(r"[（(]\s*(万元|元|千元|亿元)\s*[)）]|单位[：:]\s*(万元|元|千元|亿元)")
_SENTENCE = re.compile(r"[。，,；;]")
_PAREN_ANY = re.compile(r"\([^()]*\)")
_TRAILING_MARK = re.compile(r"[（(][A-Za-z/×*\s]+[)）]$")
# Longer cells are text, not headers (a header cell is a few words).
MAX_HEADER_LEN = 16

VALUE_ROLES = frozenset({"op", "target", "target_adjusted", "unit", "actual", "weight", "score", "deviation",
                         "coefficient", "core", "explanation", "budget_initial", "budget", "rate", "amount"})


@dataclass(frozen=True)
class Column:
    role: str
    points: float | None = None  # `(20分)` in the header
    unit: str | None = None  # `(万元)` in the header


def clean_header(text: str) -> str:
    s = squash_spaces(to_halfwidth(text or ""))
    return s.replace("（", "(").replace("）", ")")


@lru_cache(maxsize=8192)
def column_role(text: str) -> Column | None:
    """The role a header cell names, or None when it is no header word."""
    s = clean_header(text)
    if not s:
        return None
    points_m = _POINTS.search(s)
    unit_m = _UNIT.search(s)
    points = float(points_m.group(1)) if points_m else None
    unit = (unit_m.group(1) or unit_m.group(2)) if unit_m else None
    bare = _POINTS.sub("", _UNIT.sub("", s))
    bare = _PAREN_ANY.sub("", _TRAILING_MARK.sub("", bare))
    if _BLOCK.match(s) and len(bare) <= MAX_HEADER_LEN and not _SENTENCE.search(s):
        return Column("block", points, unit)  # a block's label, not a narrative opening with its name
    if len(bare) > MAX_HEADER_LEN or not bare:
        return None
    for word, role in _WORDS:
        if word in bare:
            # a label that only mentions the word inside a longer phrase is no header
            if len(bare) > len(word) + 6:
                return None
            return Column(role, points, unit)
    return None


@lru_cache(maxsize=8192)
def fuzzy_column_role(text: str) -> Column | None:
    """A header word misread by OCR (`年成值全完值` for 全年完成值): the closest word, if close."""
    s = _PAREN_ANY.sub("", clean_header(text))
    if not 3 <= len(s) <= 8:
        return None
    best = max(((_char_overlap(s, w), role) for w, role in _WORDS if len(w) >= 3), default=(0.0, None))
    return Column(best[1]) if best[0] >= 0.8 and best[1] else None


def _char_overlap(a: str, b: str) -> float:
    """Dice overlap of the characters: OCR'd headers keep their characters but not their order."""
    from collections import Counter

    common = sum((Counter(a) & Counter(b)).values())
    return 2 * common / (len(a) + len(b))


_EXACT = frozenset(w for w, _ in _VOCABULARY)


@lru_cache(maxsize=8192)
def is_exact_header(text: str) -> bool:
    """The cell is a header word and nothing more (points, units and marks aside): 完成率 is,
    项目完成率 (a name that holds the word) is not."""
    s = _PAREN_ANY.sub("", _TRAILING_MARK.sub("", _POINTS.sub("", _UNIT.sub("", clean_header(text)))))
    return s in _EXACT or bool(_BLOCK.fullmatch(s))
