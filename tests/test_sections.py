"""SECTION rows from every way a narrative arrives: a report's headings, a form's labelled cells
(in a grid, one cell per line, or run together with no borders), labels run into a paragraph.
Made-up documents, one hard feature each."""
from __future__ import annotations

from pathlib import Path

from extract import read_file
from extract.text import split_embedded_headings
from normalize.columns import column_role
from parsers import parse_file
from parsers.form_narratives import text_to_narratives


def parse(tmp_path: Path, text: str, name: str = "f.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(read_file(path))


def kinds(doc) -> dict[str, str]:
    return {s.kind: s.text for s in doc.sections}


GOAL = "完成城区三条排水管网改造，汛期主干道不出现积水。"
RESULT = "三条管网已于十月前完工并通过验收，汛期未发生积水。"


def test_a_run_on_form_gives_each_labelled_narrative_its_kind(tmp_path):
    text = (f"2024年度项目绩效目标申报表 项目名称城区排水改造项目单位城建服务站项目概况对城区老旧排水管网进行分段改造"
            f"立项情况项目立项的依据城区防汛规划项目申报的必要性老旧管网排水能力不足影响群众出行"
            f"项目实施进度计划项目实施内容开始时间完成时间1管网改造20242024"
            f"项目绩效目标长期目标年度目标{GOAL}长期绩效指标一级指标二级指标指标内容指标值产出指标数量指标改造管网长度≥3公里\n")
    [doc] = parse(tmp_path, text)
    got = kinds(doc)
    assert set(got) == {"overview", "other", "goals"}  # the progress plan's table is no implementation
    assert got["goals"] == GOAL
    assert "防汛规划" in got["other"] and "排水能力不足" in got["other"]  # its sub-labels' texts joined


def test_a_run_on_target_and_result_are_dealt_from_the_right():
    [goal, result] = text_to_narratives(f"年度总体目标预期目标实际完成情况{GOAL}{RESULT}绩效指标一级指标")
    assert (goal[0], goal[1], goal[2]) == ("goals", "年度总体目标", GOAL)
    assert (result[0], result[2]) == ("conclusion", RESULT)
    # an empty result cell (无 / 完成) makes no section
    assert [k for k, _, _ in text_to_narratives(f"年初设定目标{GOAL}年度总体目标完成情况 完成")] == ["goals"]


def test_a_template_instruction_is_no_section(tmp_path):
    text = "\n".join(["项目支出绩效自评表(2024年度)", "项目名称", "乡村道路养护", "项目基本情况",
                      "1.项目年度目标完成情况", "项目年度目标", "年度目标完成情况", GOAL,
                      "对照年度目标,说明相关任务目标的完成情况(100字以内)", "2.项目实施内容及过程概述",
                      "其他资金", "/", "合计", "100", "存在问题", "结合自评情况,分析存在的问题及原因。(200字以内)"])
    [doc] = parse(tmp_path, text + "\n")
    assert kinds(doc) == {"goals": GOAL}  # the goal, not its result's prompt, nor a group label


def test_a_short_row_under_a_row_of_labels_sits_under_its_last_labels(tmp_path):
    text = ("项目支出绩效自评表\n项目名称\t排水改造\n"
            "项目基本情况\t1.项目年度目标完成情况\t项目年度目标\t年度目标完成情况\n"
            f"{GOAL}\t完成\n")
    [doc] = parse(tmp_path, text)
    assert kinds(doc) == {"goals": GOAL}


def test_run_in_labels_inside_a_paragraph_are_parts(tmp_path):
    text = ("2024年度部门整体支出绩效自评报告\n"
            "本部门按要求开展自评，自评得分92分。存在的问题：一是预算编制偏粗，二是资金拨付不够及时。"
            "下一步改进措施：一是细化预算测算，二是按月跟踪资金拨付进度。\n")
    [doc] = parse(tmp_path, text)
    got = kinds(doc)
    assert got["problems"] == "一是预算编制偏粗，二是资金拨付不够及时。"
    assert got["suggestions"] == "一是细化预算测算，二是按月跟踪资金拨付进度。"


def test_a_scrambled_text_layer_keeps_its_numbered_heading():
    assert split_embedded_headings("10 10 总分 2.部门整体支出自评开展情况. 本部门按要求") == \
        ["10 10 总分", "2.部门整体支出自评开展情况.", "本部门按要求"]
    assert split_embedded_headings("完成率 3.5 万元. 其他") == ["完成率 3.5 万元. 其他"]  # a figure is no heading


def test_an_excerpt_whose_top_headings_are_arabic_and_a_duty_list_is_no_part(tmp_path):
    duties = "\n".join(f"({n})负责全区{w}工作，指导各街道开展相关业务。" for n, w in zip("1234", "环卫绿化照明排水"))
    text = ("城管局2024年度部门整体支出绩效自评报告\n1.部门职能\n" + duties + "\n"
            "2.部门整体支出绩效自评开展情况\n本局成立自评小组，对全年支出逐项开展自评，形成自评报告。\n")
    [doc] = parse(tmp_path, text)
    assert set(kinds(doc)) == {"functions", "implementation"}


def test_a_title_printed_over_two_lines_is_no_section(tmp_path):
    text = ("关于上报2024年城区排水改造项目\n支出绩效自评的报告\n"
            "一、基本情况\n本项目由城建服务站实施，改造老旧排水管网三条，总投资一百二十万元。\n")
    [doc] = parse(tmp_path, text)
    assert doc.title == "关于上报2024年城区排水改造项目支出绩效自评的报告"
    assert set(kinds(doc)) == {"overview"}


def test_a_narrative_opening_with_a_block_name_is_no_header_cell():
    assert column_role("绩效目标(10分)").role == "block"
    assert column_role(f"绩效目标{GOAL}") is None


def test_a_short_row_padded_with_empty_cells_still_sits_under_its_last_labels(tmp_path):
    # a DOCX or PDF grid pads the row to the table's width (its last cell spans the rest)
    text = ("项目支出绩效自评表\n项目名称\t排水改造\t\t\n"
            "项目基本情况\t1.项目年度目标完成情况\t项目年度目标\t年度目标完成情况\n"
            f"{GOAL}\t完成\t\t\n")
    [doc] = parse(tmp_path, text)
    assert kinds(doc) == {"goals": GOAL}
