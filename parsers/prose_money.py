"""Amounts stated in sentences to FINANCE and EXPENDITURE rows.

"2021年基本支出392.52万元，其中工资福利支出382.07万元" gives finance rows;
"其中用于死亡抚恤188.27万元" gives an expenditure by purpose. A clause's
label is the text between the previous punctuation and the amount. Parts
that follow a total (其中…, or in brackets) are read in its context: 商品和
服务支出 under 项目支出 is the project's, not the department's 公用支出, and
a 上年度 figure is the prior year's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from extract.ir import Provenance
from normalize.money import to_yuan
from normalize.text import fix_ocr_value, squash_spaces, to_halfwidth
from parsers.finance_items import FUND_TYPES, PRIOR_YEAR_VARIANTS, PROJECT_VARIANTS, clean_label, item_code
from parsers.records import CheckRow, ExpenditureRow, FinanceRow

AMOUNT = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万余元|余万元|万多元|多万元|万元|亿元|千元|元|万(?![余多]?[份人个次件户家名套台条位座项]))"
)
BARE_AMOUNT = re.compile(r"(?<=[\u4e00-\u9fa5])(?P<num>\d+\.\d+)(?=\s*(?:[；;，,。）)]|$))")
SENTENCE_END = re.compile(r"(?<=。)|\n")
OCR_SUSPECT = re.compile(r"[OoIl兀≧≦═＝]|\d[,，]\d")
CLAUSE_BREAK = re.compile(r"[，,；;。：:（()）\n]")
PRIOR_YEAR = re.compile(r"上年度|上一年度|去年|上年(?!结转|结余)")
SPEND_VERBS = re.compile(r"(?:共|累计)?(?:发放|用于|拨付|下拨|支付|安排|投入)|(?:共|累计)支出")
PURPOSE_AFTER = re.compile(r"^\s*(?:资金)?\s*(?:用于|专门用于|解决|帮助|支持)(?P<what>[^，,；;。]{2,30})")
LEADING_NOISE = re.compile(r"^(?:[（(]?\s*\d{1,2}\s*[)）、.．]|[一二三四五六七八九十]+[、.．]|其中|含|以及|及|和|\d{4}年度?|今年|全年|我局|共|为)+")
NOT_SPENDING = re.compile(r"贷款|融资|增长|增加|减少|下降|节约|同比|较上年|比上年|结余|缺口|收入")
GENERIC = re.compile(r"^(?:资金|经费|金额|款项|资金共计|专项资金|元|万元)?$")


@dataclass
class MoneyFacts:
    finance: list[FinanceRow] = field(default_factory=list)
    expenditures: list[ExpenditureRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


def texts_to_money(texts: list[tuple[str, Provenance]]) -> MoneyFacts:
    facts = MoneyFacts()
    seen_fin: set[tuple] = set()
    seen_exp: set[tuple] = set()
    for text, prov in texts:
        text = to_halfwidth(text)
        if OCR_SUSPECT.search(text):
            text = fix_ocr_value(text)
        for sentence in sentences(text):
            _sentence_to_money(sentence, prov, facts, seen_fin, seen_exp)
    return facts


def _amounts(sentence: str) -> list[tuple[int, int, str, str]]:
    """(start, end, number, unit) of each amount; bare decimals in a list of 万元 count as 万元."""
    found = [(m.start(), m.end(), m.group("num"), _unit(m.group("unit"))) for m in AMOUNT.finditer(sentence)]
    if sum(1 for *_, u in found if u == "万元") >= 2:
        taken = {s for s, *_ in found}
        for m in BARE_AMOUNT.finditer(sentence):
            if m.start() not in taken and not any(s <= m.start() < e for s, e, *_ in found):
                found.append((m.start(), m.end(), m.group("num"), "万元"))
    return sorted(found)


def _unit(raw: str) -> str:
    return "万元" if "万" in raw else raw.replace("余", "").replace("多", "")


def _sentence_to_money(sentence: str, prov: Provenance, facts: MoneyFacts, seen_fin: set, seen_exp: set) -> None:
    amounts = _amounts(sentence)
    if not amounts:
        return
    context: str | None = None
    prior = False
    last_end = 0
    for start, end, num, unit in amounts:
        clause_start = max((m.end() for m in CLAUSE_BREAK.finditer(sentence, last_end, start)), default=last_end)
        label = sentence[clause_start:start].strip()
        after = sentence[end:end + 40]
        last_end = end
        if PRIOR_YEAR.search(label):
            prior = True
        if unit == "元" and _same_figure_in_wan(sentence, num, start):
            facts.checks.append(CheckRow("unit_suspect", f"“{label}{num}元” is printed in 元, but the same figure is given in 万元 beside it; stored as {num}万元", prov))
            unit = "万元"
        value = to_yuan(Decimal(num), unit)
        code = item_code(label)
        if code is not None:
            code = _in_context(code, context, prior)
            if code in ("basic", "project", "project_income"):
                context = code
            elif code in ("funds_total", "expenditure_total", "prior_year_funds_total", "prior_year_expenditure_total"):
                context = None
            key = (None, code, "actual")
            if key not in seen_fin:
                seen_fin.add(key)
                facts.finance.append(FinanceRow(item=code, label=clean_label(label) or label, measure=_measure(label),
                                                value=value, prov=prov))
            continue
        item = _purpose(label, after)
        if item is None:
            continue
        key = (item, value)
        if key not in seen_exp:
            seen_exp.add(key)
            facts.expenditures.append(ExpenditureRow(item=item, value=value, prov=prov))


def _same_figure_in_wan(sentence: str, num: str, start: int) -> bool:
    return any(m.group("num") == num and "万" in m.group("unit") and m.start() != start for m in AMOUNT.finditer(sentence))


def _in_context(code: str, context: str | None, prior: bool) -> str:
    if prior and code in PRIOR_YEAR_VARIANTS:
        return PRIOR_YEAR_VARIANTS[code]
    if context in ("project", "project_income") and code in PROJECT_VARIANTS:
        return PROJECT_VARIANTS[code]
    if code == "goods_services":
        return "public_use"
    return code


def _measure(label: str) -> str:
    """预算 in a label means a budgeted amount, unless it names a kind of fund (一般公共预算)."""
    label = FUND_TYPES.sub("", label)
    if "年初预算" in label:
        return "budget_initial"
    return "budget" if "预算" in label else "actual"


def _purpose(label: str, after: str) -> str | None:
    """What an amount was spent on, as printed, or None when it is not spending."""
    m = PURPOSE_AFTER.match(after)
    if m:
        item = m.group("what")
    else:
        item = LEADING_NOISE.sub("", squash_spaces(label))
        verbs = list(SPEND_VERBS.finditer(item))
        if verbs:
            item = item[verbs[-1].end():]
        item = LEADING_NOISE.sub("", item)
    item = item.strip("“”\"' ")
    if GENERIC.match(item) or NOT_SPENDING.search(item) or len(item) > 30 or re.match(r"^\d", item):
        return None
    return item
