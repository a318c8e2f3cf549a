"""Evaluation grades (优/良/中/差) to SCHEMA codes."""
from __future__ import annotations

import re

from normalize.text import squash_spaces, to_halfwidth

_GRADES = {
    "优": "excellent", "优秀": "excellent", "A": "excellent",
    "良": "good", "良好": "good", "B": "good",
    "中": "fair", "中等": "fair", "合格": "fair", "一般": "fair", "C": "fair",
    "差": "poor", "较差": "poor", "不合格": "poor", "D": "poor",
}
_QUOTES = re.compile(r"[\"'“”‘’「」『』《》]")
# Printed decorations around the grade word: "优秀级", "等级：优".
_DECOR = re.compile(r"^(?:自评)?(?:等级|评级|级别)?[:：为]?|(?:级|等级|等次)$")


def grade_code(raw: str | None) -> str | None:
    """'优' / '优秀' / 'A' -> 'excellent', ... ; None when not a grade."""
    if raw is None:
        return None
    s = _QUOTES.sub("", squash_spaces(to_halfwidth(raw)))
    s = _DECOR.sub("", s)
    return _GRADES.get(s.upper() if len(s) == 1 and s.isascii() else s)
