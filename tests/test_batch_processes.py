"""Real processes on a real corpus: worker pools, kill -9, two runs at once.

The corpus is copies of samples/*.txt under distinct names, read and parsed
by the real extractors and parsers. Each test runs on SQLite and on
PostgreSQL (which skips without JIXIAO_TEST_PG_URL).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from db.export import export_documents
from db.ingest import ingest_paths
from db.models import Document, File, Run
from db.session import open_db, session_factory

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture
def second_db(request, any_db, tmp_path):
    """Another empty database of the same kind as any_db."""
    if any_db.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'clean.sqlite'}"
    return request.getfixturevalue("pg_url_factory")()


def corpus(folder: Path, copies: int) -> int:
    folder.mkdir(parents=True)
    n = 0
    for i in range(copies):
        for src in SAMPLES:
            shutil.copyfile(src, folder / f"{i:03d}_{src.name}")
            n += 1
    return n


def snapshot(url: str) -> tuple[dict, int, int, int]:
    """(export, files, distinct paths, documents)."""
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return (export_documents(s),
                    s.scalar(select(func.count()).select_from(File)),
                    s.scalar(select(func.count(func.distinct(File.path)))),
                    s.scalar(select(func.count()).select_from(Document)))
    finally:
        engine.dispose()


def stored(url: str) -> int:
    engine = open_db(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(File))
    except Exception:
        return 0  # not created yet
    finally:
        engine.dispose()


def runs(url: str) -> list[Run]:
    engine = open_db(url)
    try:
        with session_factory(engine)() as s:
            return s.scalars(select(Run).order_by(Run.id)).all()
    finally:
        engine.dispose()


def cli(*args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "JIXIAO_WORKERS"} | (extra_env or {})
    return subprocess.Popen([sys.executable, "pipeline.py", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def clean_run(folder: Path, url: str) -> tuple:
    engine = open_db(url)
    try:
        summary = ingest_paths(engine, [folder], workers=1)
        assert not summary.quarantined, summary.quarantined[:3]
    finally:
        engine.dispose()
    return snapshot(url)


def test_worker_processes_store_what_one_process_stores(any_db, second_db, tmp_path):
    folder = tmp_path / "in"
    n = corpus(folder, 3)
    engine = open_db(any_db)
    try:
        s = ingest_paths(engine, [folder], workers=2)
    finally:
        engine.dispose()
    assert (s.new, s.in_quarantine) == (n, 0)
    assert snapshot(any_db) == clean_run(folder, second_db)


def test_kill_9_mid_run_then_rerun_equals_a_clean_run(any_db, second_db, tmp_path):
    folder = tmp_path / "in"
    n = corpus(folder, 30)  # 240 files: a few seconds of work
    proc = cli("ingest", str(folder), "--db", any_db, "--workers", "2")
    try:
        deadline = time.monotonic() + 60
        while stored(any_db) < 12:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never stored a file"
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)  # kill -9, at whatever it is doing
        proc.wait(10)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # and its worker processes
        except ProcessLookupError:
            pass
    # a COMMIT sent just before the kill may still land on the server (PostgreSQL): count
    # once the database has settled, not at the moment of the kill
    done, settled = stored(any_db), time.monotonic() + 5
    while time.monotonic() < settled:
        time.sleep(0.3)
        now = stored(any_db)
        if now == done:
            break
        done = now
    assert 12 <= done < n, "killed too late: the run had finished"
    assert runs(any_db)[-1].status == "running"  # as kill -9 left it

    again = cli("ingest", str(folder), "--db", any_db, "--workers", "2")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert f"{n} files: {n - done} new" in out and f"{done} skipped" in out
    assert [r.status for r in runs(any_db)] == ["interrupted", "ok"]
    export, files, paths, docs = snapshot(any_db)
    assert files == paths == n  # no duplicates
    assert (export, files, paths, docs) == clean_run(folder, second_db)


def test_two_runs_at_once_store_every_file_exactly_once(any_db, second_db, tmp_path):
    folder = tmp_path / "in"
    n = corpus(folder, 12)
    # Both start on a database that does not exist yet: creating the schema
    # is raced too.
    procs = [cli("ingest", str(folder), "--db", any_db, "--workers", "1", "--wait", "120")
             for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    r1, r2 = runs(any_db)
    assert r1.new + r2.new == n  # each file stored by exactly one run
    assert {r1.status, r2.status} == {"ok"}
    assert r2.skipped == n  # the second waited for the first, then had nothing to do
    export, files, paths, docs = snapshot(any_db)
    assert files == paths == n
    assert (export, files, paths, docs) == clean_run(folder, second_db)


def test_a_run_refuses_while_another_runs(any_db, tmp_path):
    folder = tmp_path / "in"
    n = corpus(folder, 20)
    # one file that takes 5 s to parse (the test hook): the first run is still running
    # however fast the rest go, so the second must find the database locked
    (folder / "zzz_slow.txt").write_text("#jixiao-test sleep 5 parse\n2023年度部门整体支出绩效自评报告\n",
                                         encoding="utf-8")
    n += 1
    first = cli("ingest", str(folder), "--db", any_db, "--workers", "1",
                extra_env={"JIXIAO_WORKER_HOOK": str(ROOT / "tests" / "worker_hooks.py")})
    try:
        deadline = time.monotonic() + 60
        while stored(any_db) < 1:
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        second = cli("ingest", str(folder), "--db", any_db)
        out, err = second.communicate(timeout=60)
        assert second.returncode == 3, (out, err)
        assert f"pid {first.pid}" in err and "not started" in err
        assert first.wait(120) == 0
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert stored(any_db) == n
