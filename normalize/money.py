"""Money amounts: find them in text and convert them to yuan with Decimal."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from normalize.text import fix_ocr_value, squash_spaces, to_halfwidth
from normalize.units import MONEY_FACTORS

_CENT = Decimal("0.01")


def to_yuan(number: str | Decimal | float, unit: str | None) -> float:
    """Amount in `unit` (None = 元) to yuan, rounded half-up to the cent."""
    if isinstance(number, float):
        number = repr(number)  # shortest exact repr; Decimal(float) would keep binary noise
    if not isinstance(number, Decimal):
        number = Decimal(squash_spaces(str(number)).replace(",", ""))
    key = "元" if unit is None else squash_spaces(to_halfwidth(unit))
    if key not in MONEY_FACTORS:
        raise ValueError(f"not a money unit: {unit!r}")
    return float((number * MONEY_FACTORS[key]).quantize(_CENT, rounding=ROUND_HALF_UP))


# Number, then optional 余 ("about"), magnitude and 元 in either order of 余.
_AMOUNT = re.compile(
    r"(?<![\d.])(?P<num>-?\d[\d,]*(?:\.\d+)?)\s*余?\s*(?P<mag>亿|万|千(?=\s*余?\s*元))?\s*余?\s*(?P<yuan>元)?"
)


def parse_amount(s: str) -> tuple[Decimal, str | None] | None:
    """First amount in s: '4294.75万余元' -> (Decimal('4294.75'), '万元'); None if none."""
    if not s:
        return None
    t = fix_ocr_value(to_halfwidth(s))
    m = _AMOUNT.search(t)
    if not m:
        return None
    number = Decimal(m.group("num").replace(",", ""))
    unit = (m.group("mag") or "") + (m.group("yuan") or "")
    return number, unit or None
