"""A worker hook for the cluster tests (JIXIAO_WORKER_HOOK=tests/cluster_hooks.py).

Every command of tests/worker_hooks.py (sleep, allocate, hold, crash), plus one
that only a Dask cluster has a use for:

    #jixiao-test kill-dask-worker     (SIGKILL the Dask worker process that runs
                                       this file, as a machine lost or the OOM
                                       killer would, then wait to die with it)

The file is read by a watched process (db/pool.py) that a Dask worker started
through the forkserver: its parent is the forkserver, whose parent is the Dask
worker. Nothing in the production code knows these commands.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import time
from pathlib import Path

import extract

_spec = importlib.util.spec_from_file_location(
    "jixiao_worker_hooks", Path(__file__).with_name("worker_hooks.py"))
_worker_hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_worker_hooks)  # wraps extract.read_file and parsers.parse_file

KILL = b"#jixiao-test kill-dask-worker"


def _parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as fh:
        return int(fh.read().rsplit(b")", 1)[1].split()[1])


_read_file = extract.read_file


def read_file(path):
    try:
        with open(path, "rb") as fh:
            head = fh.readline()
    except OSError:
        head = b""
    if head.startswith(KILL):
        os.kill(_parent_of(os.getppid()), signal.SIGKILL)
        time.sleep(60)  # the death signal of the forkserver ends this process first
    return _read_file(path)


extract.read_file = read_file
