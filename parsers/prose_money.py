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
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from extract.ir import Provenance
from normalize.money import to_yuan
from normalize.text import fix_ocr_value, squash_spaces, to_halfwidth
from parsers.finance_items import FUND_TYPES, PRIOR_YEAR_VARIANTS, PROJECT_VARIANTS, clean_label, item_code
from parsers.records import CheckRow, ExpenditureRow, FinanceRow

# Every pattern here runs on user text, so each must take time linear in it.
# An amount starts where a run of digits starts ((?<!\d)): without that, a
# run of n digits with no unit after it is tried from each of its n digits,
# each try scanning to its end (n² steps: 300,000 digits took hours). The
# leftmost match is the same either way (\d+ from the run's start can cover
# any later start), so the amounts found do not change.
AMOUNT = re.compile(
    r"(?<!\d)(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万余元|余万元|万多元|多万元|万元|亿元|千元|元|万(?![余多]?[份人个次件户家名套台条位座项]))"
)
BARE_AMOUNT = re.compile(r"(?<=[\u4e00-\u9fa5])(?P<num>\d+\.\d+)(?=\s*(?:[；;，,。）)]|$))")
SENTENCE_END = re.compile(r"(?<=。)|\n")
OCR_SUSPECT = re.compile(r"[OoIl兀≧≦═＝]|\d[,，]\d")
CLAUSE_BREAK = re.compile(r"[，,；;。：:（()）\n]")
PRIOR_YEAR = re.compile(r"上年度|上一年度|去年|上年(?!结转|结余)")
SPEND_VERBS = re.compile(r"(?:共|累计)?(?:发放|用于|拨付|支付|投入)|(?:共|累计)支出")
PURPOSE_AFTER = re.compile(r"^\s*(?:资金)?\s*(?:用于|专门用于|解决|帮助|支持)(?P<what>[^，,；;。]{2,30})")
LEADING_NOISE = re.compile(r"^(?:[（(]?\s*\d{1,2}\s*[)）、.．]|[一二三四五六七八九十]+[、.．]|其中|含|以及|及|和|\d{4}年度?|今年|全年|我局|共|为)+")
NOT_SPENDING = re.compile(r"贷款|融资|增长|增加|减少|下降|节约|同比|较上年|比上年|结余|缺口|收入")
# money received or approved, said before the amount, is no spending by purpose
NOT_SPENT_LABEL = re.compile(r"预算|到位|下达|下拨|收到|批复|应执行|申请")
GENERIC = re.compile(r"^(?:资金|经费|金额|款项|资金共计|专项资金|元|万元)?$")


@dataclass
class MoneyFacts:
    finance: list[FinanceRow] = field(default_factory=list)
    expenditures: list[ExpenditureRow] = field(default_factory=list)
    checks: list[CheckRow] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text) if s.strip()]


RATE = re.compile(r"(?:预算|资金)?执行率\s*(?:为|达到|达|是)?\s*(?P<num>\d+(?:\.\d+)?)\s*%")


def texts_to_money(texts: list[tuple[str, Provenance]], default_measure: str = "actual") -> MoneyFacts:
    """`default_measure`: what an amount with no verb is (a target table's figures are its budget)."""
    facts = MoneyFacts()
    seen_fin: set[tuple] = set()
    seen_exp: set[tuple] = set()
    for text, prov in texts:
        text = to_halfwidth(text)
        if OCR_SUSPECT.search(text):
            text = fix_ocr_value(text)
        for sentence in sentences(text):
            _sentence_to_money(sentence, prov, facts, seen_fin, seen_exp, default_measure)
            _sentence_to_rate(sentence, prov, facts, seen_fin)
    return facts


def _sentence_to_rate(sentence: str, prov: Provenance, facts: MoneyFacts, seen_fin: set) -> None:
    """`执行率100%` in prose: the execution rate of the funds (one per document)."""
    m = RATE.search(sentence) if "执行率" in sentence else None
    key = (None, "funds_total", "rate")
    if m and key not in seen_fin and float(m.group("num")) <= 1000:
        seen_fin.add(key)
        facts.finance.append(FinanceRow(item="funds_total", label="执行率", measure="rate",
                                        value=float(m.group("num")), prov=prov))


def _amounts(sentence: str) -> list[tuple[int, int, str, str]]:
    """(start, end, number, unit) of each amount; bare decimals in a list of 万元 count as 万元."""
    if "元" not in sentence and "万" not in sentence:  # every amount's unit has one
        return []
    found = [(m.start(), m.end(), m.group("num"), _unit(m.group("unit"))) for m in AMOUNT.finditer(sentence)]
    if sum(1 for *_, u in found if u == "万元") >= 2:
        # finditer's matches do not overlap and come in order: a bare decimal
        # inside one is found by bisection, not by a scan of all of them.
        starts = [s for s, *_ in found]
        ends = [e for _, e, *_ in found]
        bare = []
        for m in BARE_AMOUNT.finditer(sentence):
            i = bisect_right(starts, m.start()) - 1
            if i < 0 or ends[i] <= m.start():
                bare.append((m.start(), m.end(), m.group("num"), "万元"))
        found.extend(bare)
    return sorted(found)


def _unit(raw: str) -> str:
    return "万元" if "万" in raw else raw.replace("余", "").replace("多", "")


def _sentence_to_money(sentence: str, prov: Provenance, facts: MoneyFacts, seen_fin: set, seen_exp: set,
                       default_measure: str = "actual") -> None:
    amounts = _amounts(sentence)
    if not amounts:
        return
    # number -> starts of its amounts printed in 万 (not the bare decimals,
    # which carry no unit of their own): found once, not per amount in 元
    wan: dict[str, list[int]] = defaultdict(list)
    for start, end, num, unit in amounts:
        if unit == "万元" and end - start > len(num):
            wan[num].append(start)
    context: str | None = None
    prior = False
    last_end = 0
    flow: str | None = None  # received (budget) or spent (actual): a total's verb carries to its parts
    for start, end, num, unit in amounts:
        breaks = [m for m in CLAUSE_BREAK.finditer(sentence, last_end, start)]
        clause_start = breaks[-1].end() if breaks else last_end
        label = sentence[clause_start:start].strip()
        if not label and breaks and breaks[-1].group(0) in ":：":
            # `收入:792.22万元`: the label stands before the colon
            before = [m for m in breaks[:-1]]
            label = sentence[(before[-1].end() if before else last_end):breaks[-1].start()].strip()
        after = sentence[end:end + 40]
        last_end = end
        verb = _flow(label)
        if verb:
            flow = verb
        if PRIOR_YEAR.search(label):
            prior = True
        if unit == "元" and any(s != start for s in wan.get(num, ())):
            facts.checks.append(CheckRow("unit_suspect", f"“{label}{num}元” is printed in 元, but the same figure is given in 万元 beside it; stored as {num}万元", prov))
            unit = "万元"
        value = to_yuan(Decimal(num), unit)
        code = item_code(label) or _prose_item(label, after, verb)
        if code is not None:
            code = _in_context(code, context, prior)
            if code in ("basic", "project", "project_income"):
                context = code
            elif code in ("funds_total", "expenditure_total", "prior_year_funds_total", "prior_year_expenditure_total"):
                context = None
            measure = _measure(label, verb or flow or default_measure)
            key = (None, code, measure)
            if key not in seen_fin:
                seen_fin.add(key)
                facts.finance.append(FinanceRow(item=code, label=clean_label(label) or label, measure=measure,
                                                value=value, prov=prov))
            continue
        item = _purpose(label, after)
        if item is None:
            continue
        key = (item, value)
        if key not in seen_exp:
            seen_exp.add(key)
            facts.expenditures.append(ExpenditureRow(item=item, value=value, prov=prov))


def _in_context(code: str, context: str | None, prior: bool) -> str:
    if prior and code in PRIOR_YEAR_VARIANTS:
        return PRIOR_YEAR_VARIANTS[code]
    if context in ("project", "project_income") and code in PROJECT_VARIANTS:
        return PROJECT_VARIANTS[code]
    if code == "goods_services":
        return "public_use"
    return code


def _measure(label: str, flow: str | None = None) -> str:
    """预算 in a label means a budgeted amount, unless it names a kind of fund (一般公共预算);
    money approved, allocated or received is the budget side, money spent the actual (SCHEMA)."""
    label = FUND_TYPES.sub("", label)
    if re.search(r"年初(?:批复)?预算|年初(?:结转|批复)", label):
        return "budget_initial"
    if "预算" in label:
        return "budget"
    return flow or "actual"


# Verbs that say which side of the money a figure is on.
RECEIVED = re.compile(r"收到|到位|下达|下拨|拨入|批复|应执行|核定|安排(?!使用)")
SPENT = re.compile(r"支出|(?<!应)执行(?!率)|使用|支付|拨付|发放|兑付")


def _flow(label: str) -> str | None:
    s = squash_spaces(label)
    got, spent = RECEIVED.search(s), SPENT.search(s)
    if got and (not spent or got.start() > spent.start()):
        return "budget"
    return "actual" if spent else None


# Where the money came from, named in prose: 中央下达…, 省级下拨…, 地方资金.
SOURCES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), c) for p, c in (
    (r"中央(?:财政|下达|下拨|补助|资金|专项)", "central_funds"),
    (r"(?:省级|省财政|自治区)(?:财政)?(?:下达|下拨|补助|资金|配套)?", "provincial_funds"),
    (r"(?:市级|市财政)(?:财政)?(?:下达|下拨|补助|资金|配套)?", "city_funds"),
    (r"地方(?:财政)?资金", "local_funds"),
    (r"结转结余|上年结转", "carryover"),
))
GENERIC_MONEY = re.compile(r"^(?:实际|全年|年度|共|累计|本年|当年)?(?:收到|到位|下达|下拨|支出|执行)?"
                           r"(?:财政)?(?:资金|经费|款项)?(?:共|合计|总额|总计)?(?:为|是|达)?$")


def _prose_item(label: str, after: str, verb: str | None) -> str | None:
    """Funding named in a sentence with no table label: by its source, or as the total it states."""
    s = squash_spaces(LEADING_NOISE.sub("", squash_spaces(label)))
    for pattern, code in SOURCES:
        if pattern.search(s):
            return code
    if re.search(r"项目", s) and re.search(r"预算|批复", s):
        return "project"  # 年初批复预算8个项目…, 调整后项目预算…
    if re.search(r"应执行数|执行数$", s):
        return "funds_total"
    core = RECEIVED.sub("", SPENT.sub("", s)) if verb else s
    if PURPOSE_AFTER.match(after) or not re.search(r"资金|经费|款项", core):
        return None  # `下拨420万元解决…`: money for a purpose, an expenditure
    if verb and GENERIC_MONEY.match(core):
        # `到位资金0.26万元`, `支出资金…`, `收到财政资金共…，其中…`: the totals of the two sides
        return "funds_total" if verb == "budget" else "expenditure_total"
    return None


def _purpose(label: str, after: str) -> str | None:
    """What an amount was spent on, as printed, or None when it is not spending."""
    m = PURPOSE_AFTER.match(after)
    if m:
        item = m.group("what")
    else:
        item = LEADING_NOISE.sub("", squash_spaces(label))
        item = re.sub(r"^.{0,12}?(?:包括|包含|主要有|分别为)", "", item)  # `项目支出包括委员活动经费36.3万元`
        verbs = list(SPEND_VERBS.finditer(item))
        if verbs:
            item = item[verbs[-1].end():]
        item = LEADING_NOISE.sub("", item)
    item = item.strip("“”\"' ")
    if GENERIC.match(item) or NOT_SPENDING.search(item) or len(item) > 30 or re.match(r"^\d", item):
        return None
    if not m and NOT_SPENT_LABEL.search(item):
        return None  # `到位资金…`: the purpose words come after 用于, a label of received money is none
    return item
