"""What a command line is expected to do, for every command: -h, help when
called bare, whole one-line descriptions, --version, usage errors exit 2
(an unknown check code, a postgresql:// URL without its driver), --json for
status, checks and search, shell completion, clean messages and the JSON
export's one-line summary. CliRunner, and subprocesses where the process
itself matters (exit code, completion, the console script)."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import jixiao
from db import PIPELINE_VERSION
from db.checks_report import CHECK_CODES, clean_message
from pipeline import cli

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = [ROOT / "samples" / "d_csv_rows.txt", ROOT / "samples" / "c_pipe_table.txt"]
COMMANDS = sorted(cli.commands)
# A stored message as the parsers wrote some: a place without a line, a doubled %.
BAD_MESSAGE = ("工资福利支出 (actual) is 382.07万元 here but 353.38万元 in the "
               "self_evaluation_table of the same file (line None). Rate 96.48%% printed.")


def run(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


def proc(*args, **kw):
    return subprocess.run([sys.executable, str(ROOT / "pipeline.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, **kw)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("habits")
    for p in SAMPLES:
        shutil.copy(p, folder / p.name)
    path = folder / "j.sqlite"
    r = run("ingest", *[folder / p.name for p in SAMPLES], "--db", path, "-j", "1")
    assert r.exit_code == 0, r.output
    with sqlite3.connect(path) as conn:
        doc = conn.execute("SELECT id FROM documents ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute("INSERT INTO checks (document_id, ordinal, src_file, src_page, code, message) "
                     "VALUES (?, 99, 'd_csv_rows.txt', 4, 'sibling_mismatch', ?)",
                     (doc, BAD_MESSAGE))
    return path


# ------------------------------------------------------------ help

def test_dash_h_is_help_everywhere():
    assert run("-h").output == run("--help").output
    for name in COMMANDS:
        short, long = run(name, "-h"), run(name, "--help")
        assert short.exit_code == 0 and short.output == long.output, name
        assert short.output.startswith(f"Usage: jixiao {name} "), name


def test_bare_jixiao_prints_the_help_and_exits_0():
    r = run()
    assert r.exit_code == 0 and r.output == run("--help").output
    p = proc()
    assert p.returncode == 0 and p.stdout.startswith("Usage: jixiao [OPTIONS] COMMAND")
    assert "Commands:" in p.stdout and p.stderr == ""


def _first_sentence(cmd: click.Command) -> str:
    para = " ".join((cmd.help or "").split("\n\n")[0].split())
    m = re.search(r"\.(\s|$)", para)
    return para[: m.start() + 1] if m else para


def test_one_line_descriptions_are_whole_sentences():
    out = run("--help").output
    listing = out.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    entries: dict[str, str] = {}
    for line in listing.splitlines():
        m = re.match(r"  (\S+)\s+(.*)", line)
        if m and m.group(1) in cli.commands:
            name = m.group(1)
            entries[name] = m.group(2)
        else:  # a wrapped description goes on
            entries[name] += " " + line.strip()
    assert sorted(entries) == COMMANDS
    for name, text in entries.items():
        assert "..." not in text, (name, text)
        assert text == _first_sentence(cli.commands[name]), name
        assert text.endswith("."), (name, text)


def test_version_names_the_program_and_the_pipeline():
    r = run("--version")
    assert r.exit_code == 0
    assert r.output == f"jixiao {jixiao.__version__} (pipeline version {PIPELINE_VERSION})\n"
    assert proc("--version").stdout == r.output


# ------------------------------------------------------------ usage errors: exit 2

@pytest.mark.parametrize("name", COMMANDS)
def test_an_unknown_option_is_a_usage_error_in_every_command(name):
    r = run(name, "--no-such-option")
    assert r.exit_code == 2 and "No such option" in r.output, r.output


USAGE = [
    ("ingest",),  # no paths
    ("ingest", "/no/such/folder"),
    ("coverage",),
    ("status", "--runs", "0"),
    ("checks", "--code", "no_such_code"),
    ("export", "--format", "pdf"),
    ("export", "--format", "json", "--table", "documents"),
    ("compare", "no_such_measure"),
    ("compare", "concept:no_such_concept"),
    ("compare", "--years", "2024-2021"),
    ("compare", "--years", "twenty"),
    ("compare", "--format", "xlsx"),
    ("search",),
    ("search", "，。"),  # nothing to search for
    ("serve", "--port", "0"),
    ("serve", "--db", "postgresql://u@localhost/x"),  # Datasette reads SQLite only
    ("upgrade", "--wait", "-1"),
]


@pytest.mark.parametrize("args", USAGE, ids=" ".join)
def test_usage_errors_exit_2(args, db):
    extra = () if "--db" in args else ("--db", db)
    r = run(*args, *extra) if args[0] not in ("ingest", "coverage") else run(*args)
    assert r.exit_code == 2, (args, r.output)
    assert "Traceback" not in r.output


def test_usage_error_exit_2_from_a_process(db):
    p = proc("compare", "no_such_measure", "--db", db)
    assert p.returncode == 2 and "unknown measure 'no_such_measure'" in p.stderr


def test_unknown_check_code_lists_the_codes(db):
    r = run("checks", "--code", "sum_mismatches", "--db", db)
    assert r.exit_code == 2
    assert "unknown check code 'sum_mismatches'" in r.output
    assert ", ".join(CHECK_CODES) in r.output
    r = run("checks", "--code", "year_mismatch", "--db", db)  # known, none stored
    assert r.exit_code == 0 and r.output.splitlines()[0] == "0 checks"


def test_check_codes_are_those_the_parsers_write():
    found = set()
    for src in (ROOT / "parsers").glob("*.py"):
        text = src.read_text(encoding="utf-8")
        found |= set(re.findall(r'(?:add_check|CheckRow)\(\s*"([a-z_]+)"', text))
    assert found and set(CHECK_CODES) == found


PG = "postgresql://jixiao@localhost/nowhere"


@pytest.mark.parametrize("args", [("status",), ("checks",), ("export",), ("search", "满意度"),
                                  ("compare",), ("ingest", str(SAMPLES[0]))], ids=" ".join)
def test_postgresql_without_its_driver_says_install_jixiao_pg(args, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails, as uninstalled
    r = CliRunner().invoke(cli, [*args, "--db", PG])
    assert r.exit_code == 2, r.output
    assert r.stderr.count("\n") == 1 and "install `jixiao[pg]`" in r.stderr, r.stderr


def test_postgresql_without_its_driver_from_a_process():
    code = ("import sys; sys.modules['psycopg'] = None; sys.argv[0] = 'jixiao'; "
            "from pipeline import main; main()")
    p = subprocess.run([sys.executable, "-c", code, "status", "--db", PG], capture_output=True,
                       text=True, cwd=ROOT, timeout=120)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == ("Error: --db is a PostgreSQL URL and its driver is not installed: "
                        "install `jixiao[pg]` (pip install 'jixiao[pg]')\n")


# ------------------------------------------------------------ --json

def test_status_json(db):
    r = run("status", "--json", "--db", db)
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert set(got) == {"runs", "quarantined", "missing"}
    (last,) = got["runs"]
    assert (last["status"], last["files"], last["new"]) == ("ok", 2, 2)
    assert got["quarantined"] == [] and got["missing"] == 0
    assert "missing_files" in json.loads(run("status", "--json", "--missing", "--db", db).output)


def test_checks_json_and_clean_messages(db):
    text = run("checks", "--db", db).output
    assert "(line None)" not in text and "%%" not in text
    assert "in the self_evaluation_table of the same file. Rate 96.48% printed." in text
    got = json.loads(run("checks", "--json", "--db", db).output)
    assert got["count"] == len(got["checks"]) == int(text.splitlines()[len(got["checks"])].split()[0])
    mine = [c for c in got["checks"] if c["code"] == "sibling_mismatch"]
    assert mine and mine[-1]["source"] == {"page": 4}
    assert "(line None)" not in mine[-1]["message"] and "%%" not in mine[-1]["message"]
    assert all(set(u) == {"file", "document", "rows"} for u in got["unclaimed"])
    only = json.loads(run("checks", "--json", "--code", "sibling_mismatch", "--db", db).output)
    assert {c["code"] for c in only["checks"]} == {"sibling_mismatch"}


def test_clean_message():
    assert clean_message("a (line None). b") == "a. b"
    assert clean_message("96%% of 100%%") == "96% of 100%"
    assert clean_message("truncated PDF (no %%EOF at the end)") == \
        "truncated PDF (no %%EOF at the end)"  # PDF's marker is %%EOF
    assert clean_message("(line 12)") == "(line 12)"


def test_search_json(db):
    text = run("search", "救助对象满意度", "--db", db).output
    r = run("search", "救助对象满意度", "--json", "--db", db)
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert got["query"] == "救助对象满意度" and got["count"] == len(got["hits"]) >= 1
    assert text.splitlines()[-1] == f"{got['count']} hit" + ("s" if got["count"] != 1 else "")
    hit = got["hits"][0]
    assert hit["file"] == "d_csv_rows.txt" and hit["place"].startswith("d_csv_rows.txt line ")
    assert "【救助对象满意度】" in hit["snippet"]


# ------------------------------------------------------------ completion, export summary

def test_shell_completion_is_documented_and_works():
    assert '_JIXIAO_COMPLETE=bash_source jixiao' in run("--help").output
    env = {"_JIXIAO_COMPLETE": "bash_source", "PATH": "/usr/bin:/bin"}
    p = subprocess.run([sys.executable, str(ROOT / "pipeline.py")], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=120)
    assert p.returncode == 0 and "_jixiao_completion()" in p.stdout
    assert "complete -o nosort -F _jixiao_completion jixiao" in p.stdout
    env.update(_JIXIAO_COMPLETE="bash_complete", COMP_WORDS="jixiao checks --code sum",
               COMP_CWORD="3")
    p = subprocess.run([sys.executable, str(ROOT / "pipeline.py")], capture_output=True,
                       text=True, cwd=ROOT, env=env, timeout=120)
    assert p.stdout.split() == ["plain,sum_mismatch"]
    script = Path(sys.executable).parent / "jixiao"
    if script.exists():  # the console script of the install
        p = subprocess.run([str(script)], capture_output=True, text=True,
                           env={**env, "_JIXIAO_COMPLETE": "bash_source"}, timeout=120)
        assert "_jixiao_completion()" in p.stdout


def test_json_export_to_a_file_prints_its_one_line_summary(db, tmp_path):
    out = tmp_path / "all.json"
    r = run("export", "--format", "json", "-o", out, "--db", db)
    assert r.exit_code == 0, r.output
    n = len(json.loads(out.read_text(encoding="utf-8"))["documents"])
    assert n >= 2 and r.stdout == f"{n} documents -> {out}\n"
    r = run("export", "--db", db)  # to stdout: the JSON only
    assert len(json.loads(r.stdout)["documents"]) == n


def test_checks_tell_apart_files_that_share_a_name():
    """The same report as a PDF and as its scan, in two folders: `checks`
    names each by as many folders as tell them apart, else by its name."""
    from db.checks_report import short_labels

    assert short_labels(["/in/formats/pdf/a.pdf", "/in/formats/pdf-scanned/a.pdf", "/in/b.txt"]) == {
        "/in/formats/pdf/a.pdf": "pdf/a.pdf",
        "/in/formats/pdf-scanned/a.pdf": "pdf-scanned/a.pdf",
        "/in/b.txt": "b.txt",
    }
