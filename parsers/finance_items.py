"""Finance labels as printed to SCHEMA.md's item and measure codes.

Labels are matched after their numbering, `其中：` and parentheticals are
stripped. Order matters: the first rule that matches wins, so specific labels
(公共财政拨款收入 in a project context) come before general ones.
"""
from __future__ import annotations

import re
from functools import lru_cache

from normalize.columns import column_role
from normalize.text import squash_spaces, to_halfwidth

_NUMBERING = re.compile(r"^(?:[（(]?\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）、.．]\s*)+")
_LEADING = re.compile(r"^(?:其中[：:]?|含[：:]?|包括[：:]?|\d{4}年度?|(?:19|20)\d{2}(?=[\u4e00-\u9fa5])|我局|我单位|本单位|本部门|全年|年度|上年度|上一年度|(?:部门|单位|本年)(?=收入|支出))+")
_PAREN = re.compile(r"[（(][^）)]*[)）]?$")
_FEE_SPENDING = re.compile(r"(?<=费)支出$")
_TRAILING_VERB = re.compile(r"(?:[：:]|为|是|共计|合计为|约为|约|达到?)+$")
_QUOTES = re.compile(r"[“”\"'‘’「」]")

# (pattern on the cleaned label, item code)
ITEM_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), code) for p, code in (
    (r"^(资金来源|收入)(合计|总计|小计)?$|^(收入合计|收入总计|总收入|本年收入合计|本年收入|资金来源合计|资金总额|收入总额|总额|"
     r"(财政)?资金总额|资金合计|项目资金总额)$", "funds_total"),
    (r"^(资金结构|支出)(合计|总计|小计)?$|^(支出合计|支出总计|总支出|本年支出合计|本年支出|支出数|支出总额|资金结构合计|"
     r"(部门)?整体支出(总额|合计)?)$", "expenditure_total"),
    (r"^(当年|本年度?)?(一般公共预算)?(公共)?财政(拨款|补助)(资金|收入)?(小计)?$|^(当年|本年)?财政资金$", "fiscal_appropriation"),
    (r"^上年(结转|结余)(结余|和结余)?(资金|收入)?$|^年初结转和结余$", "carryover"),
    (r"^政府性?基金(预算)?(财政)?(拨款)?(收入)?$", "government_fund"),
    (r"^其他(资金|收入)|^其他$", "other_funds"),
    (r"^涉及(预算)?(金额|资金)(总额)?$", "evaluated_projects_budget"),
    (r"^一般公共预算(资金|收入)?$", "general_public_budget"),
    (r"^国有资本经营预算(资金|收入)?$", "state_capital_budget"),
    (r"^(纳入)?(财政)?专户管理的?(资金|非税收入)(拨款)?$", "fiscal_special_account"),
    (r"^(单位资金|自有资金)(小计)?$", "own_funds"),
    (r"^事业收入$", "service_income"),
    (r"^经营(性)?收入$", "operating_income"),
    (r"^中央(财政)?(资金|补助)$", "central_funds"),
    (r"^省级?(财政)?(资金|补助)$", "provincial_funds"),
    (r"^市级?(财政)?(资金|补助)$", "city_funds"),
    (r"^地方(财政)?(资金|配套)$", "local_funds"),
    (r"^本级财政(资金)?$", "local_finance"),
    (r"^上级(财政)?(资金|补助|转移支付)$", "superior_transfer"),
    (r"^(专项收入|项目收入)$", "project_income"),
    (r"基本支出(合计|小计)?$", "basic"),
    (r"(人员支出|人员经费|工资福利支出)$", "personnel"),
    (r"(公用支出|公用经费)$", "public_use"),
    (r"(项目支出|专项支出|项目经费)(合计|小计)?$", "project"),
    (r"^(当年|本年)?结余$|^当年结余$", "balance"),
    (r"三公经费(合计|小计)?$", "three_public_total"),
    (r"公务接待费?$", "reception"),
    (r"公务用车运(行)?(维护|维)费?$", "vehicle_operation"),
    (r"公务用车购置费?$", "vehicle_purchase"),
    (r"因公出国(境)?(费|经费)?$", "overseas_travel"),
    (r"^固定资产(合计|总额|总计)?$", "fixed_assets"),
    (r"^在用固定资产$", "fixed_assets_in_use"),
    (r"结转(下年|\d{4}年)(支付|使用)?$|^年末结转(和结余)?$", "carryover_next_year"),
    (r"^财政收回$|收回财政$", "fiscal_recovered"),
    (r"对个人和家庭的?补助(支出)?$", "subsidies_to_individuals"),
    (r"商品和?服务支出$", "goods_services"),
))

# Parts printed under a project total keep apart from the department's own rows.
PROJECT_VARIANTS = {
    "fiscal_appropriation": "project_fiscal_appropriation",
    "other_funds": "project_other_funds",
    "carryover": "project_carryover",
    "goods_services": "project_goods_services",
}
PRIOR_YEAR_VARIANTS = {"funds_total": "prior_year_funds_total", "expenditure_total": "prior_year_expenditure_total"}

MEASURE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), m) for p, m in (
    (r"年初预算", "budget_initial"),
    (r"执行率|完成率", "rate"),
    (r"分值|权重", "weight"),
    (r"得分", "score"),
    (r"预算|调整后", "budget"),
    (r"执行数|决算|实际|支出数|完成数|执行金额", "actual"),
))


# labels recur in every report: each distinct one read once
@lru_cache(maxsize=16384)
def clean_label(label: str) -> str:
    s = _QUOTES.sub("", squash_spaces(to_halfwidth(label or "")))
    s = _NUMBERING.sub("", s)
    s = _LEADING.sub("", s)
    s = _NUMBERING.sub("", s)
    s = _PAREN.sub("", s) if not s.startswith(("（", "(")) else s
    s = _FEE_SPENDING.sub("", s)  # 三公经费支出 is the 三公经费
    return _TRAILING_VERB.sub("", s)


@lru_cache(maxsize=16384)
def item_code(label: str) -> str | None:
    s = clean_label(label)
    if not s:
        return None
    for pattern, code in ITEM_RULES:
        if pattern.search(s):
            return code
    return None


FUND_TYPES = re.compile(r"一般公共预算|政府性?基金预算|国有资本经营预算")


MONEY_MEASURES = {"budget_initial": "budget_initial", "budget": "budget", "actual": "actual", "rate": "rate",
                  "weight": "weight", "score": "score"}


@lru_cache(maxsize=16384)
def measure_code(header: str) -> str | None:
    """The measure a column or label names; 一般公共预算 names a kind of fund, not a budget.

    A header word of the one column vocabulary (normalize.columns) decides first, the
    longest word winning (预算执行数 is spent money, not a budget); the rules below
    read labels that are no header word (`2022年预算安排`).
    """
    s = FUND_TYPES.sub("", squash_spaces(header or ""))
    col = column_role(s) if s else None
    if col is not None and col.role in MONEY_MEASURES:
        return MONEY_MEASURES[col.role]
    for pattern, code in MEASURE_RULES:
        if pattern.search(s):
            return code
    return None
