"""Indicator levels: 一级指标 / 二级指标 labels to SCHEMA codes."""
from __future__ import annotations

import re
from functools import lru_cache

from normalize.text import squash_spaces, to_halfwidth

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+|\d+)[、.．]")
_TRAILING_PAREN = re.compile(r"[（(].*$")

_LEVEL1 = [
    (re.compile(r"^(?:项目)?产出(?:指标|目标)?$|^项目完成(?:指标)?$"), "output"),
    (re.compile(r"^(?:项目)?效益(?:指标|目标)?$"), "outcome"),
    (re.compile(r"^满意度(?:指标|目标)?$"), "satisfaction"),
    (re.compile(r"^成本(?:指标|目标)?$"), "cost"),
    (re.compile(r"^(?:项目|部门)?决策(?:指标)?$"), "decision"),
    (re.compile(r"^(?:项目)?过程(?:指标)?$|^(?:项目|综合)管理(?:指标)?$"), "process"),
]
_LEVEL2 = [
    (re.compile(r"^数量(?:指标)?$"), "quantity"),
    (re.compile(r"^质量(?:指标)?$"), "quality"),
    (re.compile(r"^时效(?:性)?(?:指标)?$"), "timeliness"),
    (re.compile(r"^(?:经济|社会|生态环境)?成本(?:指标)?$"), "cost"),
    (re.compile(r"^经济效益(?:指标)?$"), "economic"),
    (re.compile(r"^社会效益(?:指标)?$"), "social"),
    (re.compile(r"^生态(?:环境)?效益(?:指标)?$"), "ecological"),
    (re.compile(r"^可持续(?:影响|发展)?(?:指标)?$"), "sustainability"),
    (re.compile(r"^(?:社会公众或)?(?:服务对象)?满意度(?:指标)?$"), "satisfaction"),
    (re.compile(r"^(?:经济|社会|生态)成本(?:指标)?$"), "cost"),
    (re.compile(r"^(?:社会公众|群众)满意度(?:指标)?$"), "satisfaction"),
]
# Longer cells are indicator names that merely mention 质量/满意度.
_LEVEL2_MAX_LEN = 14

LEVEL2_ORDER = {
    "output": ["quantity", "quality", "timeliness", "cost"],
    "outcome": ["economic", "social", "ecological", "sustainability"],
    "satisfaction": ["satisfaction"],
}
_PARENT = {code: parent for parent, codes in LEVEL2_ORDER.items() for code in codes}


# labels recur in every report: each distinct one read once
@lru_cache(maxsize=16384)
def _clean(raw: str | None) -> str:
    s = squash_spaces(to_halfwidth(raw or "")).lstrip("★☆*")
    s = _NUMBERING.sub("", s)
    s = _TRAILING_PAREN.sub("", s)
    s = s.replace("效益效益", "效益")  # a doubled word in filled-in forms
    return re.sub(r"(?<=指标)(?:等|类)$", "", s)


@lru_cache(maxsize=16384)
def level1_code(raw: str | None) -> str | None:
    """'产出指标' -> 'output', '满意度\\n指标' -> 'satisfaction', ...; else None."""
    s = _clean(raw)
    return next((code for pattern, code in _LEVEL1 if pattern.match(s)), None)


@lru_cache(maxsize=16384)
def level2_code(raw: str | None) -> str | None:
    """'数量指标' -> 'quantity', '社会效益' -> 'social', ...; long names -> None."""
    s = _clean(raw)
    if not s or len(s) > _LEVEL2_MAX_LEN:
        return None
    return next((code for pattern, code in _LEVEL2 if pattern.match(s)), None)


def level1_for_level2(code: str) -> str:
    """The first level a second-level code belongs to: 'quality' -> 'output'."""
    return _PARENT[code]


def is_level1_label(s: str | None) -> bool:
    return level1_code(s) is not None


def is_level2_label(s: str | None) -> bool:
    return level2_code(s) is not None
