"""The table reconstruction stage for text (extract.cellstream, extract.reflow,
extract.runon_cells) and what it feeds: made-up forms, one hard feature each.
The layout-invariance test (tests/test_layout_invariance.py) covers whole forms."""
from __future__ import annotations

from pathlib import Path

from analysis.coverage import coverage
from extract import read_file
from extract.cellstream import commas_in_prose, lines_to_stream
from extract.ir import Provenance
from extract.reflow import stream_to_tables
from extract.runon_cells import split_run_on
from extract.text import extract_text
from normalize.columns import column_role, fuzzy_column_role
from parsers import parse_file
from parsers.prose_money import texts_to_money


def grid(text: str) -> list[list[list[str]]]:
    ef = extract_text(text.encode("utf-8"), "t.txt", "t.txt", "0")
    return [[[c.text for c in row] for row in b.rows] for b in ef.blocks if b.kind == "table"]


def parse(tmp_path: Path, text: str, name: str = "f.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(read_file(path))


def test_header_words_by_the_longest_word():
    assert column_role("预算执行数").role == "actual"  # spent money, not a budget
    assert column_role("预算执行率").role == "rate"
    assert column_role("执行率得分").role == "score"
    assert column_role("年初目标值(A)").role == "target"
    col = column_role("得分\n(20分*执行率)")
    assert (col.role, col.points) == ("score", 20.0)
    assert column_role("项目资金 (万元)").unit == "万元"
    assert column_role("预算执行情况(10分)").role == "block"  # a part of the form, no column
    assert column_role("完成本年度主要工作任务的情况说明") is None  # a sentence, not a header


def test_an_ocr_misread_header_word_is_matched_by_its_characters():
    assert fuzzy_column_role("年完值成全").role == "actual"  # 全年完成值, characters shuffled
    assert fuzzy_column_role("值分") is None  # too short to tell


def test_two_row_header_splits_the_merged_target_column():
    text = ("绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位 |\n"
            "产出指标 | 数量指标 | 新建蓄水池 | ≥ | 4 | 座 | 4座 | 10 | 9 |\n")
    [table] = grid(text)
    assert table[0] == ["一级指标", "二级指标", "三级指标", "指标性质", "年度指标值", "度量单位", "实际完成值", "分值", "得分"]
    assert table[1] == ["产出指标", "数量指标", "新建蓄水池", "≥", "4", "座", "4座", "10", "9"]


def test_cell_per_line_with_lone_bars_and_row_marks():
    text = "\n".join(["一级指标", "|", "二级指标", "|", "三级指标", "|", "指标值", "|", "得分", "|", "|||",
                      "产出指标", "|", "质量指标", "|", "验收合格率", "|", "100%", "|", "8", "|", "||||",
                      "|", "时效指标", "|", "按期完工率", "|", "≥95%", "|", "|||"])
    [table] = grid(text)
    assert table[1:] == [["产出指标", "质量指标", "验收合格率", "100%", "8"],
                         ["产出指标", "时效指标", "按期完工率", "≥95%", ""]]  # the merged 一级 label carried down


def test_wrapped_pipe_rows_are_joined_to_the_cells_above():
    text = ("| 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 分值 |\n"
            "| 效益指标 | 服务对象 | 群众对饮水工程的 | ≥90% | 10 |\n"
            "| | 满意度指标 | 满意度 | | |\n")
    [table] = grid(text)
    assert table[1] == ["效益指标", "服务对象满意度指标", "群众对饮水工程的满意度", "≥90%", "10"]


def test_a_level_name_alone_in_a_wrapped_looking_row_stays_a_row():
    text = ("| 一级指标 | 二级指标 | 三级指标 | 年度指标值 |\n"
            "| 效益指标 | 社会效益指标 | 受益人口 | ≥800人 |\n"
            "| | 生态效益指标 | 植被恢复面积 | ≥20亩 |\n")
    [table] = grid(text)
    assert [row[1] for row in table[1:]] == ["社会效益指标", "生态效益指标"]


def test_run_on_text_is_cut_by_words_and_figures():
    cells = [c.text for c in split_run_on("产出指标数量指标新建蓄水池≥4座4座1010", 1)]
    assert cells == ["产出指标", "数量指标", "新建蓄水池", "≥4座", "4座", "10", "10"]
    cells = [c.text for c in split_run_on("年度资金总额120.50118.203097.10%29.7", 1)]
    assert cells == ["年度资金总额", "120.50", "118.20", "30", "97.10%", "29.7"]
    # a weight glued before the target the next cell repeats; a date glued after a weight
    assert [c.text for c in split_run_on("保障学生人数8860人860人8", 1)][:3] == ["保障学生人数", "8", "860人"]
    assert [c.text for c in split_run_on("完成时间52023年11月完成", 1)][:3] == ["完成时间", "5", "2023年11月完成"]


def test_run_on_table_read_as_the_grid(tmp_path):
    [doc] = parse(tmp_path, "2024年度部门整体支出绩效目标表\n一级指标二级指标三级指标年度指标值实际完成值分值得分\n"
                            "产出指标数量指标培训基层干部≥300人次312人次1010\n"
                            "质量指标培训考核合格率≥95%98%55\n满意度指标服务对象满意度指标学员满意度≥90%93%108\n")
    got = [(i.level1, i.level2, i.name, i.target.raw, i.weight, i.score) for i in doc.indicators]
    assert got == [("output", "quantity", "培训基层干部", "≥300人次", 10, 10),
                   ("output", "quality", "培训考核合格率", "≥95%", 5, 5),
                   ("satisfaction", "satisfaction", "学员满意度", "≥90%", 10, 8)]


def test_commas_between_clauses_make_no_csv_row():
    assert commas_in_prose(["本年度共举办培训12期", "参训人数达到860人次", "完成全年目标。"])
    assert not commas_in_prose(["资金总额", "120.50", "118.20", "98.09%"])
    assert grid("一、项目概况,本项目于2023年立项,主要用于村级道路维护,覆盖8个村。\n") == []


def test_a_row_cut_by_the_end_of_the_text_is_dropped():
    text = "一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 |\n产出指标 | 数量指标 | 维修道路 | 12公里 | 12公里 |\n效益指标 | 社会效"
    table = grid(text)[0]
    assert [row[2] for row in table[1:]] == ["维修道路"]


def test_money_list_with_one_amount_column_is_a_target_tables_budget(tmp_path):
    [doc] = parse(tmp_path, "项目支出绩效目标申报表\n(2024年度)\n项目名称 乡村道路养护\n"
                            "项目资金(万元) 年度资金总额 金额(万元)\n(一)财政拨款小计 42.50\n(二)其他收入 0.00\n")
    money = {(f.item, f.measure): f.value for f in doc.finance}
    assert money == {("fiscal_appropriation", "budget"): 425000.0, ("other_funds", "budget"): 0.0}


def test_prose_money_received_and_spent():
    text = ("2023年收到财政资金50万元，其中：中央资金30万元，省级资金20万元。"
            "全年支出45万元，其中中央资金28万元，资金执行率为90%。")
    facts = texts_to_money([(text, Provenance(file="p.txt", line=1))])
    got = {(f.item, f.measure): f.value for f in facts.finance}
    assert got == {("funds_total", "budget"): 500000.0, ("central_funds", "budget"): 300000.0,
                   ("provincial_funds", "budget"): 200000.0, ("expenditure_total", "actual"): 450000.0,
                   ("central_funds", "actual"): 280000.0, ("funds_total", "rate"): 90.0}
    assert facts.expenditures == []  # money received is no spending by purpose


def test_a_label_before_a_colon_names_the_amount():
    facts = texts_to_money([("1、收入：318.06万元。2、支出：301.25万元。", Provenance(file="p.txt", line=1))])
    assert {(f.item, f.value) for f in facts.finance} == {("funds_total", 3180600.0), ("expenditure_total", 3012500.0)}


def test_traditional_characters_are_read_as_simplified(tmp_path):
    [doc] = parse(tmp_path, "2023年度項目支出績效自評表\n一級指標\t二級指標\t三級指標\t年度指標值\t實際完成值\n"
                            "產出指標\t數量指標\t維修水渠長度\t≥5公里\t5.2公里\n")
    [ind] = doc.indicators
    assert (doc.doc_type, ind.level1, ind.level2, ind.name, ind.target.value) == (
        "self_evaluation_table", "output", "quantity", "维修水渠长度", 5.0)


def test_form_labels_apart_from_their_texts_are_paired(tmp_path):
    [doc] = parse(tmp_path, "2023年度项目支出绩效自评表\n项目名称\n村级公路养护\n年度总体目标\n预期目标\n实际完成情况\n"
                            "完成全镇村级公路日常养护，路况良好率保持在九成以上。\n"
                            "全年养护村级公路三十二公里，路况良好率达到百分之九十三。\n")
    kinds = {s.kind: s.text for s in doc.sections}
    assert kinds["goals"].startswith("完成全镇村级公路日常养护")


def test_coverage_counts_what_no_parser_read(tmp_path):
    (tmp_path / "a.txt").write_text(
        "2023年度部门整体支出绩效目标表\n一级指标\t二级指标\t三级指标\t指标值\n产出指标\t数量指标\t送戏下乡场次\t≥60场\n\n"
        "评价人员\n姓名\t职务\t单位\n刘晓\t股长\t铜鼓县文化广电旅游局\n", encoding="utf-8")
    [row], failed = coverage([tmp_path])
    assert failed == [] and row.records == 1 and row.units == 5 and row.unread == 3  # 评价人员, its header, its row
    assert row.share_read == 0.4


def test_coverage_command(tmp_path):
    from click.testing import CliRunner

    from pipeline import cli

    (tmp_path / "a.txt").write_text("2023年度部门整体支出绩效目标表\n一级指标\t二级指标\t三级指标\t指标值\n"
                                    "产出指标\t数量指标\t送戏下乡场次\t≥60场\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["coverage", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "a.txt#1 (target_table)" in result.output and result.output.strip().endswith("100.0% read")
    result = CliRunner().invoke(cli, ["coverage", "--json", str(tmp_path)])
    assert '"total_share_read": 1.0' in result.output
    assert CliRunner().invoke(cli, ["coverage", str(tmp_path / "missing")]).exit_code == 2


def test_indicators_stated_in_prose(tmp_path):
    [doc] = parse(tmp_path, "2023年度村级道路养护项目绩效自评报告\n一、基本情况\n本项目由镇政府实施，我镇组织开展了自评。\n"
                            "二、绩效指标完成情况\n1.数量指标。全年养护道路长度为32公里。\n"
                            "2.质量指标。路面完好率为96%，群众投诉办结率及回访率均为100%。\n"
                            "3.时效指标。养护任务每季度完成指标为100%实际完成值为100%\n"
                            "4.其他工作。全年支出资金12万元，用于购买材料。\n")
    got = [(i.level1, i.level2, i.name, i.target and i.target.value, i.actual.value, i.actual.unit) for i in doc.indicators]
    assert got == [("output", "quantity", "养护道路长度", None, 32.0, "公里"),
                   ("output", "quality", "路面完好率", None, 96.0, "%"),
                   ("output", "quality", "群众投诉办结率", None, 100.0, "%"),
                   ("output", "quality", "回访率", None, 100.0, "%"),
                   ("output", "timeliness", "养护任务每季度完成", 100.0, 100.0, "%")]  # no money, no 其他工作


def test_scoring_rules_run_together_into_prose(tmp_path):
    [doc] = parse(tmp_path, "某镇2023年度河长制工作考核细则\n考核项目序号考核内容分值评分标准得分一、组织保障有力(5)"
                            "1成立河长制工作领导小组,明确分管领导。2未成立的不得分。2每月召开一次工作例会(2023)。"
                            "3少开一次扣0.5分。二、巡河到位(4)3村级河长每周巡河不少于一次。4巡河记录不全的扣1分。\n")
    got = [(t.section_no, t.section, t.section_points, t.item, t.points, t.criterion) for t in doc.tasks]
    assert got == [("一", "组织保障有力", 5.0, "成立河长制工作领导小组,明确分管领导。", 2.0, "未成立的不得分。"),
                   ("一", "组织保障有力", 5.0, "每月召开一次工作例会(2023)。", 3.0, "少开一次扣0.5分。"),
                   ("二", "巡河到位", 4.0, "村级河长每周巡河不少于一次。", 4.0, "巡河记录不全的扣1分。")]


def test_pinyin_glosses_after_characters_are_taken_out(tmp_path):
    [doc] = parse(tmp_path, "2023年度项目支出绩(jì)效(xiào)自评表\n一级指标\t二级指标\t三级指标\t年度指标值\n"
                            "产chǎn出chū指标\t数量指标\t维修水渠长度\t≥5公里\n")
    [ind] = doc.indicators
    assert (doc.doc_type, ind.level1, ind.name) == ("self_evaluation_table", "output", "维修水渠长度")


def test_headings_inside_a_pdf_line_head_their_sections(tmp_path):
    duty = "负责全县农村公路的规划、建设和养护管理，指导乡镇开展道路日常巡查与维护工作。" * 4
    line = f"2023年度部门整体支出绩效自评报告 一、部门基本情况 (一)部门职能。 {duty} (二)人员情况。 现有在职人员十二人。"
    [doc] = parse(tmp_path, line + "\n")
    assert {"overview", "functions"} <= {s.kind for s in doc.sections}
    assert grid(line) == []  # still prose, only cut at its headings


def test_scoring_rules_one_cell_per_line_with_labels_one_character_per_line(tmp_path):
    text = "\n".join(["村级安全生产工作考核细则", "项目", "评分标准", "基本分", "自评分",
                      "消", "防", "安", "全", "(10分)", "1、配备灭火器材;", "2、每季度开展一次演练。", "10",
                      "隐", "患", "排", "查", "(20分)", "1、每月排查一次;(10分)", "2、整改台账齐全;(10分)", "20",
                      "备", "注", "材料按时上报。"])
    [doc] = parse(tmp_path, text + "\n")
    got = [(t.section, t.section_points, t.criterion, t.points) for t in doc.tasks]
    assert got == [("消防安全", 10.0, "1、配备灭火器材;2、每季度开展一次演练。", None),
                   ("隐患排查", 20.0, "1、每月排查一次;", 10.0),
                   ("隐患排查", 20.0, "2、整改台账齐全;", 10.0)]


def test_a_columns_usual_kind_of_cell_settles_an_ambiguous_row():
    # 得分系数 always holds 100%: in the row with no target, the bare 3s are its weight and score
    rows = ["指标名称 | 计量单位 | 年初指标值 | 全年完成值 | 得分系数 | 指标权重 | 指标得分 |"]
    rows += [f"{n} | % | {t} | {a} | 100% | 3 | 3 |" for n, t, a in
             (("项目完成率", "95%", "97%"), ("资金到位率", "100%", "100%"), ("验收合格率", "98%", "99%"))]
    rows += ["档案规范率 | % | 100% | 3 | 3 |"]
    table = grid("\n".join(rows))[0]
    assert table[-1][2:] == ["档案规范率", "%", "", "", "100%", "3", "3"]  # not 100% | 3 as target | result


def test_words_cut_by_stray_spaces_in_pdf_text_are_joined(tmp_path):
    text = ("2023年度部门整体支出绩效评价得分表 一级指 标 二级指标 三级指标 得分 部门决 策(20 分) 目标设定(10 分) "
            "依据充分性(4 分)\n4 目标明确性(6 分)\n5 综合管 理(30 分) 资金管理(10 分) 支出合规性(10 分)\n9\n")
    [doc] = parse(tmp_path, text)
    got = [(i.level1, i.level2_raw, i.name, i.weight, i.score) for i in doc.indicators]
    assert got == [("decision", "目标设定", "依据充分性", 4.0, 4.0), ("decision", "目标设定", "目标明确性", 6.0, 5.0),
                   ("process", "资金管理", "支出合规性", 10.0, 9.0)]  # points in a name are its weight


def test_a_csv_export_whose_line_breaks_are_no_row_ends(tmp_path):
    # rows run together with a space, a line break inside a row, a stray empty cell before the header,
    # a quoted cell over two lines, and the last row cut by the end of the text
    text = (',,\n, "项目","考核内容","评分标准","权数","得分" "环境整治(30分)","垃圾清运","每日清运一次,\n'
            '漏一次扣1分.","20", ,"河道保洁","每周巡查一次,\n漏一次扣2分.","10",\n, ,"绿化养护","按季度修')
    table = grid(text)[-1]
    assert table[0] == ["项目", "考核内容", "评分标准", "权数", "得分"]
    assert table[1] == ["环境整治(30分)", "垃圾清运", "每日清运一次,\n漏一次扣1分.", "20", ""]
    assert table[2] == ["", "河道保洁", "每周巡查一次,\n漏一次扣2分.", "10", ""]
    [doc] = parse(tmp_path, "村容村貌考核细则\n" + text)
    got = [(t.section, t.section_points, t.item, t.points) for t in doc.tasks]
    assert got == [("环境整治", 30.0, "垃圾清运", 20.0), ("环境整治", 30.0, "河道保洁", 10.0)]  # not the cut row


def test_run_on_ocr_rows_part_a_zero_glued_to_a_rate_and_a_doubled_grade(tmp_path):
    # 得分系数 holds 100% in every row; a zero result glued to it, grades printed as target and result,
    # and a merged part's label (绩效指标) standing at a page's end among the rows
    text = ("2024年度部门整体绩效自评表\n"
            "一级指标二级指标三级指标度量单位年度指标值实际完成值得分系数分值得分是否核心指标"
            "人员控制比例%90%95%100%22是预算调整率%5%0100%22否绩效指标\n"
            "2、档案管理规范性高高100%33否资金拨付及时性好好100%44否培训人次人次50人次62人次100%55是\n")
    [doc] = parse(tmp_path, text)
    got = {i.name: (i.target and i.target.raw, i.actual and i.actual.raw, i.weight, i.score) for i in doc.indicators}
    assert got["预算调整率"] == ("5%", "0%", 2.0, 2.0)
    assert got["档案管理规范性"] == ("高", "高", 3.0, 3.0)
    assert got["资金拨付及时性"] == ("好", "好", 4.0, 4.0)
    assert "绩效指标" not in got and len(got) == 5


def test_a_bound_in_words_parts_a_run_on_row(tmp_path):
    text = ("2024年项目支出绩效目标表\n一级指标二级指标三级指标指标说明年度指标值产出指标数量指标"
            "设备巡检次数反映全年巡检情况120次质量指标维修验收合格率反映维修质量情况≥95%成本指标"
            "运行成本控制率不超预算能耗下降率反映能耗比上年下降情况≥5%\n")
    [doc] = parse(tmp_path, text)
    got = [(i.name, i.target and i.target.raw) for i in doc.indicators]
    assert got[2:] == [("运行成本控制率", "不超预算"), ("能耗下降率", "≥5%")]


def test_an_indicators_explanation_is_never_its_target():
    rows = ["一级指标 | 二级指标 | 三级指标 | 指标说明 | 年度指标值 |",
            "产出指标 | 数量指标 | 巡检次数 | 反映全年巡检情况 | 120次 |",
            "产出指标 | 质量指标 | 验收合格率 | 反映验收质量情况 | ≥95% |",
            "产出指标 | 成本指标 | 能耗下降率 | 反映能耗比上年下降情况 |",
            "效益指标 | 社会效益指标 | 群众知晓率 | 反映政策知晓情况 | ≥90% |"]
    table = grid("\n".join(rows))[0]
    assert table[3][3:] == ["反映能耗比上年下降情况", ""]


def test_a_run_on_header_with_a_note_in_brackets_is_a_header():
    """`指标值(含计量单位及文字说明)`: a header cell's bracketed note is no content, so the line is
    still mostly header words, and the run-on table under it is read."""
    from extract.runon_cells import looks_run_on

    assert looks_run_on("一级指标二级指标三级指标指标值(含计量单位及文字说明)")
    assert looks_run_on("绩效指标一级指标二级指标三级指标指标值（填写数字或文字说明）")
    assert not looks_run_on("本单位对一级指标和二级指标进行了梳理(见附表)，三级指标指标值另行说明。")
