"""The XLSX export as an analyst's workbook.

Sheet order: README (what each sheet holds, the unit rules, where a figure
came from), 字段说明 (every column: Chinese header, English code, unit,
meaning), the views, the data tables, and the pipeline's internal tables only
when asked for (`--all`), last.

One header row of Chinese names, unique within a sheet. The English codes
(the database's column names) are in the 字段说明 sheet and not in a second
header row: autofilter, sorting, Excel tables and pivot tables take exactly
one header row, and a second one becomes a data row (a word in every
filter list, text in numeric columns, so a pivot can only count them).

Units: money in 元 with thousands separators and `(元)` in the header; rates
as Excel percentages (the cell holds 0.9648 and shows 96.48%, so formulas
and filters like `>95%` work); points as numbers. `finance.value`, which
holds 元, percent or points by its `measure`, is split into three columns so
that a column never mixes units. Codes (level1 `output`, grade `excellent`,
doc_type, ...) get a column with their Chinese label before the code's own.

Written with openpyxl's write-only mode, so a large database does not need
the whole workbook in memory; a table longer than a sheet continues on
`NAME (2)`, `NAME (3)`...
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

from analysis.labels import GRADE, ITEM, MEASURE, SCOPE, SECTION_KIND
from normalize import concepts

# ------------------------------------------------------------------ labels

CODE_LABELS: dict[str, dict[str, str]] = {
    "doc_type": {
        "evaluation_report": "第三方评价报告", "self_evaluation_report": "自评报告",
        "self_evaluation_table": "自评表", "target_table": "绩效目标表",
        "task_breakdown": "考评细则/任务分解", "final_accounts": "部门决算", "other": "其他"},
    "scope": SCOPE,
    "grade": GRADE,
    "level1": {
        "output": "产出指标", "outcome": "效益指标", "satisfaction": "满意度指标",
        "cost": "成本指标", "decision": "决策指标", "process": "过程指标"},
    "level2": {
        "quantity": "数量指标", "quality": "质量指标", "timeliness": "时效指标",
        "cost": "成本指标", "economic": "经济效益指标", "social": "社会效益指标",
        "ecological": "生态效益指标", "sustainability": "可持续影响指标",
        "satisfaction": "服务对象满意度指标"},
    "measure": MEASURE,
    "item": ITEM,
    "section_kind": SECTION_KIND,
    "check": {
        "sum_mismatch": "合计不符", "rate_mismatch": "执行率不符", "score_mismatch": "得分不符",
        "unit_suspect": "金额单位存疑", "org_unknown": "单位无法识别",
        "sibling_mismatch": "同一文件内数字不一致", "year_mismatch": "年度不一致"},
    "fact": {
        "doc_type": "文档类型", "title": "标题", "org.name": "单位名称", "org.region": "地区",
        "org.department": "部门", "department": "部门", "fiscal_year": "财政年度",
        "scope": "范围", "project": "项目名称",
        "evaluation.total_score": "评价总得分", "evaluation.max_score": "评价满分",
        "evaluation.grade": "评价等级", "evaluation.grade_raw": "评价等级(原文)",
        "evaluation.agency": "评价机构", "evaluation.lead": "主评人",
        "evaluation.date": "评价日期", "staffing.authorized": "编制数",
        "staffing.authorized_admin": "行政编制", "staffing.authorized_institution": "事业编制",
        "staffing.actual": "实有人数", "staffing.internal_units": "内设机构数",
        "staffing.subordinate_units": "下属单位数"},
}


def _labels(kind: str) -> dict[str, str]:
    if kind == "concept":
        return concepts.labels()
    return CODE_LABELS[kind]


# ------------------------------------------------------------------ columns

# kind -> Excel number format ("" = General). Units live in the headers.
FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00%",
    "points": "0.0#",
    "count": "#,##0",
    "int": "",  # General shows whole numbers as they are (2023, not 2,023)
    "year": "",
    "id": "",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "number": "",
    "text": "",
    "bool": "",
    "bigint": "",  # written as text: Excel keeps 15 significant digits
}
UNIT_NOTES = {
    "money": "元, 千位分隔, 保留两位小数",
    "rate": "百分比格式: 单元格存小数 (0.9648 显示为 96.48%)",
    "points": "分",
    "count": "个数",
    "year": "年",
    "datetime": "日期时间",
    "bool": "是/否",
    "bigint": "文本 (整数超过 Excel 的 15 位精度)",
    "number": "数字, 单位见单位列",
}


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"
    labels: str | None = None  # a CODE_LABELS key: a label column goes before the code
    note: str = ""


C = Col
_SRC = {
    "src_file": C("来源文件", note="读到这一行的文件名"),
    "src_page": C("来源页", "int", note="PDF/图片的页码"),
    "src_line": C("来源行", "int", note="文本文件的行号"),
    "src_cell": C("来源单元格", note="T1R2C3 = 文件中第1个表格第2行第3列"),
}
_COMMON: dict[str, Col] = {
    "id": C("编号", "id", note="本表内的行编号"),
    "document_id": C("文档编号", "id", note="documents 表的编号"),
    "indicator_id": C("指标编号", "id", note="indicators 表的编号"),
    "expenditure_id": C("支出编号", "id", note="expenditures 表的编号"),
    "file_id": C("文件编号", "id"),
    "ordinal": C("文档内顺序", "int", note="在文档中的先后次序"),
    "org_name": C("单位名称", note="报告中的单位全称"),
    "region": C("地区", note="单位名称所示的最小行政区"),
    "province": C("省", note="行政区划数据集"),
    "city": C("市", note="行政区划数据集"),
    "county": C("县(区)", note="行政区划数据集"),
    "fiscal_year": C("财政年度", "year", note="报告所述的预算年度"),
    "entity": C("下属单位", note="空 = 部门整体"),
    "doc_type": C("文档类型", labels="doc_type"),
    "level1": C("一级指标", labels="level1"),
    "level2": C("二级指标", labels="level2"),
    "concept": C("指标概念", labels="concept", note="规范化的指标概念; 空 = 未归类"),
    "pipeline_version": C("流水线版本"),
    "run_id": C("运行编号", "id"),
    **_SRC,
}
_TARGET_ACTUAL = {
    "target_raw": C("目标值(原文)"),
    "target_op": C("目标运算符", note=">=, <=, >, <, = 或空"),
    "target_value": C("目标值(数值)", "number", note="单位见目标值单位; 95% 记为 95"),
    "target_unit": C("目标值单位"),
    "target_text": C("目标值(定性)", note="定性目标, 如 达标、完成"),
    "actual_raw": C("实际值(原文)"),
    "actual_op": C("实际值运算符"),
    "actual_value": C("实际值(数值)", "number", note="单位见实际值单位"),
    "actual_unit": C("实际值单位"),
    "actual_text": C("实际值(定性)"),
}
COLUMNS: dict[str, dict[str, Col]] = {
    "v_department_year": {
        "department": C("部门"),
        "budget": C("全年预算数(元)", "money",
                    note="部门整体 funds_total 的全年预算数, 无则 expenditure_total"),
        "actual": C("全年执行数(元)", "money", note="同一项目的全年执行数"),
        "execution_rate": C("预算执行率(%)", "rate",
                            note="执行数/预算数; 两者缺一时取报告所写的执行率"),
        "score": C("评价得分(分)", "points"),
        "max_score": C("评价满分(分)", "points"),
        "grade": C("评价等级", labels="grade"),
        "staff_authorized": C("编制数(人)", "count"),
        "staff_actual": C("实有人数(人)", "count"),
        "documents": C("文档数(份)", "count", note="关于这一部门年度的文档数"),
    },
    "v_indicator_results": {
        "name": C("指标名称"),
        **_TARGET_ACTUAL,
        "weight": C("分值(分)", "points"),
        "score": C("得分(分)", "points"),
        "target_met": C("是否达成目标(1是0否)", "int",
                        note="1 达成, 0 未达成, 空 = 目标与实际不可比 (单位不同或无运算符)"),
    },
    "v_spending_by_purpose": {
        "purpose": C("支出用途", note="报告所写的用途"),
        "amount_yuan": C("金额(元)", "money"),
    },
    "documents": {
        "title": C("标题"),
        "org_region": C("地区", note="单位名称所示的最小行政区"),
        "org_department": C("部门"),
        "scope": C("范围", labels="scope"),
        "project": C("项目名称"),
        "start": C("起始位置", note="line:N 行, page:N 页, para:N 段, table:N 表"),
        "end": C("结束位置"),
        "has_evaluation": C("有评价", "bool"),
        "eval_total_score": C("评价总得分(分)", "points"),
        "eval_max_score": C("评价满分(分)", "points"),
        "eval_grade": C("评价等级", labels="grade"),
        "eval_grade_raw": C("评价等级(原文)"),
        "eval_agency": C("评价机构"),
        "eval_lead": C("主评人"),
        "eval_date": C("评价日期"),
        "has_staffing": C("有编制信息", "bool"),
        "staff_authorized": C("编制数(人)", "count"),
        "staff_authorized_admin": C("行政编制(人)", "count"),
        "staff_authorized_institution": C("事业编制(人)", "count"),
        "staff_actual": C("实有人数(人)", "count"),
        "staff_internal_units": C("内设机构(个)", "count"),
        "staff_subordinate_units": C("下属单位(个)", "count"),
        "file_name": C("来源文件", note="文档所在的文件"),
        "file_format": C("文件格式"),
        "file_sha256": C("文件SHA-256", note="文件内容的摘要"),
    },
    "finance": {
        "item": C("项目", labels="item"),
        "label": C("项目(原文)"),
        "measure": C("口径", labels="measure"),
        # `value` is split by measure: see FINANCE_SPLIT
    },
    "indicators": {
        "grp": C("分组", note="职能或目标分组"),
        "level1_raw": C("一级指标(原文)"),
        "level2_raw": C("二级指标(原文)"),
        "name": C("三级指标(指标名称)"),
        **_TARGET_ACTUAL,
        "weight": C("分值(分)", "points"),
        "score": C("得分(分)", "points"),
        "deviation": C("偏差原因及改进措施"),
    },
    "tasks": {
        "section_no": C("任务序号"),
        "section": C("评分任务"),
        "section_points": C("任务分值(分)", "points"),
        "item": C("评分内容"),
        "criterion": C("评分标准"),
        "points": C("分值(分)", "points"),
        "deadline": C("完成时限"),
        "lead": C("牵头领导"),
        "unit": C("责任股室"),
        "owner": C("责任人"),
    },
    "expenditures": {
        "item": C("支出用途"),
        "value": C("金额(元)", "money"),
    },
    "sections": {
        "kind": C("章节类型", labels="section_kind"),
        "heading": C("章节标题"),
        "text": C("正文"),
    },
    "checks": {
        "code": C("检查项", labels="check"),
        "message": C("说明"),
    },
    "document_facts": {
        "field": C("字段", labels="fact"),
        "value": C("值(原文)"),
    },
    "org_regions": {
        "adcode": C("行政区划代码"),
        "matched_on": C("匹配依据", note="匹配到的文字, 或未匹配的原因"),
    },
    "indicator_concepts": {
        "rule": C("匹配规则", note="normalize/concepts.tsv 中匹配的规则"),
    },
    "unclaimed": {"text": C("未识别文本")},
    "search_entries": {
        "kind": C("类型"), "label": C("标签"), "text": C("文本"), "tokens": C("分词"),
    },
    "files": {
        "path": C("路径"), "name": C("文件名"), "sha256": C("SHA-256"), "format": C("格式"),
        "encoding": C("编码"), "size": C("大小(字节)", "count"), "status": C("状态"),
        "ingested_at": C("入库时间", "datetime"), "mtime_ns": C("修改时间(ns)", "bigint"),
        "missing_since": C("缺失自", "datetime"),
    },
    "runs": {
        "started_at": C("开始时间", "datetime"), "ended_at": C("结束时间", "datetime"),
        "status": C("状态"), "host": C("主机"), "pid": C("进程号", "int"),
        "workers": C("工作进程数", "count"), "paths": C("输入路径"),
        "files": C("文件数", "count"), "new": C("新增", "count"),
        "changed": C("内容变更", "count"), "reparsed": C("重新解析", "count"),
        "skipped": C("未变跳过", "count"), "failed": C("隔离", "count"),
        "missing": C("新缺失", "count"), "documents": C("存入文档数", "count"),
        "error": C("错误"),
    },
    "quarantine": {
        "path": C("路径"), "name": C("文件名"), "sha256": C("SHA-256"), "stage": C("阶段"),
        "error": C("原因"), "at": C("时间", "datetime"),
    },
    "derived_state": {"name": C("名称"), "fingerprint": C("指纹")},
}

# finance.value by measure: (code, header, kind, measures, note)
FINANCE_SPLIT = (
    ("amount_yuan", "金额(元)", "money", ("budget_initial", "budget", "actual"),
     "value 当 measure 为 budget_initial / budget / actual"),
    ("rate", "比率(%)", "rate", ("rate",), "value 当 measure 为 rate"),
    ("points", "分值/得分(分)", "points", ("weight", "score"),
     "value 当 measure 为 weight / score"),
)

SHEETS: dict[str, tuple[str, str]] = {  # name -> (中文名, what it holds)
    "v_department_year": ("部门年度汇总",
                          "每个单位每个财政年度一行: 预算数、执行数、执行率、评价得分与等级、编制与人数"),
    "v_indicator_results": ("绩效指标完成情况",
                            "每个三级指标一行: 目标值、实际值、是否达成、指标概念, 带来源位置"),
    "v_spending_by_purpose": ("支出用途", "按用途的支出金额 (报告正文或表格中的 用于…万元)"),
    "documents": ("文档", "每份文档一行: 类型、标题、单位、年度、评价、编制, 与来源文件"),
    "finance": ("资金", "每个金额一行: 项目、口径 (预算/执行/执行率/分值/得分) 与数值, 带来源位置"),
    "indicators": ("绩效指标", "每个三级指标一行, 如报告所列, 带来源位置"),
    "tasks": ("考评细则", "考评细则/任务分解表的每条评分标准"),
    "expenditures": ("支出明细", "按用途的支出, 如报告所列"),
    "sections": ("文字章节", "报告的叙述部分: 概况、问题、建议…"),
    "checks": ("数据检查", "流水线发现的不一致 (合计不符、执行率不符…), 带位置"),
    "document_facts": ("文档字段来源", "单位、年度、得分、编制等文档级字段在文件中的出处"),
    "org_regions": ("单位所属地区", "每份文档的单位对应的省、市、县, 以及匹配依据"),
    "indicator_concepts": ("指标概念", "每个指标归入的规范化概念, 以及匹配规则"),
    "unclaimed": ("未识别文本", "没有解析器读取的文字 (内部: 用于衡量覆盖率)"),
    "search_entries": ("检索条目", "全文检索的条目与分词 (内部)"),
    "files": ("文件", "每个输入文件的最新状态 (内部)"),
    "runs": ("运行记录", "每次入库运行 (内部)"),
    "quarantine": ("隔离文件", "无法读取或解析的文件及原因 (内部)"),
    "derived_state": ("派生表状态", "派生表的指纹 (内部)"),
}

README = "README"
LEGEND = "字段说明"
MAX_ROWS = 1_048_576 - 1  # a sheet's rows, less the header
MAX_CELL = 32_767  # characters Excel keeps in a cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f"
                   r"\uff00-\uff60\uffe0-\uffe6]")


# ------------------------------------------------------------------ layout

@dataclass
class OutCol:
    code: str
    header: str
    kind: str
    note: str
    get: Callable[[dict], Any]


def _col_spec(sheet: str, code: str, sample: Sequence[Any]) -> Col:
    spec = COLUMNS.get(sheet, {}).get(code) or _COMMON.get(code)
    if spec is not None:
        return spec
    # A column no one described yet: its code as the header, numbers as numbers.
    numeric = any(isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)
                  for v in sample if v is not None)
    return Col(code, "number" if numeric else "text")


def layout(sheet: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[OutCol]:
    """The workbook columns of one table or view, from its database columns."""
    idx = {c: i for i, c in enumerate(columns)}
    out: list[OutCol] = []
    for code in columns:
        i = idx[code]
        if sheet == "finance" and code == "value" and "measure" in idx:
            m = idx["measure"]
            known = set()
            for split_code, header, kind, measures, note in FINANCE_SPLIT:
                known.update(measures)
                out.append(OutCol(split_code, header, kind, note,
                                  lambda r, i=i, m=m, ms=measures: r[i] if r[m] in ms else None))
            if any(r[m] not in known and r[i] is not None for r in rows):
                out.append(OutCol("value_other", "其他数值", "number", "value 当 measure 为其他口径",
                                  lambda r, i=i, m=m: r[i] if r[m] not in known else None))
            continue
        spec = _col_spec(sheet, code, [r[i] for r in rows[:200]])
        if spec.labels:
            names = _labels(spec.labels)
            out.append(OutCol(f"{code}_zh", spec.header, "text", f"{code} 的中文名称",
                              lambda r, i=i, names=names: names.get(r[i], r[i])
                              if r[i] is not None else None))
            out.append(OutCol(code, f"{spec.header}代码", "text",
                              spec.note or "代码, 与 SCHEMA.md 一致", lambda r, i=i: r[i]))
        else:
            out.append(OutCol(code, spec.header, spec.kind, spec.note, lambda r, i=i: r[i]))
    seen: dict[str, int] = {}
    for c in out:  # headers unique within a sheet: pivot tables need that
        n = seen.get(c.header, 0)
        seen[c.header] = n + 1
        if n:
            c.header = f"{c.header}({c.code})"
    return out


def _to_datetime(v: Any) -> Any:
    if isinstance(v, str):
        try:
            v = dt.datetime.fromisoformat(v)
        except ValueError:
            return v
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        v = v.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return v


def _text(v: Any) -> str:
    s = _ILLEGAL.sub("", v if isinstance(v, str) else str(v))
    if len(s) > MAX_CELL:
        s = s[:MAX_CELL - 1] + "…"
    return s


def convert(kind: str, v: Any) -> Any:
    """A database value as the cell value of a column of this kind."""
    if v is None:
        return None
    if kind == "rate":
        try:
            return float(v) / 100.0
        except (TypeError, ValueError):  # not a number after all: shown as stored
            return _text(v)
    if kind in ("money", "points", "number"):
        return float(v) if isinstance(v, Decimal) else v
    if kind in ("count", "int", "year", "id"):
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return int(v) if isinstance(v, Decimal) else v
    if kind == "bool":
        return "是" if v else "否"
    if kind == "datetime":
        return _to_datetime(v)
    if kind == "bigint":
        return str(v)
    return _text(v)


def _width(s: str) -> int:
    return len(s) + len(_WIDE.findall(s))


def _shown(kind: str, v: Any) -> str:
    if v is None:
        return ""
    if kind == "money" and isinstance(v, (int, float)):
        return f"{v:,.2f}"
    if kind == "rate" and isinstance(v, (int, float)):
        return f"{v:.2%}"
    if kind == "datetime":
        return "0000-00-00 00:00:00"
    return str(v)


def widths(cols: list[OutCol], rows: list[list[Any]]) -> list[float]:
    """Column widths in characters: the header, or most values (the 95th
    percentile of a sample, so one long text does not make a column huge)."""
    sample = rows if len(rows) <= 2000 else rows[:: max(1, len(rows) // 2000)]
    out = []
    for j, c in enumerate(cols):
        ws = sorted(_width(_shown(c.kind, r[j])[:200]) for r in sample)
        body = ws[int(0.95 * (len(ws) - 1))] if ws else 0
        out.append(float(min(60, max(8, _width(c.header) + 3, body + 2))))
    return out


# ------------------------------------------------------------------ writing

@dataclass
class Sheet:
    name: str  # table or view
    cols: list[OutCol]
    rows: list[list[Any]]  # converted cell values
    internal: bool = False


def prepare(name: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
            internal: bool = False) -> Sheet:
    cols = layout(name, columns, rows)
    body = [[convert(c.kind, c.get(r)) for c in cols] for r in rows]
    return Sheet(name, cols, body, internal)


def _column_letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


class _Styles:
    def __init__(self):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.head_font = Font(bold=True)
        self.head_fill = PatternFill("solid", fgColor="DDEBF7")
        self.head_align = Alignment(vertical="center", wrap_text=False)
        self.title_font = Font(bold=True, size=14)
        self.bold = Font(bold=True)
        self.link_font = Font(color="0563C1", underline="single")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")


def _cell(ws, value, *, number_format: str = "", font=None, fill=None, alignment=None,
          hyperlink: str | None = None):
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        c.data_type = "s"  # never a formula, whatever the text starts with
    if number_format:
        c.number_format = number_format
    if font is not None:
        c.font = font
    if fill is not None:
        c.fill = fill
    if alignment is not None:
        c.alignment = alignment
    if hyperlink:
        from openpyxl.worksheet.hyperlink import Hyperlink

        c.hyperlink = Hyperlink(ref="", location=hyperlink, display=str(value))
    return c


def _table_sheet(wb, title: str, cols: list[OutCol], rows: list[list[Any]], st: _Styles,
                 col_widths: list[float]) -> None:
    ws = wb.create_sheet(title)
    for j, w in enumerate(col_widths, 1):
        ws.column_dimensions[_column_letter(j)].width = w
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "1:1"  # the header on every printed page
    last = _column_letter(max(1, len(cols)))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    ws.append([_cell(ws, c.header, font=st.head_font, fill=st.head_fill,
                     alignment=st.head_align) for c in cols])
    fmts = [FORMATS.get(c.kind, "") for c in cols]
    # One styled cell per formatted column, refilled for each row: openpyxl writes
    # each cell of a row before it takes the next from the generator.
    protos = [_cell(ws, None, number_format=f) if f else None for f in fmts]

    def cells(r):
        for v, f, proto in zip(r, fmts, protos):
            if v is None:
                yield None
            elif isinstance(v, str):  # never a formula, whatever the text starts with
                yield _cell(ws, v, number_format=f) if f or v[:1] == "=" else v
            elif proto is not None:
                proto.value = v
                yield proto
            else:
                yield v

    for r in rows:
        ws.append(cells(r))


def _chunks(sheet: Sheet) -> list[tuple[str, list[list[Any]]]]:
    if len(sheet.rows) <= MAX_ROWS:
        return [(sheet.name[:31], sheet.rows)]
    parts = []
    for k, start in enumerate(range(0, len(sheet.rows), MAX_ROWS), 1):
        title = sheet.name[:31] if k == 1 else f"{sheet.name[:25]} ({k})"
        parts.append((title, sheet.rows[start:start + MAX_ROWS]))
    return parts


def write_workbook(path: Path, sheets: list[Sheet], info: dict[str, Any]) -> None:
    """README, 字段说明, then the sheets in the order given."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    st = _Styles()
    chunks = {s.name: _chunks(s) for s in sheets}
    _readme(wb, st, sheets, chunks, info)
    _legend(wb, st, sheets, chunks)
    for s in sheets:
        w = widths(s.cols, s.rows)
        for title, rows in chunks[s.name]:
            _table_sheet(wb, title, s.cols, rows, st, w)
    wb.save(path)


def _legend(wb, st: _Styles, sheets: list[Sheet], chunks) -> None:
    cols = ["工作表", "列", "中文列名", "英文代码", "单位/格式", "说明"]
    rows = []
    for s in sheets:
        for j, c in enumerate(s.cols, 1):
            unit = UNIT_NOTES.get(c.kind, "")
            rows.append([chunks[s.name][0][0], _column_letter(j), c.header, c.code, unit, c.note])
    out = [OutCol(code, h, "text", "", lambda r: r) for code, h in
           zip(["sheet", "column", "header", "code", "unit", "note"], cols)]
    _table_sheet(wb, LEGEND, out, rows, st, [22, 6, 28, 24, 30, 70])


_RULES = [
    ("表头", "第1行是中文列名 (每表内唯一), 可直接用于筛选、排序、Excel 表格和数据透视表。"
             "英文代码 (数据库列名, 与 CSV/Parquet 导出和 SCHEMA.md 一致) 见“字段说明”工作表。"),
    ("为什么只有一行表头", "筛选、排序和数据透视表只认一行表头; 第二行英文代码会被当作数据: "
                    "出现在每个筛选列表里, 让数值列混入文字, 透视表只能计数不能求和。"),
    ("金额", "一律为元 (报告中的万元在入库时已换算为元, 保留到分), 以千位分隔符显示, 列名带“(元)”。"),
    ("比率", "以百分比格式显示, 单元格里存的是小数: 96.48% 存为 0.9648, 可直接参与计算, "
             "筛选时可输入 95%。CSV、Parquet、JSON 和数据库中同一数字为 96.48。"),
    ("分值、得分", "单位为分, 数字格式。"),
    ("finance 的数值", "数据库中 finance.value 按口径 (measure) 混有元、百分数和分, 这里分成三列: "
                   "金额(元) (budget_initial / budget / actual)、比率(%) (rate)、"
                   "分值/得分(分) (weight / score); 每行只有其中一列有值, 一列之内单位一致。"),
    ("指标的目标值与实际值", "数值列 + 单位列 (%、人、元、个…): 目标 ≥95% 记为 95, 单位 %; "
                       "定性值 (达标、完成) 在“(定性)”列; 原文在“(原文)”列。"
                       "数值列里单位各异, 汇总前先按单位筛选。"),
    ("代码", "代码列前有一列中文名称, 例如 一级指标 = 产出指标, 一级指标代码 = output; "
             "评价等级 = 优, 评价等级代码 = excellent。代码与 SCHEMA.md 一致, 适合公式与跨年对比。"),
    ("数据来源", "每条数据都带 来源文件 / 来源页 / 来源行 / 来源单元格 (src_file, src_page, "
                 "src_line, src_cell), 指向原文件中读到它的位置; 来源单元格 T1R2C3 = 该文件第1个表格"
                 "第2行第3列。文档级字段 (单位、年度、得分、编制…) 的出处在 document_facts 工作表, "
                 "文档所在文件及其 SHA-256 在 documents 工作表。"),
    ("部门年度汇总的数字", "v_department_year 的预算数、执行数取该文档部门整体 (下属单位为空) 的 finance 行: "
                      "项目 funds_total (资金来源合计), 没有时取 expenditure_total (支出合计); "
                      "执行率 = 执行数 / 预算数, 两者缺一时取报告所写的执行率。省、市、县来自行政区划"
                      "数据集 (匹配依据见 org_regions 工作表)。"),
    ("已消失的文件", "入库运行发现已从文件夹中消失的文件, 其文档不在本工作簿中 (与 JSON 导出和视图一致); "
                 "导出时加 --include-missing 可包含。"),
    ("内部表", "流水线自用的表 (files、runs、quarantine、derived_state、search_entries、unclaimed) "
               "默认不导出; 导出时加 --all, 放在最后。"),
]


def _readme(wb, st: _Styles, sheets: list[Sheet], chunks, info: dict[str, Any]) -> None:
    ws = wb.create_sheet(README)
    count = [0]

    def add(row: list) -> None:
        ws.append(row)
        count[0] += 1

    for letter, w in zip("ABC", (26, 12, 100)):
        ws.column_dimensions[letter].width = w
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide when printed
    add([_cell(ws, "绩效报告数据工作簿 (jixiao export)", font=st.title_font)])
    for key, value in info.items():
        add([_cell(ws, key, font=st.bold),
             _cell(ws, value, number_format="#,##0") if isinstance(value, int)
             else _cell(ws, str(value))])
    add([])
    head = dict(font=st.head_font, fill=st.head_fill)
    add([_cell(ws, "工作表", **head), _cell(ws, "行数", **head), _cell(ws, "内容", **head)])
    add([_cell(ws, LEGEND, font=st.link_font, hyperlink=f"'{LEGEND}'!A1"), None,
         _cell(ws, "每个工作表的每一列: 中文列名、英文代码、单位/格式、说明")])
    for s in sheets:
        zh, what = SHEETS.get(s.name, (s.name, ""))
        for title, rows in chunks[s.name]:
            add([_cell(ws, title, font=st.link_font, hyperlink=f"'{title}'!A1"),
                 _cell(ws, len(rows), number_format="#,##0"),
                 _cell(ws, f"{zh}: {what}" if what else zh)])
    add([])
    add([_cell(ws, "读表须知", font=st.title_font)])
    for key, text in _RULES:
        lines = -(-_width(text) // 96)  # column C holds about 96 narrow characters a line
        ws.row_dimensions[count[0] + 1].height = 15 * max(1, lines) + 2
        add([_cell(ws, key, font=st.bold, alignment=st.top), None,
             _cell(ws, text, alignment=st.wrap)])
