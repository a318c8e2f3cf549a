"""Canonical units for VALUEs and amounts."""
from __future__ import annotations

from normalize.text import squash_spaces, to_halfwidth

# Multipliers to yuan; '万'/'亿' alone occur in prose ("0.3万") and mean money there.
MONEY_FACTORS = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000, "万": 10000, "亿": 100000000}
# Units that are money whatever the context; bare '万' may count people ("1万人" is not money).
MONEY_UNITS = frozenset({"元", "千元", "万元", "亿元"})


def is_money_unit(u: str | None) -> bool:
    return u is not None and squash_spaces(to_halfwidth(u)) in MONEY_UNITS


def canonical_unit(u: str | None) -> str | None:
    """'个月' -> '月', money -> '元', '％' -> '%'; measure words kept as printed."""
    if u is None:
        return None
    u = squash_spaces(to_halfwidth(u))
    if not u:
        return None
    if u in MONEY_UNITS:
        return "元"
    if u == "个月":
        return "月"
    if u in ("百分比", "百分点", "％"):
        return "%"
    return u
