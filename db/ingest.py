"""Ingest runs: paths -> (skip | read, parse in workers) -> store, one file at a time.

A run, in order:

1. walk the paths and take the run lock (one run per database at a time);
2. record the run in `runs` (db/runs.py), marking runs that died earlier
   'interrupted';
3. stat every file and compare with its stored row: same path, size, mtime
   and pipeline version means unchanged, skipped without being read (an
   unchanged file in quarantine stays there: it is retried only when it or
   the pipeline changes). Stored files under a walked folder that no longer
   exist are marked missing, not deleted;
4. send the rest to worker processes, which hash the bytes (a touched but
   identical file is then skipped too), read and parse;
5. store each result from this process, in one transaction per file that
   also bumps the run's counters: a run killed at any moment leaves every
   file either fully stored or untouched, and the counters exact;
6. rebuild the derived tables (analysis/derive.py) if what they derive from
   changed, so the read commands, which never write, find them current;
7. close the run with its status.

Each write transaction checks first that the run still holds its lock
(db/session.py `HeldLock.check`: a PostgreSQL server can close the lock's
connection under a run). A run that lost it, or whose database fails while
storing (the server gone or restarted, a concurrent writer's duplicate key),
stops there with RunStopped: the file it was storing is left as it was, to
be stored by the next run, never quarantined, since nothing is wrong with
it. The run's row records the failure whenever the database still answers.

Why the parent stores: SQLite has one writer, so workers writing would only
queue on its lock; one storing process keeps every transaction short and
the same code serves PostgreSQL. Parsing is where the time goes (store is a
few per cent of a file's cost), so one writer does not limit the speed.
"""
from __future__ import annotations

import dataclasses
import os
import re
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import Engine, select, update
from sqlalchemy import exc as sa_exc

import extract
from db import PIPELINE_VERSION
from db.loader import quarantine_file, store_file
from db.models import File
from db.runs import (RunBusy, RunStopped, bump, database_trouble, db_message, end_failed_run,
                     end_run, start_run, take_run_lock, write)
from db.runs import now as _now
from db.session import HeldLock, LockLost, session_factory
from db.pool import Pool
from db.worker import Job, Result, fewer_collections, process, sha256_of
from extract.limits import Limits
from extract.names import printable

# A file modified this close to its stat may change again within the same
# mtime tick, unseen; such files get no stored mtime, so the next run hashes.
RACY_NS = 2_000_000_000
CHUNK = 500  # paths per IN (...) list


@dataclass
class Failure:
    path: str  # as the user gave or the walk found it
    stage: str  # extract, parse, store
    error: str


@dataclass
class IngestSummary:
    run_id: int | None = None
    found: int = 0  # files the walk found (and named files)
    new: int = 0
    changed: int = 0  # content changed since stored
    reparsed: int = 0  # same content, stored by another pipeline version
    skipped: int = 0  # unchanged
    missing: int = 0  # stored files found gone by this run
    documents: int = 0  # documents stored by this run
    ignored: int = 0  # folder entries whose suffix no extractor reads
    quarantined: list[Failure] = field(default_factory=list)  # failed in this run
    still_quarantined: int = 0  # unchanged files in quarantine, not retried
    seconds: float = 0.0

    @property
    def files(self) -> int:
        """Files stored by this run."""
        return self.new + self.changed + self.reparsed

    @property
    def in_quarantine(self) -> int:
        return len(self.quarantined) + self.still_quarantined

    @property
    def exit_code(self) -> int:
        """0 every file ingested or skipped, 1 some in quarantine."""
        return 1 if self.in_quarantine else 0

    def line(self) -> str:
        return (f"run {self.run_id}: {self.found} files: {self.new} new, "
                f"{self.changed} changed, {self.reparsed} re-parsed, {self.skipped} skipped, "
                f"{len(self.quarantined)} failed, {self.missing} missing; "
                f"{self.documents} documents stored, {self.in_quarantine} in quarantine "
                f"({self.seconds:.1f} s)")


def default_workers() -> int:
    """One per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _wanted(name: str, suffixes: set[str]) -> bool:
    # Folders hold stray files (Thumbs.db, .DS_Store); suffix-less files are
    # tried because pasted reports are often saved without one.
    if name.startswith("."):
        return False
    suffix = Path(name).suffix.lower()
    return suffix == "" or suffix in suffixes


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], int]:
    """Files to ingest, in a stable order, and how many folder entries were skipped.

    Named files are always attempted; folders are walked recursively, hidden
    entries are ignored. A file reached twice is ingested once.
    """
    suffixes = {s.lower() for s in extract.supported_suffixes()}
    found: list[Path] = []
    skipped = 0
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                full = Path(root) / name
                if _wanted(name, suffixes) and full.is_file():
                    found.append(full)
                elif not name.startswith("."):
                    skipped += 1
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _chunks(items: list, n: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


# ---------------------------------------------------------------- planning

@dataclass
class _Plan:
    jobs: list[Job]
    skipped: int = 0
    still_quarantined: int = 0
    reappeared: list[str] = field(default_factory=list)  # unchanged, were marked missing
    gone: list[str] = field(default_factory=list)  # stored, under a walked folder, absent now
    stat_failures: list[tuple[Path, str]] = field(default_factory=list)


def _escapes_root(path: Path, resolved: str, roots: list[str]) -> str | None:
    """A link inside a walked folder that leads out of it is refused: the folder is the boundary."""
    inside = [r for r in roots if os.path.join(os.path.abspath(path.parent), "").startswith(r)]
    if not inside or any(resolved.startswith(r) for r in inside):
        return None
    return f"symbolic link leading out of the ingest folder (to {resolved}); not read"


def _plan(Session, files: list[Path], roots: list[str], version: str, t0_ns: int) -> _Plan:
    with Session() as s:
        known = {row.path: row for row in s.execute(select(
            File.path, File.sha256, File.size, File.mtime_ns, File.pipeline_version,
            File.status, File.missing_since))}
    plan = _Plan(jobs=[])
    seen: set[str] = set()  # as stored: printable
    for path in files:
        key = str(path.resolve())  # the real name, to open the file by
        stored = printable(key)  # the name in the database (\xNN for bytes that are no UTF-8)
        seen.add(stored)
        escape = _escapes_root(path, key, roots)
        if escape:
            plan.stat_failures.append((path, escape))
            continue
        try:
            st = os.stat(key)
        except OSError as exc:
            plan.stat_failures.append((path, exc.strerror or str(exc)))
            continue
        size, mtime = st.st_size, st.st_mtime_ns
        if mtime >= t0_ns - RACY_NS:
            mtime = None  # racily clean: store no mtime, so the next run hashes
        row = known.get(stored)
        if row is None:
            plan.jobs.append(Job(key, str(path), size, mtime, None, "new"))
            continue
        same_version = row.pipeline_version == version
        if (same_version and mtime is not None and row.mtime_ns == mtime
                and row.size == size):
            plan.skipped += 1
            plan.still_quarantined += row.status == "quarantined"
            if row.missing_since is not None:
                plan.reappeared.append(stored)
            continue
        if same_version:  # stat differs: hash, and parse only if the bytes did change
            plan.jobs.append(Job(key, str(path), size, mtime, row.sha256, "changed"))
        else:  # a new pipeline re-parses everything, so a parser fix reaches old data
            plan.jobs.append(Job(key, str(path), size, mtime, None, "reparsed"))
    shown_roots = [printable(root) for root in roots]
    for key, row in known.items():
        if (key not in seen and row.missing_since is None
                and any(key.startswith(root) for root in shown_roots)
                and not os.path.lexists(key) and not os.path.lexists(_unprintable(key))):
            plan.gone.append(key)
    return plan


def _unprintable(stored: str) -> str:
    """The real name of a stored path that `printable` escaped (a name that
    really holds the text \\xNN is also tried as it is, by the caller)."""
    if "\\x" not in stored:
        return stored
    parts = re.split(r"((?:\\x[0-9a-f]{2})+)", stored)
    raw = b"".join(bytes.fromhex(part.replace("\\x", "")) if i % 2 else part.encode("utf-8")
                   for i, part in enumerate(parts))
    return os.fsdecode(raw)


def _apply_plan(Session, lock: HeldLock, run_id: int, plan: _Plan, found: int) -> None:
    """Record the skips and the missing marks in one transaction."""
    now = _now()
    with write(Session, lock) as s:
        for chunk in _chunks(plan.gone):
            s.execute(update(File).where(File.path.in_(chunk)).values(missing_since=now))
        for chunk in _chunks(plan.reappeared):
            s.execute(update(File).where(File.path.in_(chunk)).values(missing_since=None))
        bump(s, run_id, files=found, skipped=plan.skipped, missing=len(plan.gone))


# ---------------------------------------------------------------- workers

def _hash_first(jobs: list[Job]) -> tuple[list[Result], list[Job]]:
    """Touched files whose digest is known are hashed here (disk speed, no
    worker start-up): identical ones are done, the rest go to the workers."""
    done, rest = [], []
    for job in jobs:
        if job.known_sha is None or (job.size or 0) > extract.LIMITS.max_file_bytes:
            rest.append(job)
            continue
        try:
            sha = sha256_of(job.key)
        except OSError:
            sha = None  # the worker will fail on it with the proper message
        if sha == job.known_sha:
            done.append(Result(job, "same", sha256=sha))
        else:
            rest.append(dataclasses.replace(job, known_sha=None))
    return done, rest


def _results(work: tuple[list[Result], list[Job]], workers: int,
             limits: Limits, executor=None, on_page=None) -> Iterator[Result]:
    """Results in completion order: from worker processes under the per-file
    limits (db/pool.py), one worker for `workers` 1; in this process only when
    one worker suffices and no limit is on (both settings 0). An `executor`
    (db/cluster.py: Dask) replaces the local pool: its `results(jobs, limits)`
    yields the same Results in completion order and stops its work when closed.
    `on_page(job, k, n)`: (0, 0) as a file's reading starts, (k, n) as page k
    of n is read, locally (workers or this process)."""
    ready, jobs = work
    yield from ready
    if not jobs:
        return
    if executor is not None:
        # A cluster's progress is whole files only: the pages a Dask worker's
        # worker process reads are not sent back to this process.
        with closing(executor.results(jobs, limits)) as results:
            yield from results
        return
    if workers <= 1 and not limits.watched:
        for job in jobs:
            if on_page is None:
                yield process(job)
                continue
            on_page(job, 0, 0)
            yield process(job, on_page=lambda k, n, job=job: on_page(job, k, n))
        return
    pool = Pool(min(workers, len(jobs)), limits, on_page=on_page)
    with closing(pool.results(jobs)) as results:
        yield from results


# ---------------------------------------------------------------- storing

def _store(Session, lock: HeldLock, run_id: int, res: Result, version: str,
           summary: IngestSummary, echo, local: bool = False) -> None:
    """Store one file's result in its own transaction. `local`: the result
    comes from this machine's workers, which hand in each job once, so the
    exactly-once check a cluster needs (a task run twice) is skipped, and a
    file new to the database (the plan found no row under the run lock) has no
    rows to drop first."""
    job = res.job
    if res.outcome == "same":
        with write(Session, lock) as s:
            stored = printable(job.key)
            s.execute(update(File).where(File.path == stored).values(
                size=job.size, mtime_ns=job.mtime_ns, missing_since=None))
            status = s.scalar(select(File.status).where(File.path == stored))
            bump(s, run_id, skipped=1)
        summary.skipped += 1
        summary.still_quarantined += status == "quarantined"
        return
    if res.outcome == "parsed":
        try:
            with write(Session, lock) as s:
                if not local and _stored_by(s, run_id, res, version):
                    return  # a late duplicate (a cluster task run twice): stored once
                store_file(s, res.extracted, res.records, version, size=job.size,
                           mtime_ns=job.mtime_ns, run_id=run_id,
                           new=local and job.kind == "new")
                bump(s, run_id, **{job.kind: 1, "documents": len(res.records)})
        except LockLost:
            raise
        except Exception as exc:  # the transaction rolled back: nothing of it stays
            if database_trouble(exc):
                raise RunStopped(f"database error while storing {printable(job.shown)}: "
                                 f"{db_message(exc)}") from exc
            msg = " ".join(f"{type(exc).__name__}: {exc}".split())
            res = Result(job, "failed", sha256=res.sha256, stage="store",
                         error=f"store failed: {msg}")
        else:
            setattr(summary, job.kind, getattr(summary, job.kind) + 1)
            summary.documents += len(res.records)
            return
    _quarantine(Session, lock, run_id, job.key, job.shown, res.sha256, res.stage, res.error,
                version, summary, echo, size=job.size, mtime_ns=job.mtime_ns)


def _stored_by(s, run_id: int, res: Result, version: str) -> bool:
    """Exactly once: has this run already stored these very bytes for this file?"""
    f = File.__table__  # Core, not the ORM's select: once per file of a run
    row = s.connection().execute(select(f.c.sha256, f.c.pipeline_version, f.c.run_id)
                                 .where(f.c.path == printable(res.job.key))).first()
    return (row is not None and row.run_id == run_id and row.sha256 == res.sha256
            and row.pipeline_version == version)


def _quarantine(Session, lock, run_id, key, shown, sha, stage, error, version, summary, echo,
                *, size=None, mtime_ns=None, digest=True) -> None:
    if sha is None and digest and (size or 0) <= extract.LIMITS.max_file_bytes:
        # Refused as too large: no digest either (hashing 2 GB takes seconds);
        # the stat alone keeps it skipped until it changes.
        try:
            sha = sha256_of(key)
        except OSError:
            sha = None  # unreadable bytes: no digest
    shown, error = printable(shown), printable(error)
    with write(Session, lock) as s:
        quarantine_file(s, printable(key), printable(Path(key).name), sha, stage, error,
                        version, size=size, mtime_ns=mtime_ns, run_id=run_id)
        bump(s, run_id, failed=1)
    summary.quarantined.append(Failure(shown, stage, error))
    if echo:
        echo(f"jixiao: {shown}: {error}")


# ---------------------------------------------------------------- the run

def ingest_paths(
    engine: Engine,
    paths: Iterable[str | Path],
    echo: Callable[[str], None] | None = None,
    *,
    pipeline_version: str = PIPELINE_VERSION,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    wait: float = 0.0,
    limits: Limits | None = None,
    executor=None,
    on_wait: Callable[[str], None] | None = None,
) -> IngestSummary:
    """One ingest run over files and folders (see the module docstring).

    `echo` receives one line per quarantined file; `progress(done, total)`
    is called as files needing work finish. A `progress` that also has
    `file_page(name, k, n)` hears of the files being read: (name, 0, 0) as
    one starts, (name, k, n) as its page k of n is read (PDF pages, OCR'd
    pages, image frames; a few times a second at most), and, with
    `file_done(name)`, when it is read (before it is stored and counted); the
    name is the path as found, printable. Not on a cluster (`executor`): whole
    files only there. Raises RunBusy if another run holds the database for
    longer than `wait` seconds; `on_wait(line)` is called once before waiting
    with the line naming that run and how long this one waits at most (db/runs.py
    `take_run_lock`). `limits` (default: the
    settings, read from the environment now) bounds each file's time and its
    worker's memory. `executor` (db/cluster.py `DaskExecutor`) reads and
    parses elsewhere instead of the local workers; all else stays the same.
    """
    limits = Limits.from_env() if limits is None else limits
    t0, t0_ns = time.monotonic(), time.time_ns()
    paths = list(paths)
    Session = session_factory(engine)
    files, ignored = collect_paths(paths)
    roots = [os.path.join(str(Path(p).resolve()), "") for p in paths if Path(p).is_dir()]
    lock, held = take_run_lock(engine, Session, wait, on_wait)
    try:
        run_id = start_run(Session, held, paths, executor.workers if executor else workers,
                           pipeline_version)
        summary = IngestSummary(run_id=run_id, found=len(files), ignored=ignored)
        try:
            try:
                with fewer_collections():  # db/worker.py: the collector's walks were 15% of a run
                    _run(Session, held, run_id, files, roots, pipeline_version, t0_ns, summary,
                         echo, workers, progress, limits, executor)
                    # The derived tables (regions, concepts, search index), still under the
                    # run lock: read commands never build them (analysis/derive.py).
                    from analysis.derive import refresh

                    refresh(engine, lock=held)
            except LockLost as exc:
                raise RunStopped(str(exc)) from exc
            except sa_exc.SQLAlchemyError as exc:
                if not database_trouble(exc):
                    raise
                raise RunStopped(f"database error: {db_message(exc)}") from exc
        except KeyboardInterrupt:
            end_run(Session, run_id, "interrupted")
            raise
        except RunStopped as exc:
            exc.run_id, exc.stored = run_id, summary.files
            end_failed_run(Session, run_id, exc.reason)
            raise
        except BaseException as exc:
            end_failed_run(Session, run_id, " ".join(f"{type(exc).__name__}: {exc}".split()))
            raise
        end_run(Session, run_id, "quarantined" if summary.in_quarantine else "ok")
    except LockLost as exc:  # lost between taking it and recording the run
        raise RunStopped(str(exc)) from exc
    finally:
        lock.__exit__(None, None, None)
    summary.seconds = time.monotonic() - t0
    return summary


def _run(Session, held: HeldLock, run_id: int, files: list[Path], roots: list[str],
         version: str, t0_ns: int, summary: IngestSummary, echo, workers: int, progress,
         limits: Limits, executor=None) -> None:
    """Steps 3 to 5 of a run (the module docstring), counted into `summary`."""
    plan = _plan(Session, files, roots, version, t0_ns)
    _apply_plan(Session, held, run_id, plan, len(files))
    summary.skipped, summary.missing = plan.skipped, len(plan.gone)
    summary.still_quarantined = plan.still_quarantined
    for path, reason in plan.stat_failures:
        _quarantine(Session, held, run_id, str(path.resolve()), str(path), None, "extract",
                    reason, version, summary, echo, digest=False)
    total = len(plan.jobs)
    if progress:
        progress(0, total)
    file_page, file_done = (getattr(progress, "file_page", None),
                            getattr(progress, "file_done", None))
    on_page = None if file_page is None else (
        lambda job, k, n: file_page(printable(job.shown), k, n))
    # closing: a run that stops on an error stops its workers now, not when
    # the exception is collected
    with closing(_results(_hash_first(plan.jobs), workers, limits, executor,
                          on_page)) as results:
        for done, res in enumerate(results, 1):
            if file_done is not None:
                file_done(printable(res.job.shown))
            _store(Session, held, run_id, res, version, summary, echo, local=executor is None)
            if progress:
                progress(done, total)
