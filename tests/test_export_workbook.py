"""`export --format xlsx` as an analyst's workbook, and the CSV/Parquet files,
through the CLI on a database ingested from the bundled samples: sheet order,
Chinese headers with the codes in the 字段说明 sheet, number formats (money
in 元, rates as percent, points), finance.value split by measure, codes with
their Chinese labels, the frozen header and autofilter; CSV with Excel's BOM.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from analysis import workbook
from analysis.tables import DATA_TABLES, internal_tables
from db.views import VIEWS
from pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
CJK = re.compile(r"[\u4e00-\u9fff]")
BOM = b"\xef\xbb\xbf"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def ingest(db: str, folder: Path) -> None:
    r = run("ingest", str(folder), "--db", db, "-j", "1")
    assert r.exit_code in (0, 1), r.output


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("reports")
    for p in SAMPLES:
        shutil.copy(p, folder / p.name)
    path = tmp_path_factory.mktemp("db") / "w.sqlite"
    ingest(str(path), folder)
    return str(path)


@pytest.fixture(scope="module")
def book(db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("xlsx") / "w.xlsx"
    r = run("export", "--db", db, "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    return out


@pytest.fixture(scope="module")
def wb(book):
    return openpyxl.load_workbook(book)


def query(db: str, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def column(ws, name: str) -> list:
    j = header(ws).index(name)
    return [row[j].value for row in ws.iter_rows(min_row=2)]


def legend(wb) -> dict[tuple[str, str], dict]:
    ws = wb[workbook.LEGEND]
    heads = header(ws)
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        r = dict(zip(heads, row))
        out[(r["工作表"], r["中文列名"])] = r
    return out


# ------------------------------------------------------------------ sheets

def test_readme_first_then_views_then_tables_without_internals(wb):
    names = wb.sheetnames
    assert names[:2] == [workbook.README, workbook.LEGEND]
    assert names[2:2 + len(VIEWS)] == list(VIEWS)
    assert names[2 + len(VIEWS):] == list(DATA_TABLES)
    assert not set(internal_tables()) & set(names)  # files, runs, derived_state, ...
    assert {"files", "runs", "derived_state", "quarantine"} <= set(internal_tables())
    assert wb.active.title == workbook.README  # the workbook opens on it


def test_all_puts_the_internal_tables_last(db, tmp_path):
    out = tmp_path / "all.xlsx"
    r = run("export", "--db", db, "--format", "xlsx", "-o", str(out), "--all")
    assert r.exit_code == 0, r.output
    names = openpyxl.load_workbook(out, read_only=True).sheetnames
    internal = internal_tables()
    assert names[-len(internal):] == internal
    assert names[:2 + len(VIEWS)] == [workbook.README, workbook.LEGEND, *VIEWS]
    files = openpyxl.load_workbook(out)["files"]
    assert header(files)[:3] == ["编号", "路径", "文件名"]
    at = files.cell(2, header(files).index("入库时间") + 1)
    assert at.is_date and at.number_format == "yyyy-mm-dd hh:mm:ss"


def test_readme_says_what_each_sheet_holds_and_the_unit_rules(wb):
    ws = wb[workbook.README]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    text = "\n".join(str(c.value) for c in cells)
    for needle in ("元", "千位", "百分比", "0.9648", "finance.value", "来源文件", "src_cell",
                   "T1R2C3", "document_facts", "funds_total", "--all", "--include-missing",
                   "字段说明"):
        assert needle in text, needle
    links = {c.value: c for c in cells if c.hyperlink is not None}
    for name in wb.sheetnames[1:]:  # every sheet is listed, linked, with its row count
        assert links[name].hyperlink.location == f"'{name}'!A1"
        count = ws.cell(links[name].row, 2).value
        if name != workbook.LEGEND:
            assert count == wb[name].max_row - 1, name


# ------------------------------------------------------------------ headers

def test_one_row_of_chinese_headers_and_the_codes_in_the_legend(wb):
    ws = wb["v_department_year"]
    heads = header(ws)
    assert heads[:7] == ["单位名称", "部门", "地区", "省", "市", "县(区)", "财政年度"]
    for h in ("全年预算数(元)", "全年执行数(元)", "预算执行率(%)", "评价得分(分)",
              "评价等级", "评价等级代码", "编制数(人)"):
        assert h in heads
    # The second row is data, not a row of codes: filters and pivots see one header.
    assert ws["A2"].value and ws["A2"].value not in ("org_name",)
    lg = legend(wb)
    assert lg[("v_department_year", "全年预算数(元)")]["英文代码"] == "budget"
    assert lg[("v_department_year", "预算执行率(%)")]["英文代码"] == "execution_rate"
    assert lg[("v_department_year", "评价等级代码")]["英文代码"] == "grade"
    assert lg[("v_department_year", "评价等级")]["英文代码"] == "grade_zh"
    assert "元" in lg[("v_department_year", "全年预算数(元)")]["单位/格式"]
    for name in wb.sheetnames[2:]:
        heads = header(wb[name])
        assert len(heads) == len(set(heads)), name  # pivot tables need unique names
        assert all(CJK.search(h) for h in heads), (name, heads)
        assert all((name, h) in lg for h in heads), name  # every column explained
        assert [lg[(name, h)]["列"] for h in heads] == [
            openpyxl.utils.get_column_letter(j) for j in range(1, len(heads) + 1)]


def test_pandas_reads_a_sheet_with_one_header_row(book, db):
    dy = pd.read_excel(book, sheet_name="v_department_year")
    assert len(dy) == query(db, "SELECT COUNT(*) FROM v_department_year")[0][0]
    assert dy["全年预算数(元)"].dtype.kind == "f"


# ------------------------------------------------------------------ units

def test_money_in_yuan_rates_as_percent_points_as_numbers(wb, db):
    ws = wb["v_department_year"]
    heads = header(ws)
    want = {r[0]: r[1:] for r in query(
        db, "SELECT org_name, budget, execution_rate, score FROM v_department_year "
            "WHERE org_name = '安福县民政局'")}
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "安福县民政局")
    budget, rate, score = (row[heads.index(h)] for h in
                           ("全年预算数(元)", "预算执行率(%)", "评价得分(分)"))
    assert budget.number_format == "#,##0.00" and budget.value == want["安福县民政局"][0]
    assert rate.number_format == "0.00%"
    assert rate.value == pytest.approx(want["安福县民政局"][1] / 100)  # 96.48 -> 0.9648
    assert isinstance(score.value, (int, float)) and score.value == 97.6
    assert row[heads.index("财政年度")].value == 2021
    assert row[heads.index("财政年度")].number_format in ("General", "0")  # not 2,021
    assert row[heads.index("评价等级")].value == "优"
    assert row[heads.index("评价等级代码")].value == "excellent"


def test_finance_value_split_by_measure_so_no_column_mixes_units(wb, db):
    ws = wb["finance"]
    heads = header(ws)
    assert "value" not in heads and "数值" not in heads
    i_m = heads.index("口径代码")
    cols = {h: heads.index(h) for h in ("金额(元)", "比率(%)", "分值/得分(分)")}
    db_rows = query(db, "SELECT measure, value FROM finance ORDER BY document_id, ordinal, id")
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(db_rows)
    seen = set()
    for row, (measure, value) in zip(rows, db_rows):
        assert row[i_m].value == measure
        filled = [h for h, j in cols.items() if row[j].value is not None]
        target = {"rate": "比率(%)", "weight": "分值/得分(分)",
                  "score": "分值/得分(分)"}.get(measure, "金额(元)")
        assert filled == ([target] if value is not None else [])
        if value is None:
            continue
        cell = row[cols[target]]
        seen.add(measure)
        if target == "比率(%)":
            assert cell.number_format == "0.00%" and cell.value == pytest.approx(value / 100)
        elif target == "金额(元)":
            assert cell.number_format == "#,##0.00" and cell.value == value
        else:
            assert cell.value == value
    assert {"budget", "actual", "rate", "score"} <= seen  # the samples have each kind


def test_codes_keep_their_own_column_beside_the_chinese_label(wb):
    ws = wb["v_indicator_results"]
    pairs = set(zip(column(ws, "一级指标"), column(ws, "一级指标代码")))
    assert ("产出指标", "output") in pairs and ("满意度指标", "satisfaction") in pairs
    assert set(zip(column(ws, "二级指标"), column(ws, "二级指标代码"))) >= {
        ("数量指标", "quantity"), ("质量指标", "quality")}
    docs = wb["documents"]
    assert ("自评表", "self_evaluation_table") in set(
        zip(column(docs, "文档类型"), column(docs, "文档类型代码")))
    assert set(column(docs, "有评价")) <= {"是", "否"}
    assert all(column(docs, "来源文件"))  # the file each document is in
    fin = wb["finance"]
    assert ("全年预算数", "budget") in set(zip(column(fin, "口径"), column(fin, "口径代码")))
    assert ("资金来源合计", "funds_total") in set(zip(column(fin, "项目"), column(fin, "项目代码")))
    secs = wb["sections"]
    assert ("存在问题", "problems") in set(zip(column(secs, "章节类型"), column(secs, "章节类型代码")))


def test_provenance_columns_on_the_rows(wb):
    for name in ("finance", "indicators", "v_indicator_results", "v_spending_by_purpose"):
        heads = header(wb[name])
        assert {"来源文件", "来源行", "来源单元格"} <= set(heads), name
    src = column(wb["finance"], "来源文件")
    assert all(s.endswith(".txt") for s in src)


# ------------------------------------------------------------------ layout

def test_frozen_header_autofilter_and_widths(wb):
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref == f"A1:{last}{max(ws.max_row, 1)}", name
        assert ws[1][0].font.b, name  # a bold header
        for j in range(1, ws.max_column + 1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
            assert 6 <= width <= 70, (name, j, width)
    docs = wb["documents"]
    width = lambda h: docs.column_dimensions[  # noqa: E731
        openpyxl.utils.get_column_letter(header(docs).index(h) + 1)].width
    assert width("标题") > width("财政年度")  # sized by their content


def test_missing_files_left_out_unless_asked(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SAMPLES[:2]:
        shutil.copy(p, folder / p.name)
    db = str(tmp_path / "m.sqlite")
    ingest(db, folder)
    (folder / SAMPLES[0].name).unlink()
    ingest(db, folder)  # marks it missing
    for extra, want in (((), {SAMPLES[1].name}),
                        (("--include-missing",), {SAMPLES[0].name, SAMPLES[1].name})):
        out = tmp_path / f"m{len(extra)}.xlsx"
        r = run("export", "--db", db, "--format", "xlsx", "-o", str(out), *extra)
        assert r.exit_code == 0, r.output
        book = openpyxl.load_workbook(out)
        assert set(column(book["documents"], "来源文件")) == want
        assert set(column(book["finance"], "来源文件")) <= want
    readme = "\n".join(str(c.value) for row in openpyxl.load_workbook(
        tmp_path / "m0.xlsx")[workbook.README].iter_rows() for c in row if c.value)
    assert "未导出的文档" in readme


def test_text_is_never_a_formula_nor_an_invalid_cell(tmp_path):
    long = "长" * 40_000
    sheet = workbook.prepare("sections", ["kind", "heading", "text", "id"],
                             [("other", "=HYPERLINK(\"http://x\")", "铃\x07声" + long, 1),
                              ("problems", None, "+1", 2)])
    out = tmp_path / "t.xlsx"
    workbook.write_workbook(out, [sheet], {"文档数": 1})
    ws = openpyxl.load_workbook(out)["sections"]
    cell = ws.cell(2, header(ws).index("章节标题") + 1)
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s"
    body = ws.cell(2, header(ws).index("正文") + 1).value
    assert "\x07" not in body and body.startswith("铃声") and len(body) <= workbook.MAX_CELL
    assert ws.cell(3, header(ws).index("章节类型") + 1).value == "存在问题"


def test_a_table_longer_than_a_sheet_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "MAX_ROWS", 2)
    sheet = workbook.prepare("expenditures", ["item", "value"],
                             [("救助", 1.0), ("抚恤", 2.0), ("补助", 3.0)])
    out = tmp_path / "long.xlsx"
    workbook.write_workbook(out, [sheet], {})
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [workbook.README, workbook.LEGEND, "expenditures",
                               "expenditures (2)"]
    assert column(book["expenditures (2)"], "金额(元)") == [3.0]
    assert header(book["expenditures (2)"]) == header(book["expenditures"])


def test_a_column_nobody_described_keeps_its_code_and_numbers(tmp_path):
    sheet = workbook.prepare("new_table", ["id", "new_amount", "new_note"], [(1, 2.5, "x")])
    assert [c.header for c in sheet.cols] == ["编号", "new_amount", "new_note"]
    assert sheet.cols[1].kind == "number"


# ------------------------------------------------------------------ CSV / Parquet

def test_csv_has_the_bom_by_default_and_not_with_no_bom(db, tmp_path):
    r = run("export", "--db", db, "--format", "csv", "-o", str(tmp_path / "bom"))
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "bom").iterdir())
    assert {p.stem for p in files} == set(VIEWS) | set(DATA_TABLES)  # no internals
    assert all(p.read_bytes().startswith(BOM) for p in files)
    dy = pd.read_csv(tmp_path / "bom" / "v_department_year.csv", encoding="utf-8-sig")
    assert dy.columns[0] == "org_name" and "安福县民政局" in set(dy["org_name"])
    r = run("export", "--db", db, "--format", "csv", "-o", str(tmp_path / "plain"), "--no-bom")
    assert r.exit_code == 0, r.output
    plain = tmp_path / "plain" / "v_department_year.csv"
    assert plain.read_bytes().startswith(b"org_name,")
    assert plain.read_bytes() == (tmp_path / "bom" / "v_department_year.csv").read_bytes()[3:]
    r = run("export", "--db", db, "--format", "csv", "-o", str(tmp_path / "all"), "--all")
    assert {"files", "runs"} <= {p.stem for p in (tmp_path / "all").iterdir()}


def test_csv_one_table_writes_one_file(db, tmp_path):
    out = tmp_path / "x.csv"
    r = run("export", "--db", db, "--format", "csv", "--table", "finance", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.is_file() and out.read_bytes().startswith(BOM)
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == query(
        db, "SELECT COUNT(*) FROM finance")[0][0]
    named = tmp_path / "v_department_year.csv"  # the file's name says the table
    r = run("export", "--db", db, "--format", "csv", "-o", str(named))
    assert r.exit_code == 0, r.output
    assert named.is_file() and not any(p.is_dir() for p in tmp_path.iterdir())
    r = run("export", "--db", db, "--format", "csv", "-o", str(tmp_path / "y.csv"))
    assert r.exit_code == 2 and "--table" in r.output and not (tmp_path / "y.csv").exists()
    r = run("export", "--db", db, "--format", "csv", "--table", "nope", "-o", str(out))
    assert r.exit_code == 2 and "v_department_year" in r.output
    r = run("export", "--db", db, "--format", "csv", "--table", "checks")  # to stdout
    assert r.exit_code == 0 and r.stdout_bytes.startswith(BOM + b"code,message,")
    r = run("export", "--db", db, "--format", "csv")
    assert r.exit_code == 2 and "needs -o" in r.output


def test_parquet_one_table_and_options_that_do_not_apply(db, tmp_path):
    out = tmp_path / "dy.parquet"
    r = run("export", "--db", db, "--format", "parquet", "--table", "v_department_year",
            "-o", str(out))
    assert r.exit_code == 0, r.output
    assert out.is_file() and "execution_rate" in pd.read_parquet(out).columns
    assert run("export", "--db", db, "--format", "json", "--all").exit_code == 2
    assert run("export", "--db", db, "--format", "xlsx", "--no-bom",
               "-o", str(tmp_path / "a.xlsx")).exit_code == 2
    r = run("export", "--db", db, "--format", "csv", "-o", str(tmp_path / "a.xlsx"))
    assert r.exit_code == 2 and "--format csv" in r.output


def test_postgresql_gives_the_same_workbook(db, wb, pg_url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for p in SAMPLES:
        shutil.copy(p, folder / p.name)
    ingest(pg_url, folder)
    out = tmp_path / "pg.xlsx"
    r = run("export", "--db", pg_url, "--format", "xlsx", "-o", str(out))
    assert r.exit_code == 0, r.output
    pg = openpyxl.load_workbook(out)
    assert pg.sheetnames == wb.sheetnames
    for name in ("v_department_year", "finance", "documents"):
        a, b = wb[name], pg[name]
        assert header(a) == header(b), name
        key = lambda ws: sorted(  # noqa: E731
            (tuple((c.value, c.number_format) for c in row if header(ws)[c.column - 1]
                   not in ("编号", "文档编号", "文件编号")) for row in ws.iter_rows(min_row=2)),
            key=repr)
        assert key(a) == key(b), name
