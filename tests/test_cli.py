"""pipeline.py through CliRunner against a real temporary SQLite database.

extract/text.py and parsers.parse_file are written elsewhere, so the tests
stand in for them: `fake_read` mimics read_file's contract, `fake_parse`
returns a fixed record list per file.
"""
from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import extract
import parsers
from extract.errors import InputError
from extract.ir import ExtractedFile, Provenance
from parsers.records import DocumentRecord, FinanceRow, IndicatorRow, Value
from pipeline import cli


def fake_read(path) -> ExtractedFile:
    path = Path(path)
    data = path.read_bytes()
    if not data:
        raise InputError("empty file (0 bytes)")
    return ExtractedFile(path=str(path), name=path.name,
                         sha256=hashlib.sha256(data).hexdigest(), format="txt", blocks=[])


def fake_parse(ex: ExtractedFile) -> list[DocumentRecord]:
    p = Provenance(ex.name, line=1)
    return [
        DocumentRecord("self_evaluation_report", p, Provenance(ex.name, line=9),
                       title=f"{ex.name} 报告", fiscal_year=2023,
                       finance=[FinanceRow("basic", "基本支出", "actual", 3925200.0, p)]),
        DocumentRecord("self_evaluation_table", Provenance(ex.name, line=10),
                       Provenance(ex.name, line=20),
                       indicators=[IndicatorRow("人数", p, target=Value("≥5人", ">=", 5.0, "人"))]),
    ]


@pytest.fixture
def fakes(monkeypatch):
    # The fakes live in this process only: parse here, not in worker processes.
    monkeypatch.setenv("JIXIAO_WORKERS", "1")
    # No per-file limits, so --workers 1 parses in this process, where the fakes are.
    monkeypatch.setenv("JIXIAO_FILE_TIMEOUT", "0")
    monkeypatch.setenv("JIXIAO_WORKER_MEMORY_MB", "0")
    monkeypatch.setattr(extract, "read_file", fake_read)
    # raising=False: parsers/__init__.py may not define parse_file yet.
    monkeypatch.setattr(parsers, "parse_file", fake_parse, raising=False)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "j.sqlite"


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("甲", encoding="utf-8")
    (d / "sub" / "b.txt").write_text("乙", encoding="utf-8")
    (d / "noext").write_text("丙", encoding="utf-8")  # tried: pasted text often has none
    (d / "empty.txt").write_bytes(b"")
    (d / ".hidden.txt").write_text("x")  # skipped
    (d / "picture.xyz").write_text("x")  # skipped: no extractor for the suffix
    return d


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def count(db: Path, table: str) -> int:
    return rows(db, f"SELECT count(*) FROM {table}")[0][0]


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def summary(r) -> str:
    """The run's one-line summary, without its duration."""
    return re.sub(r" \([\d.]+ s\)$", "", r.stdout.strip())


def test_ingest_folder_quarantines_bad_files_and_goes_on(fakes, folder, db):
    r = invoke("ingest", folder, "--db", db)
    assert r.exit_code == 1
    assert summary(r) == ("run 1: 4 files: 3 new, 0 changed, 0 re-parsed, 0 skipped, 1 failed, "
                          "0 missing; 6 documents stored, 1 in quarantine")
    assert r.stderr.strip() == f"jixiao: {folder / 'empty.txt'}: empty file (0 bytes)"
    names = rows(db, "SELECT name, status FROM files ORDER BY name")
    assert names == [("a.txt", "ingested"), ("b.txt", "ingested"),
                     ("empty.txt", "quarantined"), ("noext", "ingested")]
    assert count(db, "documents") == 6 and count(db, "finance") == 3
    assert count(db, "indicators") == 3
    q = rows(db, "SELECT name, stage, error, sha256 FROM quarantine")
    assert q == [("empty.txt", "extract", "empty file (0 bytes)",
                  hashlib.sha256(b"").hexdigest())]


def test_ingest_twice_replaces_not_duplicates(fakes, folder, db):
    invoke("ingest", folder, "--db", db)
    before = {t: count(db, t) for t in ("files", "documents", "finance", "quarantine")}
    invoke("ingest", folder, folder / "a.txt", "--db", db)  # a.txt reached twice
    after = {t: count(db, t) for t in ("files", "documents", "finance", "quarantine")}
    assert after == before


def test_real_read_file_quarantines_an_empty_named_file(monkeypatch, tmp_path, db):
    # The real extract.read_file refuses empty files before any extractor runs.
    monkeypatch.setattr(parsers, "parse_file", fake_parse, raising=False)
    empty = tmp_path / "void.txt"
    empty.write_bytes(b"")
    r = invoke("ingest", empty, "--db", db)
    assert r.exit_code == 1
    assert "void.txt" in r.stderr and "empty" in r.stderr
    assert summary(r) == ("run 1: 1 files: 0 new, 0 changed, 0 re-parsed, 0 skipped, 1 failed, "
                          "0 missing; 0 documents stored, 1 in quarantine")


def test_named_file_with_unknown_suffix_is_attempted(fakes, folder, db):
    r = invoke("ingest", folder / "picture.xyz", "--db", db)
    assert r.exit_code == 0, r.stderr
    assert rows(db, "SELECT name FROM files") == [("picture.xyz",)]


def test_all_good_exits_zero(fakes, folder, db):
    (folder / "empty.txt").unlink()
    r = invoke("ingest", folder, "--db", db)
    assert r.exit_code == 0 and r.stderr == ""
    assert summary(r) == ("run 1: 3 files: 3 new, 0 changed, 0 re-parsed, 0 skipped, 0 failed, "
                          "0 missing; 6 documents stored, 0 in quarantine")


def test_parser_bug_is_quarantined_with_its_type(fakes, monkeypatch, folder, db):
    def parse(ex):
        if ex.name == "a.txt":
            raise ValueError("no title\nfound")
        return fake_parse(ex)

    monkeypatch.setattr(parsers, "parse_file", parse)
    r = invoke("ingest", folder, "--db", db)
    assert r.exit_code == 1
    assert f"jixiao: {folder / 'a.txt'}: parse failed: ValueError: no title found" in r.stderr
    assert ("a.txt", "parse") in rows(db, "SELECT name, stage FROM quarantine")
    assert count(db, "documents") == 4


def test_store_failure_leaves_nothing_half_written(fakes, monkeypatch, folder, db):
    def parse(ex):
        recs = fake_parse(ex)
        if ex.name == "a.txt":
            recs[1].doc_type = None  # NOT NULL: the second document fails to insert
        return recs

    invoke("ingest", folder, "--db", db)
    monkeypatch.setattr(parsers, "parse_file", parse)
    (folder / "a.txt").write_text("甲甲", encoding="utf-8")  # changed: parsed again
    r = invoke("ingest", folder / "a.txt", "--db", db)
    assert r.exit_code == 1 and "store failed: IntegrityError" in r.stderr
    # The whole file is rolled back: no first document, no finance rows of a.txt.
    assert rows(db, "SELECT name, status FROM files WHERE name = 'a.txt'") == [
        ("a.txt", "quarantined")]
    assert count(db, "documents") == 4 and count(db, "finance") == 2


def test_input_error_from_parser_keeps_its_stage(fakes, monkeypatch, folder, db):
    def parse(ex):
        raise InputError("scanned image without text", stage="parse")

    monkeypatch.setattr(parsers, "parse_file", parse)
    invoke("ingest", folder / "a.txt", "--db", db)
    assert rows(db, "SELECT stage, error FROM quarantine") == [
        ("parse", "scanned image without text")]


def test_export_writes_schema_json(fakes, folder, db, tmp_path):
    invoke("ingest", folder, "--db", db)
    out = tmp_path / "out.json"
    r = invoke("export", "--db", db, "--format", "json", "-o", out)
    assert r.exit_code == 0 and r.stdout == f"6 documents -> {out}\n"  # like the other exports
    data = json.loads(out.read_text(encoding="utf-8"))
    docs = data["documents"]
    assert [(d["source"]["file"], d["doc_type"]) for d in docs] == [
        ("a.txt", "self_evaluation_report"), ("a.txt", "self_evaluation_table"),
        ("b.txt", "self_evaluation_report"), ("b.txt", "self_evaluation_table"),
        ("noext", "self_evaluation_report"), ("noext", "self_evaluation_table")]
    assert docs[0]["source"] == {"file": "a.txt",
                                 "sha256": hashlib.sha256("甲".encode()).hexdigest(),
                                 "format": "txt", "start": "line:1", "end": "line:9"}
    assert docs[0]["finance"][0]["value"] == 3925200.0
    assert docs[1]["indicators"][0]["target"]["value"] == 5
    assert "a.txt 报告" in out.read_text(encoding="utf-8")  # not \u-escaped
    # stdout carries the same JSON.
    r = invoke("export", "--db", db)
    assert json.loads(r.stdout) == data


def test_export_of_empty_db(db):
    from db.session import open_db

    open_db(f"sqlite:///{db}").dispose()  # a database with the schema and no rows
    r = invoke("export", "--db", f"sqlite:///{db}")
    assert r.exit_code == 0
    assert json.loads(r.stdout) == {"documents": []}


def test_export_of_a_missing_db_creates_nothing(db):
    # A mistyped --db: one line, exit 2, and no empty database left behind
    # (tests/test_readonly.py does every read command).
    r = invoke("export", "--db", f"sqlite:///{db}")
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr == f"Error: no database at {db}: check --db (`jixiao ingest` creates one)\n"
    assert list(db.parent.iterdir()) == []


def test_usage_errors_exit_2(db, tmp_path):
    assert invoke("ingest", tmp_path / "missing", "--db", db).exit_code == 2
    assert invoke("ingest", "--db", db).exit_code == 2
    assert invoke("export", "--db", db, "--format", "csv").exit_code == 2


def test_unusable_database_is_a_one_line_error(tmp_path):
    r = invoke("export", "--db", "nosuchdialect://x")
    assert r.exit_code == 3  # could not run at all: not "some files quarantined"
    assert r.stderr.startswith("Error: database:")


def test_checks_command_lists_stored_checks(tmp_path):
    from click.testing import CliRunner

    import pipeline

    seeds = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    source = seeds / "004_ba092eeb265ea4e9.txt"
    if not source.exists():
        pytest.skip("shared/seeds is not beside the checkout")
    db = f"sqlite:///{tmp_path / 'c.sqlite'}"
    runner = CliRunner()
    assert runner.invoke(pipeline.cli, ["ingest", str(source), "--db", db]).exit_code == 0
    result = runner.invoke(pipeline.cli, ["checks", "--db", db, "--code", "unit_suspect"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("004_ba092eeb265ea4e9.txt#2 line 413 [unit_suspect]") and "4.2150" in lines[0]
    assert lines[1] == "1 check"
    assert "unclaimed text" in result.output
