"""Scoring-rule tables (考评细则, 任务分解表) pasted from a PDF preview with their cells run
together: no border between an item and its rule, a task and its first item, points and the
office after them (extract.runon_rules, read through extract.runon_cells and extract.reflow_tasks).

Made-up tables, one hard feature each: the header's own column order, merged 序号 and task
cells printed once, a rule that opens with a rule's word (每, 未, 按时) or restates its item,
points glued to a deadline (`43月底前`: 4 points, due 3月底前), a page's title and fields
before the header on the same line, and rows one per line or all on one.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

from extract import read_file
from extract.runon_cells import looks_run_on, split_run_on
from extract.runon_rules import header_roles, rule_header, split_rule_rows
from parsers import parse_file

TITLE = "城南街道2025年度校园食品安全工作考核细则"
HEADER = "序号考核任务考核内容考核标准分值责任单位"
ROWS = [
    "一食堂管理（12分）健康证管理未持证上岗的每人扣2分。6教育局",
    "留样记录每餐留样并登记，缺一次扣1分。6教育局",
    "二校外供餐（8分）供餐企业资质按时核验资质的得满分，未核验的不得分。8市场监管局",
    "三应急处置（5分）应急演练演练每学期不少于一次，少一次扣2分。5街道办",
]
WANT = [
    ("一", "食堂管理", 12.0, "健康证管理", "未持证上岗的每人扣2分。", 6.0, "教育局"),
    ("一", "食堂管理", 12.0, "留样记录", "每餐留样并登记,缺一次扣1分。", 6.0, "教育局"),
    ("二", "校外供餐", 8.0, "供餐企业资质", "按时核验资质的得满分,未核验的不得分。", 8.0, "市场监管局"),
    ("三", "应急处置", 5.0, "应急演练", "演练每学期不少于一次,少一次扣2分。", 5.0, "街道办"),
]


def tasks(tmp_path: Path, text: str):
    path = tmp_path / "rules.txt"
    path.write_text(text, encoding="utf-8")
    docs = parse_file(read_file(path))
    return [(t.section_no, t.section, t.section_points, t.item, unicodedata.normalize("NFKC", t.criterion),
             t.points, t.unit) for d in docs for t in d.tasks], docs


def test_a_run_on_header_is_found_by_its_words_in_their_order():
    text = "附件考评单位：" + HEADER + ROWS[0]
    start, end, words = rule_header(text)
    assert text[start:end] == HEADER
    assert header_roles(words) == ["seq", "section", "item", "criterion", "weight", "office"]
    assert looks_run_on(HEADER)
    # an indicator table's header is no scoring table's, even with a 评分标准 column
    assert rule_header("一级指标二级指标三级指标评分标准分值得分") is None


def test_item_and_rule_are_parted_where_the_rule_begins():
    roles = ["seq", "section", "item", "criterion", "weight", "office"]
    body = "".join(ROWS)
    rows, end = split_rule_rows(body, roles)
    assert end == len(body)
    got = [{role: body[a:b] for role, a, b in row} for row in rows]
    assert [(r.get("item"), r["criterion"][:4], r.get("weight"), r.get("office")) for r in got] == [
        ("健康证管理", "未持证上", "6", "教育局"),  # 未: a rule's opening word
        ("留样记录", "每餐留样", "6", "教育局"),  # no 序号, no task: merged cells printed once
        ("供餐企业资质", "按时核验", "8", "市场监管局"),
        ("应急演练", "演练每学", "5", "街道办"),  # the rule restates its item's last word
    ]
    assert [r.get("seq") for r in got] == ["一", None, "二", "三"]


def test_a_table_run_together_on_one_line(tmp_path):
    got, docs = tasks(tmp_path, TITLE + "\n\n" + HEADER + "".join(ROWS) + "\n")
    assert got == WANT
    assert [d.doc_type for d in docs] == ["task_breakdown"]


def test_a_table_one_row_per_line(tmp_path):
    got, _ = tasks(tmp_path, TITLE + "\n\n" + HEADER + "\n" + "\n".join(ROWS) + "\n")
    assert got == WANT


def test_the_title_and_fields_before_the_header_on_the_same_line(tmp_path):
    # a preview page: its title printed again, a blank field, then the table; one document still
    got, docs = tasks(tmp_path, TITLE + "\n\n1、" + TITLE + "考核单位：2025年度" + HEADER + "".join(ROWS) + "\n")
    assert got == WANT
    assert len(docs) == 1


PLAN_TITLE = "县安委会2025年度安全生产重点工作任务分解表"
PLAN = [
    ["序号", "考核内容", "评分标准", "分值", "完成时限", "责任单位"],
    ["1", "建立巡查台账", "每月更新一次的得满分，未更新的每次扣1分。", "4", "3月底前", "应急管理局"],
    ["2", "开展隐患排查", "完成全部点位排查得满分，漏查一处扣0.5分。", "6", "6月底前", "住建局、消防救援大队"],
    ["3", "报送总结材料", "按时报送的得满分，逾期不得分。", "2", "年底前", "县安委办"],
]


def test_points_glued_to_a_deadline_and_units_in_another_column_order(tmp_path):
    # `43月底前`: 4 points and 3月底前 (no month 43); `66月底前` alike; two units in one cell
    grid, grid_docs = tasks(tmp_path, PLAN_TITLE + "\n" + "".join("\t".join(r) + "\n" for r in PLAN))
    run_on, docs = tasks(tmp_path, PLAN_TITLE + "\n" + "".join("".join(r) for r in PLAN) + "\n")
    assert [t[3:] for t in grid] == [("建立巡查台账", "每月更新一次的得满分,未更新的每次扣1分。", 4.0, "应急管理局"),
                                     ("开展隐患排查", "完成全部点位排查得满分,漏查一处扣0.5分。", 6.0, "住建局、消防救援大队"),
                                     ("报送总结材料", "按时报送的得满分,逾期不得分。", 2.0, "县安委办")]
    assert run_on == grid
    lines, _ = tasks(tmp_path, PLAN_TITLE + "\n" + "".join("".join(r) + "\n" for r in PLAN))
    assert lines == grid
    deadlines = [t.deadline for d in docs for t in d.tasks]
    assert deadlines == [t.deadline for d in grid_docs for t in d.tasks] and len(set(deadlines)) == 3


def test_a_line_without_a_scoring_header_is_cut_as_before():
    pieces = [c.text for c in split_run_on("产出指标数量指标新建蓄水池≥4座4座1010", 1)]
    assert pieces[:3] == ["产出指标", "数量指标", "新建蓄水池"]


def test_a_task_that_numbers_itself_beside_a_column_of_row_numbers(tmp_path):
    # 考评项目 `一、名称(7)`: the task's number and points in its own cell; 序号 1, 2 number the rows
    rows = [["考评项目", "序号", "考评内容", "分值", "评分标准"],
            ["一、档案规范(7)", "1", "建立一户一档。", "4", "缺一户扣0.5分。"],
            ["", "2", "年终归档。", "3", "未归档的不得分。"],
            ["二、公开透明(3)", "3", "按季公示。", "3", "少一次扣1分。"]]
    grid, _ = tasks(tmp_path, "某村档案工作考评细则\n" + "".join("\t".join(r) + "\n" for r in rows))
    run_on, _ = tasks(tmp_path, "某村档案工作考评细则\n" + "".join("".join(r) for r in rows) + "\n")
    assert [t[:5] for t in grid] == [("一", "档案规范", 7.0, "建立一户一档。", "缺一户扣0.5分。"),
                                    ("一", "档案规范", 7.0, "年终归档。", "未归档的不得分。"),
                                    ("二", "公开透明", 3.0, "按季公示。", "少一次扣1分。")]
    assert run_on == grid
