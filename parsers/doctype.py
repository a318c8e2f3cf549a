"""What kind of document a span is: SCHEMA.md's doc_type codes.

The title decides when it names the form; otherwise what the document holds
does (an indicator table with a total score is a self-evaluation form).
A report is a third party's only when it names an evaluation agency.
"""
from __future__ import annotations

import re

from parsers.textview import TextLine

TITLE_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"考评细则|考核细则|评分细则|任务分解|考核办法|考评办法"), "task_breakdown"),
    (re.compile(r"自评表|自评情况表|评价表"), "self_evaluation_table"),
    (re.compile(r"目标表|批复表|申报表|目标申报"), "target_table"),
    (re.compile(r"决算"), "final_accounts"),
    (re.compile(r"自评报告|自评"), "self_evaluation_report"),
    (re.compile(r"评价报告|绩效报告|评价"), "report"),
)
AGENCY_LABEL = re.compile(r"评价(?:实施)?机构\s*[：:]|主评人\s*[：:]|评价组组长\s*[：:]\s*[\u4e00-\u9fa5]")
AGENCY = re.compile(r"评价(?:实施)?机构|第三方|主评人|(?:有限|咨询)公司|会计师事务所")
SELF_VOICE = re.compile(r"我局|我单位|我委|我部门|本单位|本部门|自评")


# A report's cover that is a fill-in form (部门(单位)名称 / 预算编码 / 评价方式 / 报告日期, 财政局(制)).
COVER_FIELDS = re.compile(r"部门[(（]单位[)）]名称|预\s*算\s*编\s*码|评价方式|评价机构|报告日期|填报日期|联系人|联络电话")
FORM_ISSUER = re.compile(r"^[\u4e00-\u9fa5]{2,20}[(（]\s*制\s*[)）]$|^制表[：:]|[\u4e00-\u9fa5]{2,12}(?:财政局|财政厅)制$")
# The 部门决算 template's performance part: `3.部门整体支出绩效自评开展情况`.
FINAL_ACCOUNTS_PART = re.compile(r"(?:^|\s)\d\s*[.、．]\s*部门整体支出绩效(?:自评)?(?:开展)?情况|预算绩效情况说明")


def classify(title: str | None, lines: list[TextLine]) -> str:
    text = "\n".join(l.text for l in lines)
    if title:
        for pattern, code in TITLE_RULES:
            if pattern.search(title):
                if code == "self_evaluation_report" and _is_form_cover(lines):
                    return "self_evaluation_table"  # a 自评报告 that is a form with a cover page
                return code if code != "report" else _report_kind(text)
        by_content = _classify_by_content(text, lines)
        # a title of no report or form (…工作开展情况说明): only a form's own tables make it one
        return by_content if by_content in ("self_evaluation_table", "target_table", "task_breakdown") else "other"
    if FINAL_ACCOUNTS_PART.search(text) or re.search(r"决算", text) and re.search(r"绩效评价得分表|绩效自评", text):
        return "final_accounts"
    return _classify_by_content(text, lines)


def _is_form_cover(lines: list[TextLine]) -> bool:
    head = [l.text.strip() for l in lines[:30]]
    fields = {m.group(0) for t in head for m in COVER_FIELDS.finditer(t)}
    return len(fields) >= 3 and any(FORM_ISSUER.search(t) for t in head)


def _report_kind(text: str) -> str:
    """A named agency or lead evaluator makes a third-party report; the department's own voice a self-evaluation."""
    head = text[:3000]
    if AGENCY_LABEL.search(head):
        return "evaluation_report"
    if len(SELF_VOICE.findall(text)) >= 2:
        return "self_evaluation_report"  # "我局委托第三方…" is still the department speaking
    if AGENCY.search(head):
        return "evaluation_report"
    return "self_evaluation_report"


def _is_row(line: TextLine) -> bool:
    """A table row, or a line pasted as one (`a | b | c`, CSV cells)."""
    return line.in_table or line.text.count("|") >= 2 or line.text.count('","') >= 2


def _classify_by_content(text: str, lines: list[TextLine]) -> str:
    table_text = "\n".join(l.text for l in lines if _is_row(l))
    has_indicators = bool(re.search(r"三级指标|指标值|绩效目标|产出指标|产出目标", table_text))
    if re.search(r"评分标准|考核标准|评分细则", table_text) and (
            re.search(r"责任|牵头|完成时限", table_text)
            or re.search(r"考核内容|考评内容|考核指标|考核项目|考评项目", table_text) and re.search(r"权数|分值|权重", table_text)):
        return "task_breakdown"
    if has_indicators and re.search(r"自评|得分|完成情况|实际完成", table_text):
        return "self_evaluation_table"
    if has_indicators:
        return "target_table"
    if re.search(r"评价报告|绩效评价|自评", text):
        return _report_kind(text)
    return "other"
