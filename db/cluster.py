"""Read and parse on a Dask distributed cluster; store here, as for local workers.

`jixiao ingest PATH --cluster tcp://HOST:8786` (or $JIXIAO_CLUSTER, or
`--cluster local:N` for N worker processes started on this machine) hands the
run's jobs to a Dask scheduler instead of the local pool. Everything else of
the run is the same code (db/ingest.py): the planning, one transaction per
file written from this process, the runs table, the quarantine, the progress,
the summary and the exit codes. `DaskExecutor.results(jobs, limits)` is the
executor hook: Results in completion order, like the local `Pool.results`.

What runs where:

* here (the client): planning, hashing, storing; it submits a window of a few
  tasks per worker thread at a time (`distributed.Client.submit`,
  `as_completed`), so a million-file run neither floods the scheduler nor
  holds many shipped files in memory;
* on each Dask worker, per task (`_task`): the file goes to a watched worker
  process of that Dask worker thread (db/pool.py `Pool.run`), so the per-file
  time and memory limits (JIXIAO_FILE_TIMEOUT, JIXIAO_WORKER_MEMORY_MB, taken
  from this process's settings and sent with each task) apply there exactly
  as for a local run, and a file that trips them is quarantined with the same
  reason. The watched process is kept from file to file.

Files: a worker reads the path itself when it can see it (shared storage
mounted at the same path). When it cannot (`can_read` fails on a worker, tried
on every worker for the first file and again by each task), or with
`--ship-bytes`, this process sends the file's bytes with the task and the
worker parses a temporary copy under the same name. The SHA-256 is checked on
both sides: this process hashes each file before it submits it, the worker
refuses bytes whose digest differs (a different file at the same path on its
machine, or a damaged transfer), and this process checks the digest the
worker reports before storing.

Failures:

* a Dask worker that dies (machine lost, kill -9, the OOM killer): the
  scheduler gives its tasks to other workers; a task that was on
  `distributed.scheduler.allowed-failures` + 1 (default 4) workers that all
  died is given up with KilledWorker, and the file is quarantined "killed N
  workers" (retried when it or the pipeline changes, like any quarantined
  file);
* the scheduler gone, or a task that cannot run on a worker (jixiao missing
  there, another pipeline version): the run stops (RunStopped, exit 3), every
  file stored so far stays, the rest is for the next run;
* exactly once: each file's result is taken once (a second result for the
  same file is dropped here, and db/ingest.py drops a result whose file this
  run already stored with the same digest and pipeline version).

Dask is imported by this module's functions only, and this module only with
--cluster: a local run never imports Dask.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import socket
import tempfile
import threading
import time
from collections import deque
from typing import Callable, Iterator

import extract
from db import PIPELINE_VERSION
from db.runs import RunStopped
from db.worker import Job, Result, one_line, process, sha256_of
from extract.limits import Limits
from extract.names import printable

ENV = "JIXIAO_CLUSTER"
PER_THREAD = 2  # tasks in flight per worker thread: one running, one ready to start
CONNECT_SECONDS = 30


class ClusterError(RuntimeError):
    """The cluster cannot be used (no scheduler at the address, Dask missing,
    workers that cannot run jixiao); the message says why, in one line.
    `usage`: the address itself is wrong (a usage error, exit 2)."""

    def __init__(self, message: str, usage: bool = False):
        super().__init__(message)
        self.usage = usage


# ---------------------------------------------------------------- worker side

_local = threading.local()  # each Dask worker thread: its own watched process
_setup_lock = threading.Lock()
_setup_done = False


def can_read(path: str) -> bool:
    """Can this machine open `path` as a regular file? (shared storage test)"""
    try:
        return os.path.isfile(path) and os.access(path, os.R_OK)
    except (OSError, ValueError):
        return False


def _setup() -> None:
    """Once per Dask worker process. Dask starts its workers as daemonic
    processes, and multiprocessing refuses children to a daemonic process;
    ours are watched and die with it (PR_SET_PDEATHSIG, db/worker.py), which
    is what the rule is there for, so the flag is lifted."""
    global _setup_done
    with _setup_lock:
        if _setup_done:
            return
        import multiprocessing

        current = multiprocessing.current_process()
        if current._config.get("daemon"):
            current._config["daemon"] = False
        _setup_done = True


def _pool(limits: Limits):
    from db.pool import Pool

    pool = getattr(_local, "pool", None)
    if pool is not None and pool.limits != limits:
        pool.close()
        pool = None
    if pool is None:
        pool = _local.pool = Pool(1, limits)
    return pool


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _identity() -> dict:
    return {"host": socket.gethostname(), "version": PIPELINE_VERSION, "pid": os.getpid()}


def _scratch() -> str:
    try:
        from distributed import get_worker

        base = get_worker().local_directory
    except Exception:  # not in a worker (tests call _task directly)
        base = None
    return tempfile.mkdtemp(prefix="jixiao-", dir=base)


def _task(job: Job, sha: str | None, data: bytes | None, limits: Limits,
          version: str) -> Result:
    """One file on a Dask worker: read the path (data None) or parse the bytes
    sent, under the limits, in a watched process. Never raises for a file's
    fault; raises only when this worker cannot serve the run at all."""
    if version != PIPELINE_VERSION:
        raise RuntimeError(f"worker {socket.gethostname()} runs jixiao pipeline "
                           f"{PIPELINE_VERSION}, the run is {version}: install the same "
                           "version on every worker")
    _setup()
    if data is None:
        if not can_read(job.key):
            return Result(job, "unseen", error=f"not visible on {socket.gethostname()}")
        result = _pool(limits).run(job)
    else:
        if hashlib.sha256(data).hexdigest() != sha:
            return Result(job, "failed", stage="extract",
                          error="the bytes sent to the Dask worker arrived damaged "
                                "(SHA-256 differs); retried on the next run")
        folder = _scratch()
        try:
            # the real name, so the extractors see the same suffix and name
            copy = os.path.join(folder, os.path.basename(job.key))
            with open(copy, "wb") as fh:
                fh.write(data)
            result = _pool(limits).run(dataclasses.replace(job, key=copy))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        result = _as_original(result, job, copy)
    if sha is not None and result.sha256 is not None and result.sha256 != sha:
        return _mismatch(job, result.sha256, sha, f"Dask worker {socket.gethostname()}")
    return result


def _as_original(result: Result, job: Job, copy: str) -> Result:
    """A result of the temporary copy, told of the file it stands for."""
    extracted = result.extracted
    if extracted is not None:
        extracted = dataclasses.replace(extracted, path=printable(job.key))
    error = result.error
    if error:
        error = error.replace(printable(copy), printable(job.shown)).replace(copy, job.shown)
    return dataclasses.replace(result, job=job, extracted=extracted, error=error)


def _mismatch(job: Job, theirs: str, ours: str, where: str) -> Result:
    return Result(job, "failed", stage="extract", error=(
        f"{where} read other bytes than the ingesting machine sees (SHA-256 {theirs[:12]}… "
        f"there, {ours[:12]}… here): the file changed, or the share differs between "
        "machines; retried on the next run"))


# ---------------------------------------------------------------- client side

def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ClusterError("--cluster needs Dask: pip install 'jixiao[cluster]' "
                           f"({one_line(str(exc))})") from None
    return distributed


def _local_cluster(n: int):
    """`local:N`: a scheduler in this process and N worker processes of one
    thread each (each thread drives one watched parsing process)."""
    import logging

    distributed = _import_distributed()
    return distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                    dashboard_address=":0", memory_limit=0,
                                    silence_logs=logging.ERROR)


def _parse_address(address: str) -> tuple[str, int | None]:
    address = address.strip()
    if address.startswith("local:") or address == "local":
        raw = address.partition(":")[2] or "0"
        try:
            n = int(raw)
        except ValueError:
            n = -1
        if n < 0:
            raise ClusterError(f"--cluster {address}: local:N wants a number of workers",
                               usage=True)
        if n == 0:
            from db.ingest import default_workers

            n = default_workers()
        return "local", n
    if "://" not in address:
        address = f"tcp://{address}"
    return address, None


class DaskExecutor:
    """The Dask implementation of the ingest executor hook (db/ingest.py).

    Connects at once (so a wrong address fails before the run starts) and
    prints where the dashboard is. Use as a context manager, or close()."""

    def __init__(self, address: str, *, ship_bytes: bool = False,
                 echo: Callable[[str], None] | None = None, timeout: float = CONNECT_SECONDS):
        distributed = _import_distributed()
        self.echo = echo or (lambda line: None)
        self.ship_bytes = ship_bytes
        self.cluster = None
        self.tasks: dict[str, Job] = {}  # key -> job, of the tasks in flight
        self.dropped = 0  # results for a file already taken (late duplicates)
        self.address, n = _parse_address(address)
        try:
            if n is not None:
                self.cluster = _local_cluster(n)
                self.client = distributed.Client(self.cluster, timeout=timeout)
            else:
                self.client = distributed.Client(self.address, timeout=timeout)
        except ClusterError:
            self.close()
            raise
        except Exception as exc:  # OSError, TimeoutError, a refused handshake
            self.close()
            raise ClusterError(f"cannot reach the Dask scheduler at {self.address}: "
                               f"{one_line(str(exc)) or type(exc).__name__}") from None
        self._check_workers()
        self.echo(self.describe())

    # ------------------------------------------------------------ the cluster

    def _info(self) -> dict:
        return self.client.scheduler_info(n_workers=-1)

    @property
    def workers(self) -> int:
        """Worker threads now (files parsed at once); recorded in the runs row."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def dashboard(self) -> str | None:
        """The dashboard's address, if the scheduler serves one (it needs bokeh)."""
        info = self._info()
        port = info.get("services", {}).get("dashboard")
        try:
            has_bokeh = self.client.run_on_scheduler(_has_bokeh)
        except Exception:
            has_bokeh = False
        if port is None or not has_bokeh:
            return None
        host = info["address"].split("://")[-1].rsplit(":", 1)[0] or "localhost"
        if host in ("0.0.0.0", ""):
            host = "localhost"
        return f"http://{host}:{port}/status"

    def describe(self) -> str:
        info = self._info()
        nthreads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        where = info.get("address", self.address)
        link = self.dashboard()
        board = (f"dashboard {link}" if link else
                 "no dashboard (pip install bokeh where the scheduler runs)")
        workers = len(info.get("workers", {}))
        return (f"jixiao: Dask scheduler {where}: {workers} worker{'s' * (workers != 1)}, "
                f"{nthreads} thread{'s' * (nthreads != 1)}; {board}")

    def _check_workers(self) -> None:
        """Workers that cannot import jixiao, or run another pipeline version,
        would fail every file: say so now rather than quarantine a folder."""
        try:
            found = self.client.run(_identity)
        except Exception as exc:
            self.close()
            raise ClusterError("the Dask workers cannot run jixiao (install it on every "
                               "worker: pip install 'jixiao[cluster]'): "
                               f"{one_line(str(exc)) or type(exc).__name__}") from None
        other = {addr: who for addr, who in found.items() if who["version"] != PIPELINE_VERSION}
        if other:
            addr, who = next(iter(other.items()))
            self.close()
            raise ClusterError(f"Dask worker {addr} on {who['host']} runs jixiao pipeline "
                               f"{who['version']}, this machine {PIPELINE_VERSION}: install "
                               "the same version everywhere")

    def _blind_workers(self, path: str) -> list[str]:
        """Workers that cannot see `path` (then files are shipped)."""
        try:
            seen = self.client.run(can_read, path)
        except Exception:
            return ["?"]
        return [addr for addr, ok in seen.items() if not ok]

    def close(self) -> None:
        for part in ("client", "cluster"):
            thing = getattr(self, part, None)
            if thing is not None:
                try:
                    thing.close()
                except Exception:
                    pass
                setattr(self, part, None)

    def __enter__(self) -> "DaskExecutor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ the run

    def results(self, jobs: list[Job], limits: Limits) -> Iterator[Result]:
        """Every job's Result, in completion order, each file once."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        if not jobs:
            return
        ship = self.ship_bytes
        if not ship:
            blind = self._blind_workers(jobs[0].key)
            if blind:
                ship = True
                self.echo(f"jixiao: {len(blind)} Dask worker(s) cannot see "
                          f"{printable(jobs[0].shown)}: sending the files' bytes to the "
                          "workers (--ship-bytes)")
        todo = deque(jobs)
        ready: deque[Result] = deque()  # settled here, without a worker
        inflight: dict = {}  # future -> (job, sha)
        taken: set[str] = set()
        pending = as_completed()
        token = f"{os.getpid()}-{time.time_ns()}"
        serial = 0
        window, window_at = 0, 0.0

        def submit(job: Job, ship: bool) -> None:
            nonlocal serial
            sha, data, failure = self._prepare(job, ship)
            if failure is not None:
                ready.append(failure)
                return
            serial += 1
            key = f"jixiao-ingest-{token}-{serial}"
            future = self.client.submit(_task, job, sha, data, limits, PIPELINE_VERSION,
                                        key=key, pure=False, retries=0)
            inflight[future] = (job, sha)
            self.tasks[key] = job
            pending.add(future)

        def refill() -> None:
            nonlocal window, window_at
            if time.monotonic() - window_at > 2.0:  # workers come and go
                window, window_at = max(4, PER_THREAD * self.workers), time.monotonic()
            while todo and len(inflight) < window:
                submit(todo.popleft(), ship)

        try:
            refill()
            while inflight or ready or todo:
                while ready:
                    res = ready.popleft()
                    if res.job.key not in taken:
                        taken.add(res.job.key)
                        yield res
                refill()
                if ready or not inflight:
                    continue
                future = next(pending)
                job, sha = inflight.pop(future)
                self.tasks.pop(future.key, None)
                res = self._settle(future, job, sha, KilledWorker)
                future.release()
                if res.outcome == "unseen":  # this worker lacks the share: ship it
                    if not ship:
                        ship = True
                        self.echo(f"jixiao: a Dask worker cannot see {printable(job.shown)} "
                                  f"({res.error}): sending the files' bytes to the workers "
                                  "(--ship-bytes)")
                    submit(job, True)
                    continue
                if job.key in taken:  # computed twice: the first one counts
                    self.dropped += 1
                    continue
                taken.add(job.key)
                yield res
        finally:
            if inflight:
                try:
                    self.client.cancel(list(inflight), force=True)
                except Exception:
                    pass
            self.tasks.clear()

    def _prepare(self, job: Job, ship: bool) -> tuple[str | None, bytes | None, Result | None]:
        """The file's digest as this machine sees it, its bytes when shipped;
        or its Result when it is settled here (gone, empty, over the size limit:
        the same refusal a worker would give, without sending anything)."""
        try:
            size = os.stat(job.key).st_size
        except OSError:
            return None, None, process(job)  # "cannot open: …", as a worker says it
        if size == 0 or size > extract.LIMITS.max_file_bytes:
            return None, None, process(job)  # refused by its size, nothing read
        try:
            if not ship:
                return sha256_of(job.key), None, None
            with open(job.key, "rb") as fh:
                data = fh.read()
        except OSError:
            return None, None, process(job)
        return hashlib.sha256(data).hexdigest(), data, None

    def _settle(self, future, job: Job, sha: str | None, KilledWorker) -> Result:
        from concurrent.futures import CancelledError

        try:
            res = future.result()
        except KilledWorker as exc:
            return Result(job, "failed", sha256=sha, stage="extract", error=(
                f"killed {exc.allowed_failures + 1} workers (each Dask worker that ran this "
                "file died: a crash, or the machine's out-of-memory killer); not retried "
                "until it changes"))
        except CancelledError as exc:
            raise RunStopped(f"the Dask cluster at {self.address} went away "
                             f"({one_line(str(exc)) or 'task cancelled'})") from None
        except Exception as exc:
            raise RunStopped(f"a Dask worker could not run {printable(job.shown)}: "
                             f"{one_line(f'{type(exc).__name__}: {exc}')}") from None
        if res.outcome in ("parsed", "same") and sha is not None and res.sha256 != sha:
            return _mismatch(job, res.sha256 or "?", sha, "the Dask worker")
        return res


def connect(address: str, *, ship_bytes: bool = False,
            echo: Callable[[str], None] | None = None) -> DaskExecutor:
    """The executor for `--cluster ADDRESS` (tcp://HOST:8786, HOST:PORT, local:N)."""
    return DaskExecutor(address, ship_bytes=ship_bytes, echo=echo)
