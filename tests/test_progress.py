"""An ingest's progress: pages of the file being read, plain lines or rich, and --wait's line.

A long file (an OCR'd scan) is made by a hook that reports pages slowly
before the real extractor reads the file: in a worker process through
JIXIAO_WORKER_HOOK (db/worker.py `_run_hook`), in this process by replacing
extract.read_file. Its first line says how many pages and how slowly:

    #jixiao-pages 4 0.6      (4 pages, 0.6 s each)
"""
from __future__ import annotations

import io
import re
import shutil
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

import extract
from db.ingest import ingest_paths
from db.models import Run
from db.runs import now
from db.session import open_db, run_lock, session_factory
from extract.limits import Limits
from pipeline import Progress, cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "a_cell_per_line_selfeval.txt"
PDF = ROOT / "samples" / "formats" / "pdf" / "000_f22173ecc6795b81.pdf"  # 3 pages, a text layer

HOOK = '''
import os
import time

import extract
from extract.progress import page_done

MAGIC = b"#jixiao-pages "
_read_file = extract.read_file


def read_file(path):
    with open(os.fspath(path), "rb") as fh:
        head = fh.readline()
    if head.startswith(MAGIC):
        n, pause = head[len(MAGIC):].split()
        for k in range(1, int(n) + 1):
            time.sleep(float(pause))
            page_done(k, int(n))
    return _read_file(path)


if __name__ == "jixiao_worker_hook":  # imported by a worker (JIXIAO_WORKER_HOOK)
    extract.read_file = read_file
'''


def slow_scan(folder: Path, pages: int = 4, pause: float = 0.6) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scan.txt"
    path.write_bytes(f"#jixiao-pages {pages} {pause}\n".encode() + SAMPLE.read_bytes())
    return path


class Recorder:
    """A progress that keeps what ingest_paths told it, in order."""

    def __init__(self):
        self.events: list[tuple] = []

    def __call__(self, done, total):
        self.events.append(("files", done, total))

    def file_page(self, name, k, n):
        self.events.append(("page", Path(name).name, k, n))

    def file_done(self, name):
        self.events.append(("done", Path(name).name))


# ---------------------------------------------------------------- pages, plain lines

READING_LINE = re.compile(r"^jixiao: 0/1 files read \(0%\), 0\.0 files/s; "
                          r"reading \S*scan\.txt: page ([1-3]) of 4$", re.M)


def test_a_worker_reading_a_long_file_reports_its_pages_before_it_is_done(tmp_path,
                                                                            monkeypatch):
    hook = tmp_path / "hook.py"
    hook.write_text(HOOK)
    slow_scan(tmp_path / "in")
    monkeypatch.setenv("JIXIAO_WORKER_HOOK", str(hook))
    monkeypatch.setenv("JIXIAO_PROGRESS_EVERY", "0.2")
    r = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--workers", "1",
                                 "--db", str(tmp_path / "j.sqlite")])
    assert r.exit_code == 0, r.output + r.stderr
    assert "1 new" in r.stdout
    # lines while the file was being read (0 of 1 done), its pages counting up
    pages = [int(k) for k in READING_LINE.findall(r.stderr)]
    assert pages and pages == sorted(pages), r.stderr
    assert "\x1b[" not in r.stderr  # no terminal: no rich


def test_in_process_reading_reports_pages_too(tmp_path, monkeypatch):
    namespace: dict = {"__name__": "in_process"}
    exec(HOOK, namespace)
    monkeypatch.setattr(extract, "read_file", namespace["read_file"])
    monkeypatch.setenv("JIXIAO_FILE_TIMEOUT", "0")
    monkeypatch.setenv("JIXIAO_WORKER_MEMORY_MB", "0")  # with --workers 1: in this process
    monkeypatch.setenv("JIXIAO_PROGRESS_EVERY", "0.2")
    slow_scan(tmp_path / "in")
    r = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--workers", "1",
                                 "--db", str(tmp_path / "j.sqlite")])
    assert r.exit_code == 0, r.output + r.stderr
    assert READING_LINE.search(r.stderr), r.stderr


@pytest.mark.parametrize("where", ["in this process", "in a worker"])
def test_a_pdf_s_pages_reach_the_progress(tmp_path, where):
    """The real PDF extractor's page loop, through both ways of reading."""
    shutil.copyfile(PDF, tmp_path / "report.pdf")
    engine = open_db(f"sqlite:///{tmp_path / 'j.sqlite'}")
    limits = Limits(file_seconds=0, worker_memory_bytes=0) if where == "in this process" \
        else Limits(file_seconds=60, worker_memory_bytes=0)
    rec = Recorder()
    summary = ingest_paths(engine, [tmp_path / "report.pdf"], workers=1, limits=limits,
                           progress=rec)
    engine.dispose()
    assert summary.new == 1
    events = rec.events
    assert events[0] == ("files", 0, 1) and events[-1] == ("files", 1, 1)
    assert events[1] == ("page", "report.pdf", 0, 0)  # started
    pages = [e[2:] for e in events if e[0] == "page"][1:]
    assert pages[0] == (1, 3) and pages[-1] == (3, 3), events  # first and last always
    assert events[-2] == ("done", "report.pdf")  # read, then counted


def test_a_plain_line_every_so_often_while_no_file_finishes():
    out = io.StringIO()
    progress = Progress(out, every=0.1)
    assert not progress.tty
    progress(0, 35)
    progress.file_page("scans/report.pdf", 12, 40)
    progress.file_page("b.docx", 0, 0)
    threading.Event().wait(0.35)
    progress.close()
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2
    assert set(lines) == {"jixiao: 0/35 files read (0%), 0.0 files/s; "
                          "reading scans/report.pdf: page 12 of 40, b.docx"}
    progress.file_done("scans/report.pdf")
    assert "scans/report.pdf" not in progress.line()


# ---------------------------------------------------------------- a terminal: rich

class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_rich_draws_the_files_and_pages_and_vanishes_on_close():
    out = FakeTty()
    stderr = sys.stderr
    progress = Progress(out, every=0.1)
    assert progress.tty
    progress(0, 2)
    progress.file_page("scans/report.pdf", 0, 0)
    progress.file_page("scans/report.pdf", 12, 40)
    progress.rich.refresh()
    drawn = out.getvalue()
    assert "\x1b[" in drawn  # drawn for a terminal
    assert "ingest" in drawn and "scans/report.pdf" in drawn and "page 12 of 40" in drawn
    assert "0/2 files" in drawn
    progress.file_done("scans/report.pdf")
    progress.echo("jixiao: scans/report.pdf: a quarantined file's line [not markup]")
    assert "jixiao: scans/report.pdf: a quarantined file's line [not markup]\n" in \
        out.getvalue()[len(drawn):]  # printed above the display, whole
    progress(1, 2)
    progress.close()
    assert progress.rich is None
    assert sys.stderr is stderr  # the redirection rich made while drawing is undone
    assert out.getvalue().endswith("\x1b[2K")  # its lines erased: nothing left behind
    assert "files read" not in out.getvalue()  # no plain lines on a terminal


# ---------------------------------------------------------------- --wait

@pytest.fixture
def held(tmp_path):
    """A database held by another run: pid 4242 on elsewhere, as its row says."""
    db = str(tmp_path / "j.sqlite")
    engine = open_db(f"sqlite:///{db}")
    with session_factory(engine)() as s, s.begin():
        s.add(Run(started_at=now(), status="running", pipeline_version="x",
                  host="elsewhere", pid=4242))
    lock = run_lock(engine)
    lock.__enter__()
    try:
        yield db, lock
    finally:
        lock.__exit__(None, None, None)
        engine.dispose()


WAITING = re.compile(r"^jixiao: waiting up to 1\.5 s for run 1 \(pid 4242 on elsewhere, "
                     r"started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\) to finish$", re.M)


@pytest.mark.parametrize("command", ["ingest", "upgrade"])
def test_wait_says_for_whom_it_waits_then_gives_up(tmp_path, held, command):
    db, _ = held
    slow_scan(tmp_path / "in", pages=0)
    args = [command, str(tmp_path / "in")] if command == "ingest" else [command]
    r = CliRunner().invoke(cli, [*args, "--db", db, "--wait", "1.5"])
    assert r.exit_code == 3, r.output + r.stderr
    assert len(WAITING.findall(r.stderr)) == 1, r.stderr
    assert r.stderr.index("waiting up to") < r.stderr.index(
        "another ingest run is using this database: run 1, pid 4242 on elsewhere")


def test_wait_that_gets_the_lock_says_nothing_more(tmp_path, held):
    db, lock = held
    slow_scan(tmp_path / "in", pages=0)
    threading.Timer(2.0, lambda: lock.__exit__(None, None, None)).start()
    r = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in"), "--db", db, "--wait", "20",
                                 "--workers", "1"],
                           env={"JIXIAO_FILE_TIMEOUT": "0", "JIXIAO_WORKER_MEMORY_MB": "0"})
    assert r.exit_code == 0, r.output + r.stderr
    assert r.stderr.splitlines()[0].startswith("jixiao: waiting up to 20 s for run 1 (pid 4242 "
                                               "on elsewhere, started ")
    assert len(r.stderr.splitlines()) == 1, r.stderr
    assert "1 new" in r.stdout


def test_no_wait_no_waiting_line(tmp_path, held):
    db, _ = held
    r = CliRunner().invoke(cli, ["upgrade", "--db", db])
    assert r.exit_code == 3
    assert "waiting" not in r.stderr and "pid 4242 on elsewhere" in r.stderr
