"""One bad file never stops, hangs or blows up a run (issue 12).

Files misbehave through the test hook tests/worker_hooks.py, which each worker
imports when JIXIAO_WORKER_HOOK names it: a file whose first line says
`#jixiao-test sleep 600 parse` sleeps in the parser, `allocate 800 extract`
grows the worker by 800 MB while reading, `crash parse` segfaults. The real
extractors and parsers read every other file. SQLite throughout: the limits
are the workers', whatever the database.
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
from sqlalchemy import select, text

from db.export import export_documents
from db.ingest import ingest_paths
from db.models import File, Quarantine
from db.session import lock_is_free, open_db, run_lock, session_factory
from db.status import status_lines
from extract.limits import MIB, Limits

ROOT = Path(__file__).resolve().parents[1]
HOOK = str(Path(__file__).resolve().with_name("worker_hooks.py"))
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))


@pytest.fixture
def hooked(monkeypatch):
    monkeypatch.setenv("JIXIAO_WORKER_HOOK", HOOK)


def corpus(folder: Path, **bad: str) -> int:
    """The samples, and a misbehaving file per keyword (name=command)."""
    folder.mkdir(parents=True)
    for src in SAMPLES:
        shutil.copyfile(src, folder / src.name)
    for name, command in bad.items():
        (folder / f"{name}.txt").write_text(f"#jixiao-test {command}\n部门整体支出绩效自评报告\n")
    return len(SAMPLES)


def failures(summary) -> dict[str, tuple[str, str]]:
    return {Path(f.path).name: (f.stage, f.error) for f in summary.quarantined}


@pytest.mark.parametrize("workers", [1, 2])
def test_files_over_the_time_or_memory_limit_are_killed_and_the_run_goes_on(
        tmp_path, hooked, workers):
    good = corpus(tmp_path / "in", slow="sleep 600 parse", fat="allocate 800 extract")
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    limits = Limits(file_seconds=3, worker_memory_bytes=300 * MIB)
    t0 = time.monotonic()
    summary = ingest_paths(engine, [tmp_path / "in"], workers=workers, limits=limits)
    took = time.monotonic() - t0
    assert took < 60, took  # not the 600 s the slow file asked for
    assert failures(summary) == {"slow.txt": ("parse", "took over 3 s in parse"),
                                 "fat.txt": ("extract", "used over 300 MB in extract")}
    assert summary.new == good and summary.exit_code == 1
    assert "2 failed" in summary.line() and "2 in quarantine" in summary.line()
    with session_factory(engine)() as s:
        lines = "\n".join(status_lines(s))
        assert "parse: took over 3 s in parse" in lines
        assert "extract: used over 300 MB in extract" in lines
        assert {q.path.rsplit("/", 1)[1] for q in s.scalars(select(Quarantine))} == {
            "slow.txt", "fat.txt"}
    # unchanged, they stay in quarantine without being tried again
    t0 = time.monotonic()
    again = ingest_paths(engine, [tmp_path / "in"], workers=workers, limits=limits)
    assert again.skipped == good + 2 and again.in_quarantine == 2
    assert time.monotonic() - t0 < 3
    engine.dispose()


def test_a_worker_left_big_by_one_file_is_replaced_so_the_next_is_not_blamed(tmp_path, hooked):
    corpus(tmp_path / "in", a="hold 200 parse", b="hold 200 parse", c="hold 200 parse")
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    summary = ingest_paths(engine, [tmp_path / "in"], workers=1,
                           limits=Limits(worker_memory_bytes=300 * MIB))
    assert not summary.quarantined and summary.new == len(SAMPLES) + 3
    engine.dispose()


def test_a_file_that_kills_its_worker_twice_is_quarantined(tmp_path, hooked):
    good = corpus(tmp_path / "in", crash="crash parse")
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    summary = ingest_paths(engine, [tmp_path / "in"], workers=2, limits=Limits())
    (stage, error), = failures(summary).values()
    assert stage == "parse" and error.startswith("the worker process died reading this file")
    assert "SIGSEGV" in error
    assert summary.new == good
    engine.dispose()


def test_limits_off_and_one_worker_parse_in_this_process(tmp_path, monkeypatch):
    import db.ingest

    corpus(tmp_path / "in")
    monkeypatch.setattr(db.ingest, "Pool", None)  # would fail if a pool were made
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    summary = ingest_paths(engine, [tmp_path / "in"], workers=1,
                           limits=Limits(file_seconds=0, worker_memory_bytes=0))
    assert summary.new == len(SAMPLES) and not summary.quarantined
    engine.dispose()


def cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "pipeline.py"), *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)


def test_the_command_line_takes_the_limit_from_the_environment(tmp_path):
    good = corpus(tmp_path / "in", slow="sleep 600 extract")
    proc = cli("ingest", str(tmp_path / "in"), "--db", str(tmp_path / "j.sqlite"),
               "--workers", "1",
               env={"JIXIAO_FILE_TIMEOUT": "2", "JIXIAO_WORKER_HOOK": HOOK})
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, (out, err)
    assert out.startswith(f"run 1: {good + 1} files: {good} new") and "1 failed" in out
    assert f"jixiao: {tmp_path / 'in' / 'slow.txt'}: took over 2 s in extract" in err
    assert "Traceback" not in err


def test_the_web_page_size_limit_is_a_setting():
    assert Limits().max_html_bytes == 10 * MIB
    assert Limits.from_env({"JIXIAO_MAX_HTML_MB": "2.5"}).max_html_bytes == int(2.5 * MIB)
    with pytest.raises(ValueError, match="JIXIAO_MAX_HTML_MB must be a number"):
        Limits.from_env({"JIXIAO_MAX_HTML_MB": "lots"})
    with pytest.raises(ValueError, match="max_html_bytes must be a positive"):
        Limits(max_html_bytes=0)


def test_a_web_page_over_the_size_limit_is_quarantined_with_its_reason(tmp_path):
    from bad_inputs import huge_html

    good = corpus(tmp_path / "in")
    page = huge_html(2 * MIB)
    (tmp_path / "in" / "big.html").write_bytes(page)
    proc = cli("ingest", str(tmp_path / "in"), "--db", str(tmp_path / "j.sqlite"),
               env={"JIXIAO_MAX_HTML_MB": "1"})
    try:
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, (out, err)
    assert out.startswith(f"run 1: {good + 1} files: {good} new") and "1 failed" in out
    assert err.splitlines() == [f"jixiao: {tmp_path / 'in' / 'big.html'}: web page too large "
                                f"({len(page)} bytes; the limit is 1 MB, JIXIAO_MAX_HTML_MB)"]


# ---------------------------------------------------------------- dead runs

def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            kids.setdefault(ppid, []).append(int(entry))
    return kids


def _descendants(pid: int) -> list[int]:
    kids, todo, found = _children(), [pid], []
    while todo:
        for child in kids.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; whoever adopted it reaps it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and prctl: Linux")
def test_kill_9_of_the_main_process_leaves_no_process_of_the_run(tmp_path):
    corpus(tmp_path / "in", slow="sleep 600 parse")
    db = tmp_path / "j.sqlite"
    proc = cli("ingest", str(tmp_path / "in"), "--db", str(db), "--workers", "2",
               env={"JIXIAO_WORKER_HOOK": HOOK})
    try:
        deadline = time.monotonic() + 60
        while True:  # the good files are stored: a worker sleeps in slow.txt
            assert proc.poll() is None and time.monotonic() < deadline
            try:
                engine = open_db(f"sqlite:///{db}")
                with engine.connect() as conn:
                    n = conn.scalar(text("SELECT count(*) FROM files"))
                engine.dispose()
            except Exception:
                n = 0
            if n >= len(SAMPLES):
                break
            time.sleep(0.1)
        family = _descendants(proc.pid)
        assert len(family) >= 2  # the forkserver and at least one worker
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 5
        while any(map(_alive, family)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in family if _alive(p)]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        for pid in _descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)
    # and `status` shows the dead run for what it is
    engine = open_db(f"sqlite:///{db}")
    assert lock_is_free(engine) is True
    with session_factory(engine)() as s:
        lines = status_lines(s, lock_free=lock_is_free(engine))
    engine.dispose()
    assert " interrupted " in lines[2] and "no process holds the run lock" in lines[3]


def test_status_shows_a_running_run_as_running_while_it_holds_the_lock(tmp_path):
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    with session_factory(engine)() as s, s.begin():
        s.execute(text("INSERT INTO runs (started_at, status, pipeline_version) "
                       "VALUES (CURRENT_TIMESTAMP, 'running', '0.1.0')"))
    with run_lock(engine):
        assert lock_is_free(engine) is False
        with session_factory(engine)() as s:
            assert " running " in status_lines(s, lock_free=lock_is_free(engine))[2]
    assert lock_is_free(engine) is True
    engine.dispose()
    from click.testing import CliRunner

    from pipeline import cli as jixiao

    r = CliRunner().invoke(jixiao, ["status", "--db", str(tmp_path / "j.sqlite")])
    assert r.exit_code == 0 and " interrupted " in r.output


def test_a_database_under_two_names_has_one_run_lock(tmp_path):
    from db.ingest import RunBusy

    real = tmp_path / "data" / "j.sqlite"
    real.parent.mkdir()
    engine = open_db(f"sqlite:///{real}")
    (tmp_path / "link.sqlite").symlink_to(real)
    (tmp_path / "folder-link").symlink_to(real.parent, target_is_directory=True)
    corpus(tmp_path / "in")
    with run_lock(engine):
        for name in (tmp_path / "link.sqlite", tmp_path / "folder-link" / "j.sqlite"):
            other = open_db(f"sqlite:///{name}")
            with pytest.raises(RunBusy):
                ingest_paths(other, [tmp_path / "in"],
                             limits=Limits(file_seconds=0, worker_memory_bytes=0))
            other.dispose()
    engine.dispose()


# ---------------------------------------------------------------- file names

def _gbk_corpus(base: Path) -> tuple[bytes, bytes]:
    """A folder from a GBK share: a report and an empty file whose names are GBK
    bytes (not UTF-8), one inside a folder whose name is GBK too."""
    root = os.fsencode(base)
    folder = root + b"/" + "绩效报告".encode("gbk")
    os.makedirs(folder)
    report = folder + b"/" + "自评报告".encode("gbk") + b".txt"
    with open(report, "wb") as fh:
        fh.write(SAMPLES[0].read_bytes())
    with open(root + b"/" + "空白".encode("gbk") + b".txt", "wb"):
        pass
    shutil.copyfile(SAMPLES[1], base / "good.txt")
    return report, folder


@pytest.mark.parametrize("limits", [Limits(), Limits(file_seconds=0, worker_memory_bytes=0)],
                         ids=["workers", "in-process"])
def test_names_that_are_not_utf8_are_read_stored_and_reported(tmp_path, limits):
    base = tmp_path / "share"
    base.mkdir()
    report, _ = _gbk_corpus(base)
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    lines: list[str] = []
    summary = ingest_paths(engine, [base], echo=lines.append, workers=1, limits=limits)
    assert summary.new == 2 and len(summary.quarantined) == 1
    # stored and shown as the bytes read as UTF-8, each byte that is no UTF-8 as \\xNN
    blank = ("空白".encode("gbk") + b".txt").decode("utf-8", "backslashreplace")
    folder = "绩效报告".encode("gbk").decode("utf-8", "backslashreplace")
    name = ("自评报告".encode("gbk") + b".txt").decode("utf-8", "backslashreplace")
    assert "\\xbf" in blank and "\\xd7" in name  # escaped, not lost
    assert summary.quarantined[0].path == f"{base}/{blank}"
    assert "empty" in summary.quarantined[0].error
    assert lines == [f"jixiao: {base}/{blank}: {summary.quarantined[0].error}"]
    with session_factory(engine)() as s:
        paths = set(s.scalars(select(File.path)))
        docs = export_documents(s)["documents"]
        status = "\n".join(status_lines(s))
    assert paths == {f"{base}/{blank}", f"{base}/{folder}/{name}", f"{base}/good.txt"}
    assert f"{base}/{blank}" in status
    assert name in {d["source"]["file"] for d in docs}
    # the next run knows them: skipped, nothing missing, nothing new
    again = ingest_paths(engine, [base], workers=1, limits=limits)
    assert (again.new, again.skipped, again.missing) == (0, 3, 0)
    # a changed one is re-read under its real name; a removed one is marked missing
    os.utime(report, ns=(1_000_000_000, 1_000_000_000))
    with open(report, "ab") as fh:
        fh.write(b"\n")
    os.utime(report, ns=(1_000_000_000, 1_000_000_000))
    os.remove(os.fsencode(base) + b"/" + "空白".encode("gbk") + b".txt")
    third = ingest_paths(engine, [base], workers=1, limits=limits)
    assert (third.changed, third.missing, third.quarantined) == (1, 1, [])
    engine.dispose()


def test_the_command_line_takes_a_folder_whose_name_is_not_utf8(tmp_path):
    base = tmp_path / "share"
    base.mkdir()
    _, folder = _gbk_corpus(base)
    proc = subprocess.run([os.fsencode(sys.executable), os.fsencode(ROOT / "pipeline.py"),
                           b"ingest", folder, b"--db", os.fsencode(tmp_path / "j.sqlite")],
                          cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(b"run 1: 1 files: 1 new") and b"Traceback" not in proc.stderr
    status = subprocess.run([sys.executable, str(ROOT / "pipeline.py"), "status", "--db",
                             str(tmp_path / "j.sqlite")], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert status.returncode == 0 and "Traceback" not in status.stderr


def test_files_are_dealt_to_every_worker_before_any_gets_a_second():
    """Two scans on two workers are read side by side: a worker's second
    (queued) file comes only after every worker has one."""
    from collections import deque

    from db.pool import Pool, _Worker
    from extract.limits import Limits

    class Conn:
        def __init__(self):
            self.sent = []

        def send(self, job):
            self.sent.append(job)

    pool = Pool(2, Limits())
    pool.workers = [_Worker(proc=None, conn=Conn()), _Worker(proc=None, conn=Conn())]
    queue = deque([("scan1", 0), ("scan2", 0)])
    pool._assign(queue)
    assert [w.conn.sent for w in pool.workers] == [["scan1"], ["scan2"]]
    queue.extend([("a", 0), ("b", 0), ("c", 0)])
    pool._assign(queue)
    assert [w.conn.sent for w in pool.workers] == [["scan1", "a"], ["scan2", "b"]]
    assert list(queue) == [("c", 0)]
