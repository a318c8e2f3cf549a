"""Chinese labels of the codes stored in the database (SCHEMA.md), one vocabulary for every
place that shows them to people: `jixiao serve` (analysis/datasette_plugin) and the XLSX
workbook (analysis/workbook.py). The codes stay what is stored and filtered on."""
from __future__ import annotations

GRADE = {"excellent": "优", "good": "良", "fair": "中", "poor": "差"}
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
