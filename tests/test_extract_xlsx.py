"""extract/xlsx.py on small workbooks built here with openpyxl (and bad .xls/.et bytes)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

import extract
import extract.xlsx as xx
from extract.errors import InputError
from parsers import parse_file
from target_table import assert_target_table


def _set_text(ws, ref: str, text: str) -> None:
    """A string cell even when it starts with '=' (openpyxl would make it a formula)."""
    ws[ref] = text
    ws[ref].data_type = "s"


def build_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "2023年度部门整体支出绩效自评表"
    ws.merge_cells("A1:E1")
    ws.append(["项目", "全年预算数", "全年执行数", "执行率", "日期"])
    ws.append(["合计", 13351.2, 11436.27, 0.8566, dt.date(2023, 12, 31)])
    ws["B3"].number_format = "#,##0.00"
    ws["C3"].number_format = "#,##0.00"
    ws["D3"].number_format = "0%"
    ws.append(["人员编制", 12.0, 10, None, None])  # an empty cell, an integer stored as float
    ws.append(["横向合并", None, "右", None, None])
    ws.merge_cells("A5:B5")
    ws.append(["纵向合并", "x1", "y1", None, None])
    ws.append([None, "x2", "y2", None, None])
    ws.merge_cells("A6:A7")
    ws.append(["项目", "全年预算数", "全年执行数", "执行率", "日期"])  # a header repeated
    ws.append(["填报人：张三"])
    ws.append([])
    ws.append([])
    ws.column_dimensions["H"].width = 30  # formatting past the data does not widen the table
    ws["H20"].number_format = "0.00"
    wb.create_sheet("空表")
    ws2 = wb.create_sheet("指标")
    ws2.append(["名称", "值"])
    ws2.append(["甲", 1])
    hidden = wb.create_sheet("下拉选项")
    hidden.append(["产出指标", "效益指标"])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def _tables(path: Path):
    return [b for b in extract.read_file(path).blocks if b.kind == "table"]


def test_sheets_in_order_with_title_rows_lifted(tmp_path):
    ex = extract.read_file(build_workbook(tmp_path / "a.xlsx"))
    assert ex.format == "xlsx"
    got = [(b.kind, b.level, b.text) for b in ex.blocks if b.kind != "table"]
    assert got == [
        ("heading", 0, "2023年度部门整体支出绩效自评表"),
        ("paragraph", None, "填报人：张三"),
        ("heading", 1, "指标"),
    ]
    assert [b.kind for b in ex.blocks] == ["heading", "table", "paragraph", "heading", "table"]  # no `Sheet1`
    assert any("下拉选项" in w for w in ex.warnings)  # the hidden sheet is not read
    title = ex.blocks[0]
    assert (title.prov.table, title.prov.line) == (1, 1)


def test_numbers_are_values_and_dates_iso(tmp_path):
    table = _tables(build_workbook(tmp_path / "a.xlsx"))[0]
    assert [c.text for c in table.rows[1]] == ["合计", "13351.2", "11436.27", "85.66%", "2023-12-31"]
    assert [c.text for c in table.rows[2]] == ["人员编制", "12", "10", "", ""]


def test_merged_ranges_are_spanned(tmp_path):
    table = _tables(build_workbook(tmp_path / "a.xlsx"))[0]
    assert all(len(row) == 5 for row in table.rows)  # trailing empty rows and columns trimmed
    h = table.rows[3]
    assert [c.text for c in h] == ["横向合并", "", "右", "", ""] and h[0].colspan == 2
    v1, v2 = table.rows[4], table.rows[5]
    assert v1[0].text == "纵向合并" and v1[0].rowspan == 2
    assert [c.text for c in v2] == ["", "x2", "y2", "", ""]


def test_repeated_header_row_kept_and_provenance(tmp_path):
    table = _tables(build_workbook(tmp_path / "a.xlsx"))[0]
    assert [c.text for c in table.rows[6]] == [c.text for c in table.rows[0]]
    assert len(table.rows) == 7
    cell = table.rows[1][1]
    # table = sheet index, line = the Excel row number
    assert (cell.prov.table, cell.prov.line, cell.prov.row, cell.prov.col) == (1, 3, 2, 1)
    second = _tables(tmp_path / "a.xlsx")[1]
    assert second.prov.table == 3  # the third sheet of the workbook (the empty one gives nothing)


@pytest.mark.parametrize("value, fmt, text", [
    (12.0, None, "12"), (13351.2, "#,##0.00", "13351.2"), (0.1 + 0.2, None, "0.3"), (1e-7, None, "0.0000001"),
    (0.95, "0%", "95%"), (1, "0.00%", "100%"), (True, None, "TRUE"), (dt.datetime(2024, 1, 5, 9, 30), None,
                                                                         "2024-01-05 09:30:00"),
    ("  ≥95%\r\n ", None, "≥95%"),
])
def test_value_text(value, fmt, text):
    assert xx.value_text(value, fmt) == text


def test_corrupt_xlsx_is_an_input_error(tmp_path):
    good = build_workbook(tmp_path / "a.xlsx").read_bytes()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(InputError):
        extract.read_file(bad)
    with pytest.raises(InputError):
        xx.extract(b"PK\x03\x04garbage", "x.xlsx", "x.xlsx", "0", "xlsx")


def test_corrupt_xls_and_et(tmp_path, monkeypatch):
    monkeypatch.setattr(xx.shutil, "which", lambda name: None)
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
    xls = tmp_path / "bad.xls"
    xls.write_bytes(ole)
    with pytest.raises(InputError, match=r"\.xls"):
        extract.read_file(xls)
    et = tmp_path / "bad.et"
    et.write_bytes(ole)
    with pytest.raises(InputError, match=r"convert|\.xlsx"):
        extract.read_file(et)


# --- end to end: a 绩效目标表 -------------------------------------------------------------------------

def build_target_table(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "2023年部门整体支出绩效目标表"
    ws.merge_cells("A1:D1")
    ws.append(["部门名称", "湖南省长沙县财政局", None, None])
    ws.merge_cells("B2:D2")
    ws.append(["一级指标", "二级指标", "三级指标", "指标值"])
    ws.append(["产出指标", "数量指标", "培训人次", "≥200人次"])
    ws.append([None, None, "检查次数", None])
    _set_text(ws, "D5", "=2次")
    ws.append([None, "质量指标", "验收合格率", "≥95%"])
    ws.append(["效益指标", "社会效益指标", "政策知晓率", "≥90%"])
    ws.append(["满意度指标", "服务对象满意度指标", "群众满意度", "≥95%"])
    ws.merge_cells("A4:A6")
    ws.merge_cells("B4:B5")
    wb.save(path)
    return path


def test_end_to_end_target_table(tmp_path):
    ex = extract.read_file(build_target_table(tmp_path / "目标表.xlsx"))
    rec = assert_target_table(ex)
    assert rec.indicators[1].prov.line == 5  # the Excel row


def test_formula_without_saved_result_gives_its_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["三级指标", "指标值"])
    ws.append(["检查次数", "=2次"])  # typed without a quote: openpyxl stores a formula, never calculated
    path = tmp_path / "f.xlsx"
    wb.save(path)
    ex = extract.read_file(path)
    table = next(b for b in ex.blocks if b.kind == "table")
    assert [c.text for c in table.rows[1]] == ["检查次数", "=2次"]
    assert any("formula" in w for w in ex.warnings)


def test_a_report_in_one_sheet_keeps_its_text_between_tables(tmp_path):
    # a whole report written down one sheet: a table, an empty row, a paragraph right above the next table
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    rows = [["2024年度项目支出绩效自评表"], ["项目(万元)", "年初预算数", "全年预算数", "全年执行数"],
            ["年度资金总额", "50", "50", "48"], [],
            ["年度总体目标 预期目标 实际完成情况 完成村道硬化两公里。 已完成村道硬化两公里。"],
            ["一级指标", "二级指标", "三级指标", "年度指标值"], ["产出指标", "数量指标", "硬化里程", "≥2公里"]]
    for r, row in enumerate(rows, 1):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v)
    wb.save(tmp_path / "r.xlsx")
    ex = extract.read_file(tmp_path / "r.xlsx")
    assert [b.kind for b in ex.blocks] == ["heading", "table", "paragraph", "table"]
    assert ex.blocks[2].text.startswith("年度总体目标")
    [doc] = parse_file(ex)
    assert {s.kind for s in doc.sections} >= {"goals"}
    assert [i.name for i in doc.indicators] == ["硬化里程"]
