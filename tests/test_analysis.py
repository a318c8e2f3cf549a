"""Analysis commands (compare, search, export of tables, serve) through
CliRunner, on a database ingested from samples/*.txt plus made-up reports of
several counties and years whose figures are known, so every number the
commands print is checked against one computed by hand here."""
from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from analysis.regions import region_index
from db.session import open_db
from normalize.concepts import concept_of
from pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = (ROOT / "samples" / "d_csv_rows.txt").read_text(encoding="utf-8")

# (county, department, year, budget 万元, actual 万元, satisfaction %)
MADE_UP = [
    ("孟津区", "民政局", 2022, "1,000.00", "900.00", 91),
    ("孟津区", "民政局", 2023, "1,200.00", "1,140.00", 96),
    ("岳阳县", "民政局", 2022, "800.00", "760.00", 93),
    ("岳阳县", "财政局", 2022, "500.00", "400.00", 88),
    ("火星县", "民政局", 2022, "100.00", "50.00", 70),  # no such county: stays unknown
]
# Hand-computed execution rates: actual / budget x 100.
RATES = {("孟津县", 2022): 90.0, ("孟津县", 2023): 95.0,
         ("岳阳县", 2022): (95.0 + 80.0) / 2,  # two departments, mean
         ("(unknown)", 2022): 50.0,
         ("安福县", 2021): 4401.85 / 4562.30 * 100}  # samples/d_csv_rows.txt

NARRATIVE = """孟津区民政局2023年度部门整体支出绩效自评报告

一、部门概况
孟津区民政局负责全区社会救助、养老服务和婚姻登记工作。
二、存在的主要问题
一是群众对救助政策知
晓率不高，宣传不够深入；二是救助审批时限偏长。
三、改进措施
加强政策宣传，压缩审批时间。
"""


def made_up(county, dept, year, budget, actual, sat) -> str:
    s = TEMPLATE.replace("安福县", county).replace("民政局", dept)
    s = s.replace("2021年度", f"{year}年度")
    s = re.sub(r'资金总额,"4,562.30","4,401.85",96.48%',
               f'资金总额,"{budget}","{actual}",', s)
    return s.replace("≥90%,94%", f"≥90%,{sat}%")


def build_reports(folder: Path) -> Path:
    folder.mkdir()
    for p in sorted((ROOT / "samples").glob("*.txt")):
        shutil.copy(p, folder / p.name)
    for i, row in enumerate(MADE_UP):
        (folder / f"made_{i}.txt").write_text(made_up(*row), encoding="utf-8")
    (folder / "made_narrative.txt").write_text(NARRATIVE, encoding="utf-8")
    return folder


def ingest(url: str, folder: Path) -> None:
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--db", url, "-j", "1"])
    assert r.exit_code == 0, r.output


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> Path:
    return build_reports(tmp_path_factory.mktemp("analysis") / "reports")


@pytest.fixture(scope="module")
def sqlite_db(reports, tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'a.sqlite'}"
    ingest(url, reports)
    return url


@pytest.fixture
def db(request, reports, sqlite_db):
    """The module's SQLite database, or a fresh PostgreSQL one (param)."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return sqlite_db
    url = request.getfixturevalue("pg_url")
    ingest(url, reports)
    return url


both = pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ------------------------------------------------------------ regions, concepts

def test_regions_from_the_shipped_dataset_never_guessed():
    ix = region_index()
    r = ix.lookup("孟津区", "孟津区民政局")  # renamed in 2021: matched by its unique stem
    assert (r.province, r.city, r.county) == ("河南省", "洛阳市", "孟津县")
    assert ix.lookup("鼓楼区", "鼓楼区教育局") is None  # four 鼓楼区: unknown
    assert ix.lookup("鼓楼区", "福州市鼓楼区教育局").city == "福州市"
    assert ix.lookup("火星县", "火星县民政局") is None
    assert ix.lookup(None, "准格尔旗林业和草原局").province == "内蒙古自治区"
    assert ix.lookup("朝阳区", "北京市朝阳区民政局").city == "北京市"


def test_indicator_concepts_from_the_reviewed_table():
    assert concept_of("服务对象满意度").concept == "beneficiary_satisfaction"
    assert concept_of("优抚对象满意度").concept == "beneficiary_satisfaction"
    assert concept_of("预算执行率").concept == "budget_execution"
    assert concept_of("指标2：预算执行进度").concept == "budget_execution"
    assert concept_of("政策知晓率").concept == "policy_awareness"
    m = concept_of("高血压患者规范管理率")
    assert (m.concept, m.rule) == (None, None)  # unmapped, and says so


# ------------------------------------------------------------ views

@both
def test_views_answer_the_common_questions(db):
    engine = open_db(db)
    run("compare", "--db", db)  # fills the derived tables
    try:
        with engine.connect() as conn:
            dy = conn.execute(text(
                "SELECT county, fiscal_year, budget, actual, execution_rate, score, grade, "
                "staff_actual FROM v_department_year WHERE org_name = '安福县民政局'")).one()
            assert dy[:4] == ("安福县", 2021, 45623000.0, 44018500.0)
            assert float(dy.execution_rate) == pytest.approx(RATES[("安福县", 2021)])
            assert (dy.score, dy.grade, dy.staff_actual) == (97.6, "excellent", 59)
            ind = {r.name: r for r in conn.execute(text(
                "SELECT name, concept, target_met FROM v_indicator_results "
                "WHERE org_name = '安福县民政局'"))}
            assert ind["特困人员供养人数"].target_met == 0  # ≥1200人, 1186人
            assert ind["城乡低保保障人数"].target_met == 1
            assert ind["救助对象满意度"].concept == "beneficiary_satisfaction"
            assert ind["城乡低保保障人数"].concept is None  # unmapped stays visible
            spend = conn.execute(text(
                "SELECT purpose, amount_yuan FROM v_spending_by_purpose "
                "WHERE org_name = '桃源县教育局' ORDER BY amount_yuan DESC")).all()
            assert spend[0] == ("学生资助资金", 4125000.0)
    finally:
        engine.dispose()


# ------------------------------------------------------------ compare

@both
def test_compare_csv_equals_hand_computed_rates(db):
    r = run("compare", "execution_rate", "--by", "county", "--years", "2021-2023",
            "--format", "csv", "--db", db)
    assert r.exit_code == 0, r.output
    got = pd.read_csv(__import__("io").StringIO(r.output), index_col=0)
    assert list(got.columns) == ["2021", "2022", "2023"]
    for (county, year), rate in RATES.items():
        assert got.loc[county, str(year)] == pytest.approx(rate), (county, year)
    assert pd.isna(got.loc["孟津县", "2021"])
    assert "苍溪县" in got.index  # 2022, from samples/c_pipe_table.txt
    assert got.loc["苍溪县", "2022"] == pytest.approx(11970000 / 12600000 * 100)


def test_compare_text_by_city_and_sum(sqlite_db):
    r = run("compare", "budget", "--by", "city", "--years", "2022", "--agg", "sum",
            "--db", sqlite_db)
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "budget by city and year (sum)"
    row = next(line for line in r.output.splitlines() if line.startswith("岳阳市"))
    assert row.split()[-1] == "13,000,000.00"  # 800 + 500 万元
    assert any(line.startswith("(unknown)") for line in r.output.splitlines())


def test_compare_concept_across_counties(sqlite_db):
    r = run("compare", "concept:beneficiary_satisfaction", "--years", "2022-2023",
            "--format", "csv", "--db", sqlite_db)
    assert r.exit_code == 0, r.output
    got = pd.read_csv(__import__("io").StringIO(r.output), index_col=0)
    assert got.loc["孟津县", "2022"] == 91 and got.loc["孟津县", "2023"] == 96
    assert got.loc["岳阳县", "2022"] == pytest.approx((93 + 88) / 2)


def test_compare_xlsx_and_chart(sqlite_db, tmp_path):
    out, png = tmp_path / "c.xlsx", tmp_path / "c.png"
    r = run("compare", "--years", "2021-2024", "--format", "xlsx", "-o", str(out),
            "--chart", str(png), "--db", sqlite_db)
    assert r.exit_code == 0, r.output
    df = pd.read_excel(out, index_col=0)
    assert df.index.name == "county" and list(df.columns) == [2021, 2022, 2023, 2024]
    assert df.loc["孟津县", 2023] == pytest.approx(95.0)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_compare_user_text_is_a_parameter(sqlite_db):
    evil = "x' OR 1=1; DROP TABLE documents; --"
    r = run("compare", "--department", evil, "--db", sqlite_db)
    assert r.exit_code == 1 and "no execution_rate values" in r.output
    r = run("compare", "budget; DROP TABLE documents", "--db", sqlite_db)
    assert r.exit_code == 2 and "unknown measure" in r.output  # a usage error
    r = run("compare", "--years", "2024-2021", "--db", sqlite_db)
    assert r.exit_code == 2 and "after" in r.output
    path = sqlite_db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] > 10


# ------------------------------------------------------------ search

@both
def test_search_finds_a_phrase_across_a_line_break(db):
    r = run("search", "政策知晓率", "--db", db)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[-1] == "1 hit"
    assert lines[0].startswith("made_narrative.txt line ")
    assert "孟津区民政局 2023" in lines[0]
    assert "【政策知晓率】" in lines[1]


@both
def test_search_indicator_names_and_no_false_phrase(db):
    r = run("search", "救助对象满意度", "--db", db)
    assert r.exit_code == 0, r.output
    assert "d_csv_rows.txt line 27 T3R11C3" in r.output
    assert r.output.splitlines()[-1] == "6 hits"  # the sample and five made-up copies
    r = run("search", "满意度政策", "--db", db)  # both words occur, never as this phrase
    assert r.output.splitlines()[-1] == "0 hits"
    r = run("search", '") OR 1=1 --', "--db", db)
    assert r.exit_code == 0 and r.output.splitlines()[-1] == "0 hits"


# ------------------------------------------------------------ export

def test_export_tables_csv_parquet_xlsx(sqlite_db, tmp_path):
    for fmt in ("csv", "parquet"):
        r = run("export", "--format", fmt, "-o", str(tmp_path / fmt), "--db", sqlite_db)
        assert r.exit_code == 0, r.output
        files = {p.stem for p in (tmp_path / fmt).iterdir()}
        assert {"documents", "indicators", "org_regions", "v_department_year",
                "v_indicator_results", "v_spending_by_purpose"} <= files
        assert not any(f.startswith("search_fts") for f in files)
    dy = pd.read_parquet(tmp_path / "parquet" / "v_department_year.parquet")
    assert len(dy) == len(pd.read_csv(tmp_path / "csv" / "v_department_year.csv"))
    out = tmp_path / "all.xlsx"
    r = run("export", "--format", "xlsx", "-o", str(out), "--db", sqlite_db)
    assert r.exit_code == 0, r.output
    sheets = pd.read_excel(out, sheet_name=None)
    # Chinese headers; the codes in the 字段说明 sheet (tests/test_export_workbook.py)
    legend = sheets["字段说明"][sheets["字段说明"]["工作表"] == "v_department_year"]
    assert list(sheets["v_department_year"].columns) == list(legend["中文列名"])
    assert list(legend["英文代码"]) == [
        "org_name", "department", "region", "province", "city", "county", "fiscal_year",
        "budget", "actual", "execution_rate", "score", "max_score", "grade_zh", "grade",
        "staff_authorized", "staff_actual", "documents"]
    assert len(sheets["documents"]) == len(pd.read_csv(tmp_path / "csv" / "documents.csv"))
    r = run("export", "--format", "csv", "--db", sqlite_db)
    assert r.exit_code == 2 and "needs -o" in r.output


# ------------------------------------------------------------ serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dump_dom(url: str) -> str:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", "--dump-dom", url],
            capture_output=True, text=True, timeout=60).stdout


def _get(url: str) -> str:
    import urllib.error
    import urllib.parse
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.parse.quote(url, safe=":/?&=%+"), timeout=30) as r:
            return r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:  # e.g. 403 for ?sql=: its page still
        return exc.read().decode("utf-8")


def _screenshots():
    """docs/img/screenshots.py: how the README's screenshots are taken."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("jixiao_screenshots",
                                                  ROOT / "docs" / "img" / "screenshots.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _text(dom: str) -> str:
    """The page's text: tags dropped, entities decoded, spaces squashed."""
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


@pytest.mark.skipif(CHROMIUM is None, reason="serve is tested in a real browser: "
                    "install chromium (apt-get install -y chromium; .ci/run does)")
def test_serve_in_a_headless_browser(sqlite_db, tmp_path):
    from analysis.serve import CANNED

    port = _free_port()
    # --open: the browser Python's webbrowser starts is $BROWSER, here a script
    # that writes down the address it was given.
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.sh"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), "serve", "--db",
                             sqlite_db, "--host", "127.0.0.1", "--port", str(port), "--open"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                            env={**__import__("os").environ, "BROWSER": str(browser)})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start: " + (tmp_path / "serve.log").read_text())
        for _ in range(50):
            if opened.exists() and opened.read_text().strip():
                break
            time.sleep(0.1)
        assert opened.read_text().strip().startswith(base + "/")

        # The pages a person sees first in Chromium; the others, rendered by the
        # server all the same, fetched plainly (a browser costs a second each).
        # The home page: views first, then the canned queries it promises, the
        # tables, and the internal tables last.
        home = _text(_dump_dom(base + "/"))
        assert "jixiao: budget-performance reports" in home
        titles = [q["title"] for q in CANNED.values()]
        for t in titles:
            assert t in home, t
        order = [home.index(s) for s in (
            "One row per department and fiscal year", "Canned queries", titles[0],
            "Tables:", "documents", "Internal tables", "derived_state")]
        assert order == sorted(order), order
        database = _text(_get(base + "/a"))
        assert database.index("v_department_year") < database.index(titles[0]) \
            < database.index("documents") < database.index("Internal tables")

        # Money in yuan with thousands separators, rates in percent, codes with
        # their Chinese labels; the raw floats nowhere.
        table = _dump_dom(base + "/a/v_department_year?org_name=安福县民政局")
        assert "One row per department and fiscal year" in table
        assert "安福县民政局" in table and "江西省" in table
        assert "45,623,000.00" in table and "44,018,500.00" in table
        assert 'title="4,562.30 万元"' in table
        assert f"{4401.85 / 4562.30 * 100:.2f}%" in table  # 96.48%
        assert "45623000.0" not in table and "96.4831" not in table
        assert re.search(r"优\s*<small[^>]*>excellent</small>", table)
        ind = _get(base + "/a/v_indicator_results?org_name=安福县民政局&level1=output")
        assert re.search(r"产出指标\s*<small[^>]*>output</small>", ind)
        assert re.search(r"数量指标\s*<small[^>]*>quantity</small>", ind)
        assert "未达成" in ind  # 特困人员供养人数: ≥1200人, 1186人
        docs = _get(base + "/a/documents?org_name=安福县民政局")
        assert "绩效自评表" in docs or "绩效自评报告" in docs
        spend = _get(base + "/a/spending_by_purpose")  # a canned query: formatted too
        assert "4,125,000.00" in spend  # 桃源县教育局 学生资助资金

        q = _get(base + "/a/concept_across_counties?concept=beneficiary_satisfaction")
        assert "救助对象满意度" in q and "孟津县" in q
        # The search box: Chinese split into words as the index was (one
        # unsegmented word would match nothing); the canned search alike.
        hits = _text(_get(base + "/a/search_entries?_search=政策知晓率"))
        assert "1 row where search matches" in hits and "政策知晓率" in hits
        found = _get(base + "/a/search_text?words=政策知晓率")
        assert "made_narrative.txt" in found
        none = _text(_get(base + "/a/search_entries?_search=，"))
        assert "0 rows where search matches" in none

        # Read-only: arbitrary SQL is off and the file is immutable.
        w = _get(base + "/a?sql=DELETE+FROM+documents")
        assert "安福县" not in w

        # The README's screenshots are taken this way (docs/img/screenshots.py;
        # one here: the others differ only by their address).
        shots = _screenshots()
        name, path, height = shots.PAGES[1]
        out = shots.shoot(base + f"/a{path}", tmp_path / name, height=height)
        data = out.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(data) < 300_000, name
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()
    with sqlite3.connect(sqlite_db.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] > 10
    for name, _, _ in _screenshots().PAGES:  # the README's, from the samples
        img = ROOT / "docs" / "img" / name
        assert img.stat().st_size < 300_000, name


def test_serve_host_and_its_warning(sqlite_db, monkeypatch, tmp_path):
    """--host beyond this machine is allowed, said on stderr; Datasette gets it."""
    import analysis.serve as serve_mod

    started = []

    class Child:
        def __init__(self, cmd, env=None):
            started.append((cmd, env))

        def wait(self):
            return 0

        def terminate(self):
            pass

    monkeypatch.setattr(serve_mod.subprocess, "Popen", Child)
    r = run("serve", "--db", sqlite_db, "--host", "0.0.0.0", "--port", "9999", "--open")
    assert r.exit_code == 0, r.output
    assert "anyone who can reach this machine on port 9999" in r.stderr
    (cmd, env), = started
    assert cmd[1:4] == ["-m", "analysis.datasette_plugin", "serve"]
    assert cmd[cmd.index("-h") + 1] == "0.0.0.0" and cmd[cmd.index("-p") + 1] == "9999"
    assert "--open" in cmd and "-i" in cmd
    assert cmd[cmd.index("--setting") + 1:cmd.index("--setting") + 3] == [
        "default_allow_sql", "off"]
    assert env["PYTHONPATH"].split(__import__("os").pathsep)[0] == str(ROOT)
    r = run("serve", "--db", sqlite_db)
    assert r.exit_code == 0 and r.stderr == ""  # 127.0.0.1: nothing to say


def test_serve_metadata_orders_and_hides():
    from analysis.serve import INTERNAL, metadata

    meta = metadata("a")["databases"]["a"]
    names = list(meta["tables"])
    assert names[:3] == ["v_department_year", "v_indicator_results", "v_spending_by_purpose"]
    assert names[3] == "documents"
    assert all(meta["tables"][t].get("hidden") for t in INTERNAL)
    assert names.index("unclaimed") < min(names.index(t) for t in INTERNAL if t in names)
    assert meta["tables"]["search_entries"]["fts_table"] == "search_fts"
    assert meta["tables"]["search_entries"]["fts_pk"] == "id"
    assert "search_text" in meta["queries"]
    plain = metadata("a", fts=False)["databases"]["a"]
    assert "fts_table" not in plain["tables"]["search_entries"]
    assert "search_text" not in plain["queries"]


def test_cells_are_formatted_by_the_plugin():
    from analysis.datasette_plugin import format_cell, fts_query

    assert str(format_cell(45623000.0, "budget", "v_department_year")) == \
        '<span class="jixiao-money" title="4,562.30 万元">45,623,000.00</span>'
    assert str(format_cell(96.48313350722223, "execution_rate", None)) == "96.48%"
    assert "45,623,000.00" in str(format_cell(45623000.0, "value", "finance",
                                              {"measure": "budget"}))
    assert str(format_cell(86.0, "value", "finance", {"measure": "rate"})) == "86.00%"
    assert format_cell(5.0, "value", "finance", {"measure": "score"}) is None  # points
    assert "188,270.00" in str(format_cell(188270.0, "value", "expenditures"))
    assert str(format_cell("output", "level1", "indicators")).startswith("产出指标 ")
    assert str(format_cell("excellent", "grade", None)).startswith("优 ")
    assert str(format_cell("self_evaluation_table", "doc_type", "documents")).startswith("绩效自评表")
    assert str(format_cell("problems", "kind", "sections")).startswith("存在问题")
    assert format_cell("section", "kind", "search_entries") is None  # another table's kind
    from normalize.concepts import labels

    assert str(format_cell("beneficiary_satisfaction", "concept", None)).startswith(
        labels()["beneficiary_satisfaction"] + " ")  # 受益对象满意度
    assert str(format_cell(0, "target_met", None)).startswith("未达成")
    assert format_cell(None, "budget", None) is None
    assert format_cell("<b>", "org_name", None) is None  # Datasette escapes it
    assert fts_query("政策知晓率") == '"政策" "知晓率"'
    assert fts_query('"政策知晓率" x') == '"政策知晓率" "x"'
    assert fts_query("，。") == '""' and fts_query("") == '""'
    assert fts_query('a"b') == '"a" "b"'  # an unbalanced quote closed, as Datasette does
