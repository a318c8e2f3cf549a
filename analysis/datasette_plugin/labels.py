"""Chinese labels for the SCHEMA.md codes stored in the database, and how
money and rates are written, for people reading the data (`jixiao serve`).

The codes stay what is stored and filtered on; these only say what they mean.
"""
from __future__ import annotations

LEVEL1 = {
    "output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标",
    "cost": "成本指标", "decision": "决策", "process": "过程",
}
LEVEL2 = {
    "quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标", "cost": "成本指标",
    "economic": "经济效益", "social": "社会效益", "ecological": "生态效益",
    "sustainability": "可持续影响", "satisfaction": "服务对象满意度",
}
GRADE = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
DOC_TYPE = {
    "evaluation_report": "绩效评价报告（第三方）",
    "self_evaluation_report": "绩效自评报告",
    "self_evaluation_table": "绩效自评表",
    "target_table": "绩效目标表",
    "task_breakdown": "考评细则 / 任务分解",
    "final_accounts": "部门决算",
    "other": "其他",
}
SCOPE = {"department": "部门整体", "project": "项目支出"}
MEASURE = {
    "budget_initial": "年初预算数", "budget": "全年预算数", "actual": "全年执行数",
    "rate": "执行率", "weight": "分值", "score": "得分",
}
SECTION_KIND = {
    "overview": "概况", "functions": "职能", "goals": "目标", "conclusion": "结论",
    "experience": "经验做法", "spending": "支出情况", "implementation": "组织实施",
    "problems": "存在问题", "suggestions": "建议、改进措施", "other": "其他",
}
ITEM = {
    "funds_total": "资金来源合计", "fiscal_appropriation": "财政拨款", "carryover": "上年结转",
    "government_fund": "政府性基金拨款", "other_funds": "其他资金",
    "expenditure_total": "支出合计", "basic": "基本支出", "personnel": "人员支出",
    "public_use": "公用支出", "project": "项目支出", "balance": "结余",
    "three_public_total": "三公经费合计", "reception": "公务接待费",
    "vehicle_operation": "公务用车运行维护费", "vehicle_purchase": "公务用车购置费",
    "overseas_travel": "因公出国（境）费", "fixed_assets": "固定资产合计",
    "general_public_budget": "一般公共预算", "state_capital_budget": "国有资本经营预算",
    "fiscal_special_account": "财政专户管理资金", "own_funds": "单位资金",
    "service_income": "事业收入", "operating_income": "经营收入", "central_funds": "中央资金",
    "provincial_funds": "省级资金", "city_funds": "市级资金", "local_funds": "地方资金",
    "local_finance": "本级财政", "superior_transfer": "上级财政资金",
    "project_income": "专项收入", "project_fiscal_appropriation": "项目财政拨款",
    "project_other_funds": "项目其他资金", "project_carryover": "项目上年结转",
    "project_goods_services": "项目商品和服务支出", "subsidies_to_individuals": "对个人和家庭的补助",
    "goods_services": "商品和服务支出", "fixed_assets_in_use": "在用固定资产",
    "carryover_next_year": "结转下年", "fiscal_recovered": "财政收回",
    "prior_year_funds_total": "上年度收入合计", "prior_year_expenditure_total": "上年度支出合计",
    "evaluated_projects_budget": "涉及预算金额",
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
