"""Chinese labels for the SCHEMA.md codes stored in the database, and how
money and rates are written, for people reading the data (`jixiao serve`).

The codes stay what is stored and filtered on; these only say what they mean.
"""
from __future__ import annotations

from analysis.labels import GRADE, ITEM, MEASURE, SCOPE, SECTION_KIND  # noqa: F401 (re-exported)

LEVEL1 = {
    "output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标",
    "cost": "成本指标", "decision": "决策", "process": "过程",
}
LEVEL2 = {
    "quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "cost": "成本指标",
    "economic": "经济效益", "social": "社会效益", "ecological": "生态效益",
    "sustainability": "可持续影响", "satisfaction": "服务对象满意度",
}
DOC_TYPE = {
    "evaluation_report": "绩效评价报告（第三方）",
    "self_evaluation_report": "绩效自评报告",
    "self_evaluation_table": "绩效自评表",
    "target_table": "绩效目标表",
    "task_breakdown": "考评细则 / 任务分解",
    "final_accounts": "部门决算",
    "other": "其他",
}
TARGET_MET = {1: "达成", 0: "未达成"}

# column -> labels, wherever the column appears (tables, views, canned queries)
BY_COLUMN = {
    "level1": LEVEL1, "level2": LEVEL2, "grade": GRADE, "eval_grade": GRADE,
    "doc_type": DOC_TYPE, "scope": SCOPE, "target_met": TARGET_MET,
}
# (table, column) -> labels, where the column name means this only in that table
BY_TABLE_COLUMN = {
    ("finance", "measure"): MEASURE, ("finance", "item"): ITEM, ("sections", "kind"): SECTION_KIND,
}

# Money is stored in yuan (元); rates in percent.
MONEY_COLUMNS = frozenset({"budget", "actual", "amount_yuan"})
RATE_COLUMNS = frozenset({"execution_rate", "mean_execution_rate"})
MONEY_MEASURES = frozenset({"budget_initial", "budget", "actual"})


def labels_for(table: str | None, column: str) -> dict | None:
    return BY_TABLE_COLUMN.get((table, column)) or BY_COLUMN.get(column)


def yuan(v: float) -> str:
    """45623000.0 -> '45,623,000.00' (元, to the cent)."""
    return f"{v:,.2f}"


def wan(v: float) -> str:
    """45623000.0 -> '4,562.30 万元', as the reports print it."""
    return f"{v / 10000:,.2f} 万元"


def percent(v: float) -> str:
    """96.48313350722223 -> '96.48%'."""
    return f"{v:.2f}%"
