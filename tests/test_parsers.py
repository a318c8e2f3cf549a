"""Parsers on made-up reports with the hard features of real ones (tests/data/).

Each test reads a file through the real extractor and parser chain and checks
the values a reader of the document would write down.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from extract import read_file
from extract.ir import Block, Cell, Provenance
from parsers import parse_file
from parsers.indicators import tables_to_indicators
from parsers.tasks import tables_to_tasks

DATA = Path(__file__).parent / "data"


def parse(name: str):
    return parse_file(read_file(DATA / name))


def finance(doc, item, measure="actual", entity=None):
    values = [f.value for f in doc.finance if f.item == item and f.measure == measure and f.entity == entity]
    assert len(values) <= 1, (item, measure, values)
    return values[0] if values else None


def test_project_self_evaluation_form():
    [doc] = parse("project_selfeval_tsv.txt")
    assert (doc.doc_type, doc.scope, doc.project) == ("self_evaluation_table", "project", "农村饮水安全巩固提升工程")
    assert (doc.org_region, doc.org_department, doc.fiscal_year) == ("凤冈县", "水务局", 2022)
    assert (doc.evaluation.total_score, doc.evaluation.max_score) == (91.0, 100.0)
    assert finance(doc, "funds_total", "budget_initial") == 5_000_000.0
    assert finance(doc, "funds_total", "budget") == 5_200_000.0
    assert finance(doc, "funds_total", "actual") == 4_680_000.0
    assert finance(doc, "funds_total", "rate") == 90.0
    assert finance(doc, "fiscal_appropriation", "budget") == 4_200_000.0  # 其中：当年财政拨款
    assert finance(doc, "carryover", "actual") == 680_000.0
    by_name = {i.name: i for i in doc.indicators}
    assert len(by_name) == 7
    cost = by_name["单位工程成本"]
    assert (cost.level1, cost.level2, cost.target.op, cost.weight, cost.score) == ("output", "cost", "<=", 5, 4)
    assert cost.deviation == "材料涨价"
    built = by_name["新建供水工程"]
    assert (built.target.value, built.target.unit, built.actual.value) == (20, "处", 18)
    assert by_name["受益群众满意度"].level1 == "satisfaction"
    assert {s.kind for s in doc.sections} == {"goals", "conclusion"}


def test_run_on_table_with_ocr_noise():
    [doc] = parse("runon_ocr_target_table.txt")
    assert doc.doc_type == "target_table" and doc.org_name == "铜鼓县农业农村局" and doc.fiscal_year == 2023
    got = [(i.level1, i.level2, i.name, i.target.op, i.target.value, i.target.unit) for i in doc.indicators]
    assert got == [
        ("output", "quantity", "培训高素质农民", ">=", 200, "人次"),
        ("output", "quantity", "新建高标准农田", "=", 5000, "亩"),
        ("output", "quality", "项目验收合格率", ">=", 95, "%"),
        ("output", "timeliness", "资金拨付及时率", "=", 100, "%"),
        ("outcome", "social", "带动农户增收户数", ">=", 10, "户"),  # IO户
        ("satisfaction", "satisfaction", "农户满意度", ">=", 90, "%"),  # 9O%
    ]


def test_third_party_report_in_prose():
    [doc] = parse("evaluation_report_prose.txt")
    ev = doc.evaluation
    assert doc.doc_type == "evaluation_report"
    assert (ev.total_score, ev.grade, ev.grade_raw) == (86.5, "good", "良")
    assert (ev.agency, ev.lead, ev.date) == ("湖北信达项目管理咨询有限公司", "王晓明", "2023-05")
    assert doc.fiscal_year == 2022  # the year evaluated, not the year of the report
    st = doc.staffing
    assert (st.authorized, st.authorized_admin, st.authorized_institution, st.actual) == (46, 15, 31, 44)
    assert (st.internal_units, st.subordinate_units) == (8, 12)
    assert finance(doc, "funds_total") == 32_568_000.0  # 3,256.80万元
    assert finance(doc, "basic") == 11_023_000.0
    assert {(e.item, e.value) for e in doc.expenditures} == {("基本公共卫生服务", 15_200_000.0), ("计划生育家庭奖励扶助", 3_264_000.0)}
    assert [s.kind for s in doc.sections] == ["overview", "functions", "goals", "spending", "conclusion", "problems", "suggestions"]


def _table(rows: list[list[str]]) -> Block:
    cells = [[Cell(t, Provenance("t.txt", line=r + 1, table=1, row=r, col=c)) for c, t in enumerate(row)] for r, row in enumerate(rows)]
    return Block(kind="table", prov=Provenance("t.txt", line=1, table=1), rows=cells)


def test_shifted_cells_are_read_by_what_they_say():
    # merged cells dropped when pasted: the level labels land in other columns
    table = _table([
        ["", "一级指标", "二级指标", "三级指标", "", "指标值"],
        ["职能1：做好就业服务", "产出指标", "数量指标", "指标1:", "举办招聘会", "≥2次"],
        ["", "时效指标", "指标1:", "补贴发放及时率", "=100%", ""],
        ["社会效益指标", "指标1:", "就业人数增长", "≥5%", "", ""],
        ["", "", "", "指标1：", "培训合格率", "≥90%"],
        ["满意度指标", "服务对象满意度指标", "指标1:", "服务对象满意度", "≥95%", ""],
    ])
    got = [(i.group, i.level1, i.level2, i.name, i.target.raw) for i in tables_to_indicators([table])]
    assert got == [
        ("职能1", "output", "quantity", "举办招聘会", "≥2次"),
        ("职能1", "output", "timeliness", "补贴发放及时率", "=100%"),
        ("职能1", "outcome", "social", "就业人数增长", "≥5%"),
        # numbering restarts without a label: the next second level of the same first level
        ("职能1", "outcome", "ecological", "培训合格率", "≥90%"),
        ("职能1", "satisfaction", "satisfaction", "服务对象满意度", "≥95%"),
    ]


def test_task_table_merged_cells_fill_down_within_their_task_only():
    table = _table([
        ["序号", "考核任务", "考核内容", "评分标准", "完成时限", "牵头领导", "责任股室", "责任人"],
        ["一", "安全生产(8分)", "1.开展隐患排查。", "每季度排查一次(2分)；建立台账(1分)。", "2023年12月底", "张 伟", "安全股", "李 娜"],
        ["", "", "", "组织应急演练不少于2次(5分)，未开展扣2分。", "2023年6月30日", "", "", ""],
        ["二", "信息公开(4分)", "2.按时公开预算。", "按时公开部门预算(4分)。", "持续推进", "", "办公\n室", "赵\n晓明"],
    ])
    tasks = tables_to_tasks([table])
    got = [(t.section_no, t.section, t.section_points, t.points, t.deadline, t.lead, t.unit, t.owner, t.item) for t in tasks]
    assert got == [
        ("一", "安全生产", 8.0, 3.0, "2023-12-31", "张伟", "安全股", "李娜", "1.开展隐患排查。"),
        ("一", "安全生产", 8.0, 5.0, "2023-06-30", "张伟", "安全股", "李娜", "1.开展隐患排查。"),
        # a new task restates what it needs: no leader is carried over from 一
        ("二", "信息公开", 4.0, 4.0, "持续推进", None, "办公室", "赵晓明", "2.按时公开预算。"),
    ]


def test_form_without_organisation_takes_it_from_the_report_beside_it(tmp_path):
    text = (
        "2023年度部门整体支出绩效自评表\n\n\t人员编制\n\t20\n\t实有人数\n\t18\n\n\t总分\n\t100\n\t92\n\n"
        "武功县民政局2023年度部门整体支出绩效自评报告\n一、部门概况\n武功县民政局共有编制20个，实有人数18人。\n"
        "二、自评结论\n我局自评得分92分，自评等级为优。\n"
    )
    path = tmp_path / "pair.txt"
    path.write_text(text, encoding="utf-8")
    form, report = parse_file(read_file(path))
    assert (form.doc_type, report.doc_type) == ("self_evaluation_table", "self_evaluation_report")
    assert form.org_name == report.org_name == "武功县民政局"
    assert (form.staffing.authorized, form.staffing.actual) == (20, 18)
    assert (form.evaluation.total_score, form.evaluation.max_score) == (92.0, 100.0)
    assert (report.evaluation.grade, report.evaluation.total_score) == ("excellent", 92.0)


def test_label_and_value_on_alternate_lines(tmp_path):
    path = tmp_path / "kv.txt"
    path.write_text("2021年度部门整体支出绩效自评表\n部门名称：德江县水务局\n人员编制\n25\n实有人数\n23\n绩效自评综合得分\n88\n评价等次\n良好\n",
                    encoding="utf-8")
    [doc] = parse_file(read_file(path))
    assert (doc.staffing.authorized, doc.staffing.actual) == (25, 23)
    assert (doc.evaluation.total_score, doc.evaluation.grade) == (88.0, "good")
    assert doc.org_region == "德江县"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_encodings_and_full_width_digits(tmp_path, encoding):
    path = tmp_path / "enc.txt"
    path.write_text("凤冈县教育局２０２２年度部门整体支出绩效自评报告\n一、部门概况\n２０２２年基本支出１２３．４５万元，其中人员支出１００万元。\n",
                    encoding=encoding)
    [doc] = parse_file(read_file(path))
    assert doc.fiscal_year == 2022 and doc.org_name == "凤冈县教育局"
    assert finance(doc, "basic") == 1_234_500.0 and finance(doc, "personnel") == 1_000_000.0


def test_operator_and_unit_in_their_own_columns():
    table = _table([
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
        ["产出指标", "数量指标", "改造农村户厕", "≥", "1200", "户"],
        ["", "质量指标", "验收合格率", "=", "100", "%"],
        ["满意度指标", "服务对象满意度指标", "群众满意度", "正向", "95", "%"],
    ])
    got = [(i.name, i.target.op, i.target.value, i.target.unit) for i in tables_to_indicators([table])]
    assert got == [("改造农村户厕", ">=", 1200, "户"), ("验收合格率", "=", 100, "%"), ("群众满意度", None, 95, "%")]


def test_indicator_rows_without_their_header_still_read():
    # the second half of a table cut across two files: no header row
    table = _table([
        ["", "时效指标", "指标1：资金拨付及时率", "=100%", "100%", "5", "5"],
        ["效益指标", "社会效益指标", "指标1：受益群众", "≥3000人", "3200人", "10", "9"],
    ])
    got = [(i.level1, i.level2, i.name, i.target.raw, i.actual.raw, i.weight, i.score) for i in tables_to_indicators([table])]
    assert got == [
        ("output", "timeliness", "资金拨付及时率", "=100%", "100%", 5, 5),
        ("outcome", "social", "受益群众", "≥3000人", "3200人", 10, 9),
    ]


def test_project_form_pasted_cell_per_line():
    [doc] = parse("project_selfeval_cells.txt")
    assert (doc.project, doc.org_name, doc.fiscal_year) == ("城乡居民基本医疗保险财政补助", "万载县医疗保障局", 2021)
    assert finance(doc, "funds_total", "budget") == 24_105_000.0  # 2,410.50 万元
    assert finance(doc, "funds_total", "rate") == 99.49
    assert finance(doc, "carryover", "budget") is None  # blank cells give no row
    levels = [(i.level1, i.level2) for i in doc.indicators]
    assert levels[0] == ("output", "quantity") and levels[4] == ("outcome", "social")  # 产出指标（50分）
    assert doc.indicators[0].target.unit == "万人"
    assert (doc.evaluation.total_score, doc.checks) == (98.9, [])


def test_what_no_parser_took_is_kept_as_unclaimed_text(tmp_path):
    path = tmp_path / "form.txt"
    path.write_text(
        "2023年度部门整体支出绩效目标表\n部门名称\t铜鼓县文化广电旅游局\n"
        "一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t送戏下乡场次\t≥60场\n\n"
        "评价人员\n姓名\t职务\t单位\n刘晓\t股长\t铜鼓县文化广电旅游局\n",
        encoding="utf-8")
    [doc] = parse_file(read_file(path))
    texts = [t for t, _ in doc.unclaimed]
    assert "刘晓\t股长\t铜鼓县文化广电旅游局" in texts  # data no parser reads: kept, with its line
    assert all("送戏下乡" not in t for t in texts)  # the indicator row was read
    assert [p.line for t, p in doc.unclaimed if t.startswith("刘晓")] == [8]


@pytest.mark.parametrize("text, expected", [
    ("XX县民政局2022年度部门整体支出绩效评价报告\n评价机构：华信会计师事务所\n主评人：周伟\n一、基本情况\n总得分90分。", "evaluation_report"),
    ("部门整体支出绩效评价报告\n一、概况\n我局委托第三方机构协助开展自评。\n二、结论\n我局自评得分95分。", "self_evaluation_report"),
    ("2023年度部门整体支出绩效自评报告\n一、概况\n本单位共有编制10名。", "self_evaluation_report"),
])
def test_who_wrote_a_report_decides_its_type(tmp_path, text, expected):
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    [doc] = parse_file(read_file(path))
    assert doc.doc_type == expected


def test_evaluation_scoring_table_with_decision_and_process_levels():
    # third-party reports score 决策/过程/产出/效益: second levels outside the SCHEMA vocabulary
    table = _table([
        ["一级指标", "二级指标", "三级指标", "分值", "得分"],
        ["决策", "项目立项", "立项依据充分性", "3", "3"],
        ["", "", "立项程序规范性", "2", "1.5"],
        ["过程", "资金管理", "资金到位率", "4", "4"],
        ["产出", "产出数量", "实际完成率", "10", "9"],
    ])
    got = [(i.level1, i.level2, i.level2_raw, i.name, i.weight, i.score) for i in tables_to_indicators([table])]
    assert got == [
        ("decision", None, "项目立项", "立项依据充分性", 3, 3),
        ("decision", None, "项目立项", "立项程序规范性", 2, 1.5),
        ("process", None, "资金管理", "资金到位率", 4, 4),
        ("output", None, "产出数量", "实际完成率", 10, 9),
    ]


def test_third_party_report_signed_at_its_end(tmp_path):
    path = tmp_path / "signed.txt"
    path.write_text(
        "西峡县民政局2022年度部门整体支出绩效评价报告\n受西峡县财政局委托，我公司对西峡县民政局开展了评价。\n"
        "一、评价结论\n综合得分88.6分，评价等级为“良”。\n二、存在问题\n预算执行偏慢。\n"
        "河南中原绩效评价咨询有限公司\n二〇二三年三月十五日\n", encoding="utf-8")
    [doc] = parse_file(read_file(path))
    assert doc.doc_type == "evaluation_report"
    ev = doc.evaluation
    assert (ev.total_score, ev.grade, ev.agency, ev.date) == (88.6, "good", "河南中原绩效评价咨询有限公司", "2023-03-15")
    assert doc.fiscal_year == 2022 and doc.org_name == "西峡县民政局"


def test_task_rows_continued_without_their_header():
    # the second file of a 任务分解表 cut in two: no header row, columns read from the cells
    table = _table([
        ["五", "移交安置工作(15分)", "1.做好退役士兵接收。", "按时完成接收安置任务。(3分)", "2024年12月底", "邱 博", "服务\n中心", "赵 静"],
        ["", "", "", "做好逐月领取退役金人员接收工作。(2分)", "持续推进", "", "", ""],
    ])
    got = [(t.section_no, t.section, t.section_points, t.item, t.points, t.deadline, t.lead, t.unit, t.owner)
           for t in tables_to_tasks([table])]
    assert got == [
        ("五", "移交安置工作", 15.0, "1.做好退役士兵接收。", 3.0, "2024-12-31", "邱博", "服务中心", "赵静"),
        ("五", "移交安置工作", 15.0, "1.做好退役士兵接收。", 2.0, "持续推进", "邱博", "服务中心", "赵静"),
    ]


def test_a_title_repeated_on_every_page_is_one_document(tmp_path):
    page = "武功县民政局2023年度部门整体支出绩效自评报告\n"
    path = tmp_path / "running.txt"
    path.write_text(page + "一、部门概况\n我局共有编制20个，实有人数18人。\n" + page +
                    "二、自评结论\n我局自评得分92分，自评等级为优。\n", encoding="utf-8")
    docs = parse_file(read_file(path))
    assert len(docs) == 1 and docs[0].evaluation.total_score == 92.0


def test_more_wordings_of_totals_and_staff(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(
        "淇县卫生健康委员会2023年度部门整体支出绩效自评报告\n一、部门概况\n核定编制45名，实有43名。\n"
        "二、部门整体支出情况\n2023年部门整体支出2,310.40万元，其中基本支出810.40万元，项目支出1,500.00万元。"
        "收入合计2,320.00万元，其中一般公共预算财政拨款收入2,200.00万元，政府性基金预算财政拨款收入120.00万元。\n",
        encoding="utf-8")
    [doc] = parse_file(read_file(path))
    assert (doc.staffing.authorized, doc.staffing.actual) == (45, 43)
    assert finance(doc, "expenditure_total") == 23_104_000.0
    assert finance(doc, "fiscal_appropriation") == 22_000_000.0 and finance(doc, "government_fund") == 1_200_000.0
    assert doc.checks == []  # 810.40 + 1,500.00 = 2,310.40 and 2,200 + 120 = 2,320


@pytest.mark.parametrize("title, scope", [
    ("2022年度农村饮水安全工程项目绩效评价报告", "project"),
    ("2022年度就业补助专项资金绩效评价报告", "project"),
    ("2022年度部门整体支出绩效评价报告", "department"),
    ("2022年度部门整体支出绩效自评表", "department"),
])
def test_scope_from_the_title(tmp_path, title, scope):
    path = tmp_path / "s.txt"
    path.write_text(f"{title}\n一、基本情况\n武功县水利局负责实施，共有编制20个。\n", encoding="utf-8")
    [doc] = parse_file(read_file(path))
    assert doc.scope == scope


def test_a_check_names_a_place_only_where_it_has_one():
    from extract.ir import Provenance
    from parsers.checks import _at

    assert _at(Provenance(file="a.txt", line=12)) == " (line 12)"
    assert _at(Provenance(file="a.pdf", page=3)) == " (page 3)"
    assert _at(Provenance(file="a.docx")) == ""  # never `(line None)`
