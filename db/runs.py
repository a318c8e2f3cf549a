"""A run's row in `runs`, its write transactions, and how it ends when its database fails.

The row is written at the start (`start_run`), bumped inside each file's
transaction (`bump`), and closed at the end (`end_run`). Every write of a
run goes through `write`, which checks the run still holds its lock first.
A run that stops on its database (RunStopped) still records its failure
whenever the database answers (`end_failed_run`). A run takes the run lock
with `take_run_lock`, which names the run holding it when it must wait or give up.
"""
from __future__ import annotations

import os
import socket
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update

from db.models import Run
from db.session import Busy, HeldLock, run_lock
from extract.limits import show_seconds
from extract.names import printable


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC, as in loader


class RunBusy(Exception):
    """Another run holds the database; the message says which."""


class RunStopped(Exception):
    """The run stopped part-way on its database (lock lost, or a database
    error); str() is the one line for the user, `reason` what the run's row records."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.run_id: int | None = None
        self.stored = 0

    def __str__(self) -> str:
        who = "the run" if self.run_id is None else f"run {self.run_id}"
        return (f"{who} stopped: {self.reason}; {self.stored} files stored by it, "
                "the rest left as they were for the next run")


# Errors that say the database went away or another writer got in, not that
# this file's data cannot be stored: they end the run (the file untouched,
# retried next time) and never quarantine a good file. DataError, a NOT NULL
# or CHECK violation and the like come from the file's own values and do
# quarantine it: they would recur on every run.
_DATABASE_TROUBLE = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.InternalError,
                     sa_exc.DisconnectionError, sa_exc.TimeoutError, sa_exc.PendingRollbackError)
# A duplicate key, or a referenced row gone: only another writer does that
# to the rows of one run (PostgreSQL SQLSTATEs; SQLite extended result codes).
_CONCURRENT_STATES = {"23505", "23503"}
_CONCURRENT_SQLITE = {2067, 1555, 787}  # CONSTRAINT_UNIQUE, _PRIMARYKEY, _FOREIGNKEY


def database_trouble(exc: BaseException) -> bool:
    """Does `exc` end the run (the database's fault) rather than quarantine the file?"""
    if isinstance(exc, sa_exc.IntegrityError):
        orig = exc.orig
        state = getattr(orig, "sqlstate", None)
        if state is not None:
            return state in _CONCURRENT_STATES
        code = getattr(orig, "sqlite_errorcode", None)
        if code is not None:
            return code in _CONCURRENT_SQLITE
        return any(w in str(orig).lower() for w in ("unique", "duplicate", "foreign key"))
    return isinstance(exc, _DATABASE_TROUBLE) or bool(getattr(exc, "connection_invalidated", False))


def db_message(exc: BaseException) -> str:
    """The first line of a database error: SQLAlchemy appends the SQL and a link."""
    lines = str(exc).strip().splitlines()
    return " ".join(lines[0].split()) if lines else type(exc).__name__


@contextmanager
def write(Session, lock: HeldLock):
    """One write transaction of the run, the run lock checked first inside it."""
    with Session() as s, s.begin():
        lock.check(s)
        yield s


def bump(session, run_id: int, **counts: int) -> None:
    """Add to the run's counters, inside the caller's (the file's) transaction."""
    if run_id is not None and counts:
        runs = Run.__table__  # Core: the ORM's update would look for loaded Run objects first
        session.execute(update(runs).where(runs.c.id == run_id).values(
            {runs.c[k]: runs.c[k] + v for k, v in counts.items()}))


def start_run(Session, lock: HeldLock, paths: list, workers: int, version: str) -> int:
    with write(Session, lock) as s:
        # We hold the run lock, so any run still 'running' is dead (kill -9,
        # power cut): its files are each stored or not, nothing to repair.
        s.execute(update(Run).where(Run.status == "running").values(status="interrupted"))
        run = Run(started_at=now(), status="running", pipeline_version=version,
                  host=socket.gethostname(), pid=os.getpid(), workers=workers,
                  paths="\n".join(printable(Path(p).resolve()) for p in paths))
        s.add(run)
        s.flush()
        return run.id


def end_run(Session, run_id: int, status: str, error: str | None = None) -> None:
    # No lock check: a run that lost its lock still records its own end.
    with Session() as s, s.begin():
        s.execute(update(Run).where(Run.id == run_id).values(
            status=status, ended_at=now(), error=error))


# A run that failed on its database records that while the database answers
# within this long (a restarting server is back in seconds); after that the
# row stays `running`, which `status` shows as interrupted once the lock is free.
END_PATIENCE = 10.0


def end_failed_run(Session, run_id: int, error: str, patience: float = END_PATIENCE) -> None:
    deadline = time.monotonic() + patience
    while True:
        try:
            end_run(Session, run_id, "failed", error)
            return
        except Exception:
            if time.monotonic() >= deadline:
                return
            time.sleep(0.5)


def _holder(Session) -> Run | None:
    """The run that holds the database, as far as the runs table knows."""
    try:
        with Session() as s:
            return s.scalars(select(Run).where(Run.status == "running")
                             .order_by(Run.id.desc()).limit(1)).first()
    except Exception:
        return None


def describe_holder(Session) -> str:
    """Which run holds the database, as far as the runs table knows."""
    run = _holder(Session)
    if run is None:
        return "another ingest run is using this database"
    return (f"another ingest run is using this database: run {run.id}, pid {run.pid} "
            f"on {run.host}, started {run.started_at:%Y-%m-%d %H:%M:%S} UTC")


def waiting_line(Session, wait: float) -> str:
    """The line a run that waits for the lock says first: how long at most, for whom."""
    run = _holder(Session)
    whom = ("another run holding this database" if run is None
            else f"run {run.id} (pid {run.pid} on {run.host}, "
                 f"started {run.started_at:%Y-%m-%d %H:%M:%S} UTC)")
    return f"jixiao: waiting up to {show_seconds(wait)} for {whom} to finish"


def take_run_lock(engine, Session, wait: float = 0.0,
                  on_wait: Callable[[str], None] | None = None):
    """Enter the database's run lock (db/session.py `run_lock`): its context
    manager, to __exit__ when done, and the HeldLock. RunBusy, naming the
    holder, if another run keeps it past `wait` seconds. `on_wait(line)`:
    called once, before waiting, with the line saying for how long at most
    and for whom (`waiting_line`); not called when the lock is free at once
    (within the lock's grace) or when there is no waiting (`wait` 0)."""
    t0 = time.monotonic()
    first = run_lock(engine, 0.0 if on_wait is not None else wait)
    try:
        return first, first.__enter__()
    except Busy:
        left = wait - (time.monotonic() - t0)
        if on_wait is None or left <= 0:
            raise RunBusy(describe_holder(Session)) from None
    on_wait(waiting_line(Session, wait))
    lock = run_lock(engine, left, grace=0.0)
    try:
        return lock, lock.__enter__()
    except Busy:
        raise RunBusy(describe_holder(Session)) from None
