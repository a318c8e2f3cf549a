"""A worker hook for the run-lock tests (JIXIAO_WORKER_HOOK=tests/gate_hook.py).

A file whose first line is `#jixiao-test gate PATH STAGE` waits in STAGE
(extract or parse) until PATH exists, then is read as usual: the test holds
a run at a known point (a file read, not yet stored), does something to its
database, and lets it go on, without guessing how long anything takes.
Every other file is read as usual. Nothing in the production code knows it.
"""
from __future__ import annotations

import os
import time

import extract
import parsers

MAGIC = b"#jixiao-test gate "
LONGEST = 300.0  # s: a test that never opens the gate fails, it does not hang


def _wait(path: str, stage: str) -> None:
    try:
        with open(path, "rb") as fh:
            head = fh.readline()
    except OSError:
        return
    if not head.startswith(MAGIC):
        return
    gate, at = head[len(MAGIC):].decode().split()
    if at != stage:
        return
    deadline = time.monotonic() + LONGEST
    while not os.path.exists(gate) and time.monotonic() < deadline:
        time.sleep(0.05)


_read_file, _parse_file = extract.read_file, parsers.parse_file


def read_file(path):
    _wait(os.fspath(path), "extract")
    return _read_file(path)


def parse_file(extracted):
    from db.ingest import _unprintable

    _wait(_unprintable(extracted.path), "parse")
    return _parse_file(extracted)


extract.read_file, parsers.parse_file = read_file, parse_file
