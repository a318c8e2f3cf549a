"""Incremental runs, the runs table, quarantine retries, missing files, locks.

Most tests run on SQLite and on PostgreSQL (`any_db`; PostgreSQL skips
without JIXIAO_TEST_PG_URL). Reading and parsing are faked in this process
(workers=1) so each test is about the run logic, not the parsers; the
multi-process tests are in test_batch_processes.py.
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

import db.ingest
import db.worker
import extract
import parsers
from db.export import export_documents
from db.ingest import RunBusy, ingest_paths
from db.models import Document, File, Quarantine, Run
from db.session import open_db, run_lock, session_factory
from extract.errors import InputError
from extract.ir import ExtractedFile, Provenance
from parsers.records import DocumentRecord, FinanceRow
from pipeline import cli

CALLS: list[str] = []  # names read by the fake extractor, in order


def fake_read(path) -> ExtractedFile:
    path = Path(path)
    CALLS.append(path.name)
    data = path.read_bytes()
    if not data:
        raise InputError("empty file (0 bytes)")
    return ExtractedFile(path=str(path), name=path.name,
                         sha256=hashlib.sha256(data).hexdigest(), format="txt", blocks=[])


def fake_parse(ex: ExtractedFile) -> list[DocumentRecord]:
    # Two documents for a two-line file: the content decides the output.
    lines = Path(ex.path).read_text(encoding="utf-8").splitlines()
    return [DocumentRecord("other", Provenance(ex.name, line=i + 1), Provenance(ex.name, line=i + 1),
                           title=line, finance=[FinanceRow("basic", "基本支出", "actual",
                                                           float(len(line)), Provenance(ex.name, line=i + 1))])
            for i, line in enumerate(lines)]


@pytest.fixture(autouse=True)
def fakes(monkeypatch):
    CALLS.clear()
    monkeypatch.setenv("JIXIAO_WORKERS", "1")
    # No per-file limits, so --workers 1 parses in this process, where the fakes are.
    monkeypatch.setenv("JIXIAO_FILE_TIMEOUT", "0")
    monkeypatch.setenv("JIXIAO_WORKER_MEMORY_MB", "0")
    monkeypatch.setattr(extract, "read_file", fake_read)
    monkeypatch.setattr(parsers, "parse_file", fake_parse, raising=False)


@pytest.fixture
def folder(tmp_path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("甲报告\n甲表\n", encoding="utf-8")
    (d / "b.txt").write_text("乙报告\n", encoding="utf-8")
    (d / "sub" / "c.txt").write_text("丙报告\n丙表\n", encoding="utf-8")
    return d


@pytest.fixture
def engine(any_db):
    eng = open_db(any_db)
    yield eng
    eng.dispose()


def run(engine, *paths, **kw):
    return ingest_paths(engine, paths, **kw)


def snapshot(engine) -> dict:
    """Everything a re-run could disturb: exported JSON, row ids, counts."""
    with session_factory(engine)() as s:
        return {
            "export": export_documents(s),
            "files": s.execute(select(File.id, File.path, File.sha256, File.status)
                               .order_by(File.path)).all(),
            "documents": s.execute(select(Document.id).order_by(Document.id)).all(),
            "quarantine": s.scalar(select(func.count()).select_from(Quarantine)),
        }


def titles(engine, include_missing=False) -> list[str]:
    with session_factory(engine)() as s:
        return [d["title"] for d in export_documents(s, include_missing)["documents"]]


def runs(engine) -> list[Run]:
    with session_factory(engine)() as s:
        return s.scalars(select(Run).order_by(Run.id)).all()


def touch_later(path: Path, seconds: int = 10) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + seconds * 10**9))


def age(folder: Path) -> None:
    """Files written by a test are 'racily clean' (see db.ingest.RACY_NS):
    make them older so the stat check alone can skip them."""
    for p in folder.rglob("*"):
        if p.is_file():
            os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns - 60 * 10**9))


# ---------------------------------------------------------------- re-runs

def test_rerun_with_no_change_adds_nothing(engine, folder):
    age(folder)
    first = run(engine, folder)
    assert (first.new, first.skipped, first.documents) == (3, 0, 5)
    before = snapshot(engine)
    CALLS.clear()
    second = run(engine, folder)
    assert (second.new, second.changed, second.reparsed, second.skipped) == (0, 0, 0, 3)
    assert second.documents == 0 and second.exit_code == 0
    assert snapshot(engine) == before  # same rows, same ids: nothing rewritten
    assert CALLS == []  # not even read


def test_unchanged_files_are_neither_read_nor_hashed(engine, folder, monkeypatch):
    age(folder)
    run(engine, folder)

    def boom(*a):
        raise AssertionError("an unchanged file was read")

    monkeypatch.setattr(db.worker, "sha256_of", boom)
    monkeypatch.setattr(extract, "read_file", boom)
    assert run(engine, folder).skipped == 3


def test_touched_but_identical_file_is_hashed_not_parsed(engine, folder):
    age(folder)
    run(engine, folder)
    touch_later(folder / "a.txt")
    CALLS.clear()
    s = run(engine, folder)
    assert (s.skipped, s.changed, s.documents) == (3, 0, 0) and CALLS == []
    # The new stat is stored: the run after that does not even hash.
    with session_factory(engine)() as ses:
        mtime = ses.scalar(select(File.mtime_ns).where(File.name == "a.txt"))
    assert mtime == (folder / "a.txt").stat().st_mtime_ns


def test_recently_modified_file_is_hashed_next_time(engine, folder):
    # Written just now: its mtime may not change on a quick second write, so
    # no mtime is stored and the next run compares digests instead.
    run(engine, folder)
    (folder / "b.txt").write_text("乙报告改\n", encoding="utf-8")  # same tick, maybe
    s = run(engine, folder)
    assert s.changed == 1 and "乙报告改" in titles(engine)


def test_changed_file_replaces_its_documents(engine, folder):
    age(folder)
    run(engine, folder)
    before = snapshot(engine)
    (folder / "a.txt").write_text("甲报告(修订)\n", encoding="utf-8")
    s = run(engine, folder)
    assert (s.new, s.changed, s.skipped, s.documents) == (0, 1, 2, 1)
    assert titles(engine) == ["甲报告(修订)", "乙报告", "丙报告", "丙表"]
    after = snapshot(engine)
    assert len(after["files"]) == 3
    # Only a.txt's rows were replaced; the others keep their ids.
    keep = [f for f in before["files"] if not f.path.endswith("a.txt")]
    assert all(f in after["files"] for f in keep)
    new_sha = hashlib.sha256((folder / "a.txt").read_bytes()).hexdigest()
    assert [d["source"]["sha256"] for d in after["export"]["documents"]][0] == new_sha


def test_new_pipeline_version_reparses_everything(engine, folder):
    age(folder)
    run(engine, folder, pipeline_version="0.1.0")
    CALLS.clear()
    s = run(engine, folder, pipeline_version="0.2.0")
    assert (s.reparsed, s.skipped, s.documents) == (3, 0, 5)
    assert sorted(CALLS) == ["a.txt", "b.txt", "c.txt"]
    with session_factory(engine)() as ses:
        assert set(ses.scalars(select(File.pipeline_version))) == {"0.2.0"}
    assert run(engine, folder, pipeline_version="0.2.0").skipped == 3


def test_disappeared_file_is_marked_not_deleted(engine, folder):
    age(folder)
    run(engine, folder)
    (folder / "b.txt").rename(folder.parent / "b.txt.away")
    s = run(engine, folder)
    assert s.missing == 1 and s.skipped == 2 and s.exit_code == 0
    with session_factory(engine)() as ses:
        gone = ses.execute(select(File.name, File.missing_since)
                           .where(File.missing_since.is_not(None))).all()
        assert [g.name for g in gone] == ["b.txt"]
        assert ses.scalar(select(func.count()).select_from(Document)) == 5  # rows kept
    assert "乙报告" not in titles(engine)  # left out of exports...
    assert "乙报告" in titles(engine, include_missing=True)  # ...unless asked
    assert run(engine, folder).missing == 0  # marked once, not counted again
    # It comes back unchanged: no longer missing, not parsed again.
    (folder.parent / "b.txt.away").rename(folder / "b.txt")
    CALLS.clear()
    s = run(engine, folder)
    assert s.skipped == 3 and CALLS == [] and "乙报告" in titles(engine)


def test_only_walked_folders_are_checked_for_missing_files(engine, folder, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.txt").write_text("戊\n", encoding="utf-8")
    run(engine, folder)
    run(engine, other)  # a different folder: folder's files are not "missing"
    with session_factory(engine)() as ses:
        assert ses.scalar(select(func.count()).where(File.missing_since.is_not(None))) == 0


def test_moved_file_is_stored_under_its_new_path_old_path_missing(engine, folder):
    age(folder)
    run(engine, folder)
    (folder / "a.txt").rename(folder / "sub" / "a2.txt")
    s = run(engine, folder)
    assert (s.new, s.missing, s.skipped) == (1, 1, 2)
    with session_factory(engine)() as ses:
        rows = ses.execute(select(File.name, File.sha256, File.missing_since.is_not(None))
                           .order_by(File.name)).all()
    assert [(r[0], r[2]) for r in rows] == [("a.txt", True), ("a2.txt", False),
                                            ("b.txt", False), ("c.txt", False)]
    assert rows[0][1] == rows[1][1]  # same bytes: same identity
    with session_factory(engine)() as ses:
        docs = [d["source"]["file"] for d in export_documents(ses)["documents"]]
    assert docs.count("a2.txt") == 2 and "a.txt" not in docs  # exported once


# ---------------------------------------------------------------- quarantine

def test_quarantined_file_is_retried_only_when_it_or_the_pipeline_changes(engine, folder):
    (folder / "bad.txt").write_bytes(b"")
    age(folder)
    s = run(engine, folder)
    assert len(s.quarantined) == 1 and s.exit_code == 1
    assert s.quarantined[0].stage == "extract"
    CALLS.clear()
    s = run(engine, folder)  # unchanged: not retried, still reported
    assert CALLS == [] and s.quarantined == [] and s.still_quarantined == 1
    assert s.exit_code == 1 and s.skipped == 4
    s = run(engine, folder, pipeline_version="9.9")  # the pipeline changed: retried
    assert "bad.txt" in CALLS and len(s.quarantined) == 1
    (folder / "bad.txt").write_text("修好了\n", encoding="utf-8")  # the file changed
    s = run(engine, folder, pipeline_version="9.9")
    assert s.changed == 1 and s.in_quarantine == 0 and s.exit_code == 0
    with session_factory(engine)() as ses:
        assert ses.scalar(select(func.count()).select_from(Quarantine)) == 0


def test_quarantine_records_stage_error_and_run(engine, folder, monkeypatch):
    def parse(ex):
        if ex.name == "b.txt":
            raise ValueError("no title")
        return fake_parse(ex)

    monkeypatch.setattr(parsers, "parse_file", parse)
    s = run(engine, folder)
    with session_factory(engine)() as ses:
        q = ses.execute(select(Quarantine.name, Quarantine.stage, Quarantine.error,
                               Quarantine.run_id, Quarantine.sha256)).all()
    assert q == [("b.txt", "parse", "parse failed: ValueError: no title", s.run_id,
                  hashlib.sha256((folder / "b.txt").read_bytes()).hexdigest())]


# ---------------------------------------------------------------- runs table

def test_runs_table_counts_each_run(engine, folder):
    age(folder)
    run(engine, folder)
    (folder / "a.txt").write_text("甲改\n", encoding="utf-8")
    (folder / "d.txt").write_bytes(b"")
    (folder / "b.txt").unlink()
    run(engine, folder)
    r1, r2 = runs(engine)
    assert (r1.status, r1.files, r1.new, r1.documents) == ("ok", 3, 3, 5)
    assert r1.ended_at >= r1.started_at
    assert (r2.status, r2.files, r2.new, r2.changed, r2.skipped, r2.failed, r2.missing,
            r2.documents) == ("quarantined", 3, 0, 1, 1, 1, 1, 1)
    assert r2.pid == os.getpid() and r2.host


def test_a_run_that_died_is_marked_interrupted(engine, folder):
    with session_factory(engine)() as s, s.begin():  # what kill -9 leaves behind
        s.execute(text("INSERT INTO runs (started_at, status, pipeline_version) "
                       "VALUES (CURRENT_TIMESTAMP, 'running', '0.1.0')"))
    run(engine, folder)
    assert [r.status for r in runs(engine)] == ["interrupted", "ok"]


# ---------------------------------------------------------------- the lock

def test_second_run_refuses_while_another_holds_the_database(engine, any_db, folder):
    with session_factory(engine)() as s, s.begin():
        s.add(Run(started_at=db.ingest._now(), status="running", pipeline_version="x",
                  host="elsewhere", pid=4242))
    with run_lock(engine):  # another run, as far as the database can tell
        with pytest.raises(RunBusy, match="pid 4242 on elsewhere"):
            run(engine, folder)
        r = CliRunner().invoke(cli, ["ingest", str(folder), "--db", any_db])
        assert r.exit_code == 3
        assert "another ingest run is using this database: run 1, pid 4242" in r.stderr
        assert "--wait" in r.stderr
    assert run(engine, folder).new == 3  # released: the next run goes ahead


def test_run_waits_for_the_lock_when_asked(engine, folder):
    import threading

    lock = run_lock(engine)
    lock.__enter__()
    threading.Timer(1.0, lambda: lock.__exit__(None, None, None)).start()
    assert run(engine, folder, wait=20).new == 3


# ---------------------------------------------------------------- database errors

def _duplicate_key() -> Exception:
    """A real duplicate-key error, as a concurrent writer's row causes."""
    import sqlite3

    from sqlalchemy.exc import IntegrityError

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE files (path TEXT UNIQUE)")
    con.execute("INSERT INTO files VALUES ('b.txt')")
    try:
        con.execute("INSERT INTO files VALUES ('b.txt')")
    except sqlite3.IntegrityError as exc:
        return IntegrityError("INSERT INTO files ...", {}, exc)
    finally:
        con.close()
    raise AssertionError("no duplicate key")


def _connection_lost() -> Exception:
    from sqlalchemy.exc import OperationalError

    return OperationalError("INSERT INTO files ...", {},
                            Exception("server closed the connection unexpectedly\n\tmore"))


@pytest.mark.parametrize("error, shown", [
    (_connection_lost, "(builtins.Exception) server closed the connection unexpectedly"),
    (_duplicate_key, "(sqlite3.IntegrityError) UNIQUE constraint failed: files.path"),
], ids=["connection-lost", "duplicate-key"])
def test_a_database_error_while_storing_ends_the_run_and_quarantines_nothing(
        engine, any_db, folder, monkeypatch, error, shown):
    real = db.ingest.store_file

    def store(session, extracted, *args, **kw):
        if extracted.name == "b.txt":
            raise error()
        return real(session, extracted, *args, **kw)

    monkeypatch.setattr(db.ingest, "store_file", store)
    r = CliRunner().invoke(cli, ["ingest", str(folder), "--db", any_db])
    assert r.exit_code == 3, r.output
    b = folder / "b.txt"
    assert r.stderr == (f"Error: run 1 stopped: database error while storing {b}: {shown}; "
                        "1 files stored by it, the rest left as they were for the next run\n")
    with session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Quarantine)) == 0
        assert set(s.scalars(select(File.name))) == {"a.txt"}  # b.txt untouched, c.txt not reached
    (r1,) = runs(engine)
    assert (r1.status, r1.new, r1.failed) == ("failed", 1, 0) and r1.ended_at is not None
    status = CliRunner().invoke(cli, ["status", "--db", any_db])
    assert f"run 1 failed: database error while storing {b}: {shown}" in status.stdout
    monkeypatch.setattr(db.ingest, "store_file", real)  # the database is well again
    s = run(engine, folder)
    assert (s.new, s.skipped, s.in_quarantine) == (2, 1, 0)


def test_a_file_whose_values_the_database_refuses_is_still_quarantined(engine, folder,
                                                                        monkeypatch):
    from sqlalchemy.exc import DataError

    def store(session, extracted, *args, **kw):
        raise DataError("INSERT INTO sections ...", {}, Exception("value too long"))

    monkeypatch.setattr(db.ingest, "store_file", store)
    s = run(engine, folder / "a.txt")
    [failure] = s.quarantined
    assert failure.stage == "store"
    assert failure.error.startswith("store failed: DataError: (builtins.Exception) value too long")
    assert runs(engine)[0].status == "quarantined"


# ---------------------------------------------------------------- CLI

def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_exit_codes_and_summary_line(any_db, folder):
    r = invoke("ingest", folder, "--db", any_db)
    assert r.exit_code == 0
    assert re.fullmatch(r"run 1: 3 files: 3 new, 0 changed, 0 re-parsed, 0 skipped, 0 failed, "
                        r"0 missing; 5 documents stored, 0 in quarantine \([\d.]+ s\)\n",
                        r.stdout)
    r = invoke("ingest", folder, "--db", any_db)
    assert r.exit_code == 0 and "3 skipped" in r.stdout  # all skipped is a success
    (folder / "bad.txt").write_bytes(b"")
    r = invoke("ingest", folder, "--db", any_db)
    assert r.exit_code == 1 and "1 failed" in r.stdout and "bad.txt" in r.stderr
    r = invoke("ingest", folder, "--db", any_db)
    assert r.exit_code == 1 and "0 failed" in r.stdout and "1 in quarantine" in r.stdout
    assert invoke("ingest", folder, "--db", any_db, "--workers", "-1").exit_code == 2
    assert invoke("ingest", "--db", any_db).exit_code == 2


def test_status_prints_runs_and_quarantined_files(any_db, folder):
    (folder / "bad.txt").write_bytes(b"")
    invoke("ingest", folder, "--db", any_db)
    (folder / "b.txt").unlink()
    invoke("ingest", folder, "--db", any_db)
    r = invoke("status", "--db", any_db, "--missing")
    assert r.exit_code == 0
    out = r.stdout
    assert "Last 2 runs" in out
    lines = out.splitlines()
    header = next(i for i, l in enumerate(lines) if l.strip().startswith("run"))
    assert lines[header].split() == ["run", "started", "took", "status", "files", "new",
                                     "changed", "reparsed", "skipped", "failed", "missing",
                                     "documents"]
    assert lines[header + 1].split()[0] == "2" and "quarantined" in lines[header + 1]
    assert "Quarantined files: 1" in out
    assert str((folder / "bad.txt").resolve()) in out
    assert "extract: empty file (0 bytes)  [run 1," in out
    assert "Missing files: 1" in out and str((folder / "b.txt").resolve()) in out


def test_status_of_a_new_database(any_db):
    # Nothing ingested yet: a read command says so and creates nothing
    # (tests/test_readonly.py); once the schema is there, no runs yet.
    r = invoke("status", "--db", any_db)
    assert r.exit_code == 2 and r.stdout == ""
    assert ("holds no jixiao tables" if "://" in any_db and "sqlite" not in any_db
            else "no database at") in r.stderr
    open_db(any_db).dispose()
    r = invoke("status", "--db", any_db)
    assert r.exit_code == 0 and "No runs yet." in r.stdout


def test_log_lines_when_not_on_a_terminal(folder, tmp_path):
    import io

    from pipeline import Progress

    buf = io.StringIO()
    p = Progress(buf, every=0)
    p(0, 4)
    p(2, 4)
    assert re.fullmatch(r"jixiao: 2/4 files read \(50%\), [\d.]+ files/s\n", buf.getvalue())
