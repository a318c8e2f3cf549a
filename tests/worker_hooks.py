"""A worker hook for the limit tests (JIXIAO_WORKER_HOOK=tests/worker_hooks.py).

Imported by each worker process at start-up (db/worker.py `_run_hook`), it
wraps the worker's extract.read_file and parsers.parse_file: a file whose first
line is a command misbehaves as told, in the stage named, every other file is
read as usual. Nothing in the production code knows these commands.

    #jixiao-test sleep SECONDS STAGE      (STAGE: extract or parse)
    #jixiao-test allocate MEGABYTES STAGE (then sleeps, holding it)
    #jixiao-test hold MEGABYTES STAGE     (keeps it after the file, goes on)
    #jixiao-test crash STAGE              (SIGSEGV)
"""
from __future__ import annotations

import os
import signal
import time

import extract
import parsers

MAGIC = b"#jixiao-test "
_held = []


def _act(path: str, stage: str) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.readline()
    except OSError:
        return
    if not head.startswith(MAGIC):
        return
    words = head[len(MAGIC):].decode().split()
    if not words or words[-1] != stage:
        return
    if words[0] == "sleep":
        time.sleep(float(words[1]))
    elif words[0] == "allocate":
        _held.append(b"x" * (int(words[1]) * 1024 * 1024))  # written, so resident
        time.sleep(60)
    elif words[0] == "hold":
        _held.append(b"x" * (int(words[1]) * 1024 * 1024))
    elif words[0] == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)


_read_file, _parse_file = extract.read_file, parsers.parse_file


def read_file(path):
    _act(os.fspath(path), "extract")
    return _read_file(path)


def parse_file(extracted):
    from db.ingest import _unprintable

    _act(_unprintable(extracted.path), "parse")
    return _parse_file(extracted)


extract.read_file, parsers.parse_file = read_file, parse_file
