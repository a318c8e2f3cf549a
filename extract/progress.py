"""Page progress: how far the extractor reading a long file has got.

An extractor calls `page_done(k, n)` after each page it has read (a PDF's
page, an OCR'd page, a TIFF's frame, an image); whoever reads the file says
where that goes with `reporting(callback)`: a worker process sends its parent
("page", k, n) (db/worker.py `serve`), an ingest reading in its own process
calls its progress (db/ingest.py). With nobody listening, `page_done` does
nothing, so extractors call it unconditionally.

No dependencies and no failures: a listener that raises never costs a file
its reading (the error is dropped here). The listener is held in a
ContextVar, so a thread reading another file (a Dask worker's threads) sees
none of it.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

EVERY = 0.25  # s: at most about this many reports a second reach a listener (first, last always)

_listener: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "jixiao_page_listener", default=None)


def page_done(k: int, n: int) -> None:
    """Page `k` (1-based) of the `n` the file has is read."""
    listener = _listener.get()
    if listener is None:
        return
    try:
        listener(k, n)
    except Exception:  # noqa: BLE001 - progress is never a reason to lose a file
        pass


@contextmanager
def reporting(callback: Callable[[int, int], None], every: float = EVERY) -> Iterator[None]:
    """Within this block, this thread's `page_done(k, n)` calls `callback(k, n)`:
    the first and the last page always, the others at most once per `every` seconds."""
    last = [float("-inf")]

    def throttled(k: int, n: int) -> None:
        now = time.monotonic()
        if k <= 1 or k >= n or now - last[0] >= every:
            last[0] = now
            callback(k, n)

    token = _listener.set(throttled)
    try:
        yield
    finally:
        _listener.reset(token)
