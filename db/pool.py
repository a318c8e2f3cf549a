"""Worker processes under watch: one bad file never stops, hangs or blows up a run.

The parent hands each worker (db/worker.py `serve`) a file at a time, with
one more queued so the worker never waits while the parent stores, and
watches it from outside, so no code a file trips (a backtracking pattern, a
native library that loops or grows) can escape the limits:

* time: a worker that has been on one file longer than `Limits.file_seconds`
  (JIXIAO_FILE_TIMEOUT, 120 s) is killed, the file quarantined "took over
  120 s in parse";
* memory: a worker whose resident set grows over `Limits.worker_memory_bytes`
  (JIXIAO_WORKER_MEMORY_MB, 1536) is killed, the file quarantined "used over
  1.5 GB in extract". The parent reads /proc/PID/statm every POLL seconds (an
  RSS watchdog, not RLIMIT_AS, which counts address space that native
  libraries reserve but never use);
* a worker that dies by itself (a segfault, the OOM killer) gets the file it
  was on retried once in a fresh worker; dying on it again quarantines it.

Workers tell the parent when they start a file and when they start parsing
it, so the file that was stopped, and its stage, are known exactly; files
queued behind it go to another worker untouched. They also say how many of
its pages they have read (db/worker.py `serve` has the messages), which the
pool hands to `on_page(job, k, n)` for the run's progress: (0, 0) when a
file is started, then (k, n) as page k of n is read; pages never move the
watchdog's clock nor its stage. A killed worker is replaced and the run
goes on. Workers fork from a forkserver that has the parsers
imported (never from the parent, with its database connections and threads);
the forkserver and the workers die with the parent (prctl PR_SET_PDEATHSIG).

`Pool.results(jobs)` is a local run's executor (db/ingest.py); `Pool.run(job)`
serves one Dask task at a time on a cluster worker (db/cluster.py) under the
same watch, its worker kept from one task to the next.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_for
from typing import Any, Callable, Iterable, Iterator

from db.worker import Job, Result, serve
from extract.limits import Limits, show_bytes, show_seconds

POLL = 0.05  # s between looks at the workers' clocks and memory
QUEUED = 2  # files sent to a worker at a time: the one it reads and the next
START_FAILURES = 3  # workers dying before they say they are ready: give up
HOOK_ENV = "JIXIAO_WORKER_HOOK"
try:
    PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):
    PAGE = 4096


class WorkersFail(RuntimeError):
    """Worker processes cannot be started (they die before taking a file)."""


def mp_context():
    # forkserver: workers fork from a clean server process that has the
    # parsers imported already, never from this process with its open
    # database connections and threads. spawn where forkserver is missing.
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["db.forkserver_init", "db.worker", "parsers",
                                    "parsers.document"])
        return ctx
    return multiprocessing.get_context("spawn")


def rss_bytes(pid: int) -> int | None:
    """Resident memory of a process (Linux /proc); None where it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return None


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exit code {exitcode}"


@dataclass
class _Worker:
    proc: Any
    conn: Any
    assigned: deque = field(default_factory=deque)  # (job, deaths) sent, not done, in order
    started: float | None = None  # when it began assigned[0]; None while idle
    stage: str = "extract"
    ready: bool = False


class Pool:
    """`results(jobs)`: every job's Result, in completion order, under the limits."""

    def __init__(self, size: int, limits: Limits, ctx=None, hook: str | None = None,
                 on_page: Callable[[Job, int, int], None] | None = None):
        self.size = max(1, size)
        self.limits = limits
        self.on_page = on_page  # (job, 0, 0) as a worker starts it, (job, k, n) per page read
        self.ctx = ctx or mp_context()
        self.hook = hook if hook is not None else os.environ.get(HOOK_ENV) or None
        self.workers: list[_Worker] = []
        self.start_failures = 0
        self.produced = False
        self.replaced = 0  # workers killed by a limit or lost, for the curious

    # ------------------------------------------------------------ workers

    def _spawn(self) -> None:
        parent, child = self.ctx.Pipe(duplex=True)
        proc = self.ctx.Process(target=serve, args=(child, os.getpid(), self.hook),
                                daemon=True, name="jixiao-worker")
        proc.start()
        child.close()  # only the worker holds its end: EOF when it dies
        self.workers.append(_Worker(proc, parent))

    def _stop(self, w: _Worker, kill: bool) -> int | None:
        """End a worker; its exit code (negative: the signal that ended it)."""
        if kill and w.proc.is_alive():
            try:
                os.kill(w.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        w.proc.join(5)
        if w.proc.is_alive():  # should not happen after SIGKILL
            w.proc.kill()
            w.proc.join()
        exitcode = w.proc.exitcode
        w.conn.close()
        w.proc.close()
        self.workers.remove(w)
        return exitcode

    def close(self, kill: bool = False) -> None:
        """Stop every worker: politely at the end of a run, at once on an error."""
        for w in self.workers:
            if not kill:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in list(self.workers):
            if not kill:
                w.proc.join(5)
            self._stop(w, kill=True)

    # ------------------------------------------------------------ the loop

    def results(self, jobs: Iterable[Job]) -> Iterator[Result]:
        queue: deque[tuple[Job, int]] = deque((job, 0) for job in jobs)
        ok = False
        try:
            yield from self._loop(queue)
            ok = True
        finally:
            self.close(kill=not ok)

    def run(self, job: Job) -> Result:
        """One job's Result under the limits, the workers kept for the next
        call: a Dask task (db/cluster.py) hands its file to a watched worker
        of its own without paying a worker start per file."""
        out: list[Result] = []
        try:
            out.extend(self._loop(deque([(job, 0)])))
        except BaseException:
            self.close(kill=True)
            raise
        return out[-1]

    def _loop(self, queue: deque) -> Iterator[Result]:
        while queue or any(w.assigned for w in self.workers):
            for _ in range(min(self.size, len(queue) + sum(1 for w in self.workers
                                                              if w.assigned))
                           - len(self.workers)):
                self._spawn()
            self._assign(queue)
            wait_for([w.conn for w in self.workers], timeout=POLL)
            out: list[Result] = []
            for w in list(self.workers):
                self._read(w, queue, out)
            self._watch(queue, out)
            yield from out

    def _assign(self, queue: deque) -> None:
        # in rounds: a file for every worker before a second one for any, so
        # two scans on two workers are read side by side, not one after the other
        for depth in range(1, QUEUED + 1):
            for w in self.workers:
                if not queue or len(w.assigned) >= depth:
                    continue
                item = queue.popleft()
                try:
                    w.conn.send(item[0])
                except OSError:  # it died: _read finds out and takes its files back
                    queue.appendleft(item)
                    continue
                w.assigned.append(item)

    def _read(self, w: _Worker, queue: deque, out: list[Result]) -> None:
        try:
            while w.conn.poll():
                msg = w.conn.recv()
                kind = msg[0]
                if kind == "ready":
                    w.ready = True
                elif kind == "start":
                    w.started, w.stage = time.monotonic(), "extract"
                    self._page(w, 0, 0)
                elif kind == "page":
                    self._page(w, msg[1], msg[2])
                elif kind == "stage":
                    w.stage = msg[1]
                elif kind == "done":
                    w.assigned.popleft()
                    w.started = None
                    self.produced = True
                    out.append(msg[1])
                    if self._bloated(w):
                        self._retire(w, queue)
                        return
        except (EOFError, OSError):
            self._lost(w, queue, out, None)
            return
        if not w.proc.is_alive() and not w.conn.poll():
            self._lost(w, queue, out, None)

    def _page(self, w: _Worker, k: int, n: int) -> None:
        if self.on_page is not None and w.assigned and w.started is not None:
            self.on_page(w.assigned[0][0], k, n)

    def _bloated(self, w: _Worker) -> bool:
        """Still holding over half the memory limit after a file (Python and
        malloc keep what they once took): the next file would be blamed."""
        memory = self.limits.worker_memory_bytes
        if not memory:
            return False
        rss = rss_bytes(w.proc.pid)
        return rss is not None and rss > memory // 2

    def _retire(self, w: _Worker, queue: deque) -> None:
        """Replace a worker between files; the files queued on it go elsewhere, no one blamed."""
        self._stop(w, kill=True)
        for item in reversed(w.assigned):
            queue.appendleft(item)

    def _watch(self, queue: deque, out: list[Result]) -> None:
        now = time.monotonic()
        seconds, memory = self.limits.file_seconds, self.limits.worker_memory_bytes
        for w in list(self.workers):
            if w.started is None or not w.assigned:
                continue
            reason = None
            if seconds and now - w.started > seconds:
                reason = f"took over {show_seconds(seconds)} in {w.stage}"
            elif memory:
                rss = rss_bytes(w.proc.pid)
                if rss is not None and rss > memory:
                    reason = f"used over {show_bytes(memory)} in {w.stage}"
            if reason:
                self._lost(w, queue, out, reason)

    def _lost(self, w: _Worker, queue: deque, out: list[Result], reason: str | None) -> None:
        """A worker killed for `reason`, or dead by itself (None): settle its files."""
        exitcode = self._stop(w, kill=True)
        self.replaced += 1
        pending = list(w.assigned)
        if w.started is not None and pending:
            (job, deaths), pending = pending[0], pending[1:]
            if reason is not None:
                out.append(Result(job, "failed", stage=w.stage, error=reason))
            elif deaths == 0:
                queue.appendleft((job, 1))  # once more, in a fresh worker: maybe not its fault
            else:
                out.append(Result(job, "failed", stage=w.stage, error=(
                    "the worker process died reading this file "
                    f"(crash or out of memory: {_death(exitcode)})")))
        for item in reversed(pending):  # never started: not theirs to blame
            queue.appendleft(item)
        if not w.ready:
            self.start_failures += 1
            if self.start_failures >= START_FAILURES and not self.produced:
                raise WorkersFail(
                    f"worker processes die on start-up ({_death(exitcode)}); to see why, "
                    "run with --workers 1 and JIXIAO_FILE_TIMEOUT=0 JIXIAO_WORKER_MEMORY_MB=0, "
                    "which read in this process")
