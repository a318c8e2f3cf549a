"""The part of an ingest that runs in worker processes: read, hash, parse.

Workers never touch the database: they return what the parent stores (see
db/ingest.py for why). Everything here must be picklable both ways and must
not raise: a failure comes back as a result with its stage and message.
"""
from __future__ import annotations

import dataclasses
import gc
import hashlib
import os
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import extract
from extract.errors import InputError
from extract.names import printable
from extract.progress import reporting


@dataclass(frozen=True)
class Job:
    key: str  # the resolved path: one files row per real file
    shown: str  # the path as the user gave it or the walk found it, for messages
    size: int | None  # os.stat before reading
    mtime_ns: int | None
    known_sha: str | None  # stored digest to compare with, when re-parsing would be idle
    kind: str  # new | changed | reparsed (what the stat check expects)


@dataclass
class Result:
    job: Job
    outcome: str  # stored-to-be 'parsed' | 'same' (bytes match known_sha) | 'failed'
    sha256: str | None = None
    extracted: Any = None  # ExtractedFile without blocks (the parent needs only its identity)
    records: Any = None  # list[DocumentRecord]
    stage: str | None = None
    error: str | None = None


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def one_line(text: str) -> str:
    return " ".join(text.split())


def process(job: Job, on_stage: Callable[[str], None] | None = None,
            on_page: Callable[[int, int], None] | None = None) -> Result:
    """Read and parse one file; compare digests first when one is known.

    `on_stage("parse")` is called when reading is done and parsing begins
    (the pool's watchdog names the stage a file was stopped in);
    `on_page(k, n)` as the extractor reads page k of n (extract/progress.py:
    a few times a second at most, the first and the last page always)."""
    if on_page is not None:
        with reporting(on_page):
            return process(job, on_stage)
    import parsers  # late: tests replace parse_file on the module

    stage = "extract"
    sha = None
    try:
        if job.known_sha is not None and (job.size or 0) <= extract.LIMITS.max_file_bytes:
            sha = sha256_of(job.key)
            if sha == job.known_sha:  # touched, not changed: nothing to parse
                return Result(job, "same", sha256=sha)
        extracted = extract.read_file(job.key)
        sha = extracted.sha256
        stage = "parse"
        if on_stage is not None:
            on_stage(stage)
        records = parsers.parse_file(extracted)
        # Blocks can be large and the parent does not need them. The stored
        # path is printable (a name that is no UTF-8 is backslash-escaped).
        extracted = dataclasses.replace(extracted, path=printable(job.key), blocks=[])
        return Result(job, "parsed", sha256=sha, extracted=extracted, records=records)
    except InputError as exc:
        return Result(job, "failed", sha256=sha, stage=exc.stage, error=one_line(str(exc)))
    except Exception as exc:  # a jixiao bug: quarantine, report, go on
        msg = one_line(f"{type(exc).__name__}: {exc}")
        return Result(job, "failed", sha256=sha, stage=stage, error=f"{stage} failed: {msg}")


# Python's cyclic garbage collector by default looks at young objects every
# 700 allocations and, every so often, at all of them: in an ingest that was
# 15% of the CPU, spent walking long-lived objects (the parsers' caches,
# SQLAlchemy's metadata, the records of the file at hand) that parsing never
# makes garbage of; it makes few cycles. Fewer, larger young collections cost
# the same memory to within a file's records.
GC_THRESHOLD = (50_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector at GC_THRESHOLD for the block (an in-process ingest), as it was after."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def init_worker() -> None:
    """Worker start-up: quiet third-party loggers; leave Ctrl-C to the parent;
    the collector tuned, and what is imported by now left out of its walks."""
    import logging
    import signal

    gc.set_threshold(*GC_THRESHOLD)
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass


# ---------------------------------------------------------------- worker processes

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (prctl
    PR_SET_PDEATHSIG), so a run killed with kill -9 or by the OOM killer
    leaves no worker behind. A no-op where prctl does not exist."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return


def _run_hook(hook: str | None) -> None:
    """JIXIAO_WORKER_HOOK: a module name or a .py file, imported by each worker
    at start-up (tests use it to make files that sleep or allocate, to check
    the limits). Unset in production."""
    if not hook:
        return
    import importlib
    import importlib.util

    if hook.endswith(".py"):
        spec = importlib.util.spec_from_file_location("jixiao_worker_hook", hook)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        importlib.import_module(hook)


def serve(conn, parent_pid: int, hook: str | None = None) -> None:
    """A worker process's life: take jobs from `conn` until None or EOF.

    It tells the parent what it is doing, over `conn`, so the parent's
    watchdog (db/pool.py) can time each file and name the stage it stopped
    in, and the run's progress can show how far a long file has got:

    * ("ready",) once, at start-up;
    * per job, in this order: ("start",); ("page", k, n) any number of times
      while reading (page k of the file's n read: extract/progress.py, a few
      a second at most); ("stage", "parse"); ("done", result). No "page"
      for a format without pages, no "stage" when reading fails.

    The parent ignores kinds it does not know; a job's clock starts at "start"."""
    die_with_parent()  # with the forkserver, which dies with the run (db/forkserver_init.py)
    try:
        os.kill(parent_pid, 0)
    except ProcessLookupError:
        os._exit(0)  # the run died before the death signal was armed
    init_worker()
    _run_hook(hook)
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        if job is None:
            return
        conn.send(("start",))
        result = process(job, on_stage=lambda stage: conn.send(("stage", stage)),
                         on_page=lambda k, n: conn.send(("page", k, n)))
        try:
            conn.send(("done", result))
        except (EOFError, OSError, BrokenPipeError):
            return
        except Exception as exc:  # a result that does not pickle: a jixiao bug
            msg = one_line(f"{type(exc).__name__}: {exc}")
            conn.send(("done", Result(job, "failed", sha256=result.sha256, stage="parse",
                                      error=f"parse failed: result not transferable: {msg}")))
