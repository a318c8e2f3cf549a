"""The ingest's progress on stderr, as `jixiao ingest` shows it: a rich display
on a terminal, plain lines in a log (db/ingest.py `ingest_paths` reports to it)."""
from __future__ import annotations

import os
import threading
import time
import weakref

import click


class Progress:
    """An ingest's progress on `stream` (stderr), as db/ingest.py `ingest_paths` reports it.

    On a terminal: a rich display, a bar for the files and a line per file
    being read with its pages, redrawn in place and gone when the run ends.
    Otherwise (a log, cron): a plain line at most every `every` seconds, as
    files finish and while one is being read even if none finishes, e.g.

        jixiao: 3/35 files read (8%), 0.4 files/s; reading scans/report.pdf: page 12 of 40

    Called as progress(done, total); file_page(name, k, n) as a file's page k
    of n is read ((0, 0): its reading started), file_done(name) when it is read.
    """

    NAMED = 3  # files named in a plain line; the rest counted
    TICK = 0.1  # s: the plain lines' clock looks at least this far apart

    def __init__(self, stream, every: float = 10.0, tty: bool | None = None):
        self.stream, self.every = stream, every
        self.tty = (hasattr(stream, "isatty") and stream.isatty()) if tty is None else tty
        self.done = self.total = 0
        self.reading: dict[str, tuple[int, int]] = {}  # name -> (k, n), oldest first
        self.t0: float | None = None
        self.last = time.monotonic()  # the last plain line
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker: threading.Thread | None = None
        self.rich = None  # the rich Progress, on a terminal
        self.files_task = None
        self.file_tasks: dict[str, int] = {}

    # ------------------------------------------------------------ what ingest calls

    def __call__(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total
            if self.t0 is None:
                self.t0 = self.last = time.monotonic()
        if not total:
            return
        if not self.tty:
            if self.ticker is None:
                # the clock holds the Progress weakly: one never closed does not keep it
                self.ticker = threading.Thread(target=Progress._tick,
                                               args=(weakref.ref(self), self.stopped),
                                               name="jixiao-progress", daemon=True)
                self.ticker.start()
            if done and time.monotonic() - self.last >= self.every:
                self._say()
            return
        if self.rich is None:
            self._start_rich()
        self.rich.update(self.files_task, total=total, completed=done, info=self._files_text())

    def file_page(self, name: str, k: int, n: int) -> None:
        with self.lock:
            self.reading[name] = (k, n)
        if self.rich is None:
            return
        task = self.file_tasks.get(name)
        info = f"page {k} of {n}" if n else "reading"
        if task is None:
            self.file_tasks[name] = self.rich.add_task(
                "  " + _shorten(name), total=n or None, completed=k, info=info)
        else:
            self.rich.update(task, total=n or None, completed=k, info=info)

    def file_done(self, name: str) -> None:
        with self.lock:
            self.reading.pop(name, None)
        task = self.file_tasks.pop(name, None)
        if task is not None and self.rich is not None:
            self.rich.remove_task(task)

    def echo(self, line: str) -> None:
        """A line of the run's own (a quarantined file): above the display on a terminal."""
        if self.rich is not None:
            self.rich.refresh()  # the display drawn below the line is as of now
            self.rich.console.print(line, markup=False, emoji=False, highlight=False,
                                    soft_wrap=True)
            return
        with self.lock:
            click.echo(line, file=self.stream)

    def close(self) -> None:
        self.stopped.set()
        if self.ticker is not None:
            self.ticker.join()
        if self.rich is not None:
            self.rich.stop()  # transient: the display is erased
            self.rich = None

    # ------------------------------------------------------------ plain lines

    def line(self) -> str:
        """The plain progress line, as things stand."""
        with self.lock:
            done, total, reading = self.done, self.total, list(self.reading.items())
        text = (f"jixiao: {done}/{total} files read ({100 * done // max(total, 1)}%), "
                f"{_rate_text(self._rate())}")
        if reading:
            named = [f"{name}: page {k} of {n}" if n else name
                     for name, (k, n) in reading[:self.NAMED]]
            more = len(reading) - self.NAMED
            text += "; reading " + ", ".join(named) + (f" and {more} more" if more > 0 else "")
        return text

    def _say(self) -> None:
        line = self.line()
        with self.lock:
            self.last = time.monotonic()
            click.echo(line, file=self.stream)

    @staticmethod
    def _tick(ref, stopped: threading.Event) -> None:
        """The plain lines' clock: a line when `every` seconds passed without
        one while a file is being read (a scan's OCR takes minutes)."""
        while True:
            progress = ref()
            if progress is None:
                return
            pause = max(progress.last + progress.every - time.monotonic(), Progress.TICK)
            del progress
            if stopped.wait(pause):
                return
            progress = ref()
            if progress is None:
                return
            if (progress.reading and progress.done < progress.total
                    and time.monotonic() - progress.last >= progress.every):
                try:
                    progress._say()
                except (OSError, ValueError):  # stderr closed (a pipe whose reader left)
                    return
            del progress

    def _rate(self) -> float:
        return self.done / max(time.monotonic() - (self.t0 or time.monotonic()), 1e-9)

    # ------------------------------------------------------------ a terminal

    def _files_text(self) -> str:
        rate = self._rate()
        text = f"{self.done}/{self.total} files, {_rate_text(rate)}"
        if rate > 0 and self.done < self.total:
            left = int((self.total - self.done) / rate)
            text += f", about {left // 60}:{left % 60:02d} left"
        return text

    def _start_rich(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn
        from rich.progress import Progress as RichProgress

        console = Console(file=self.stream, force_terminal=True, highlight=False)
        # stderr written while the display is up (a quarantined file's line)
        # goes above it; stdout is left alone: it may be a file
        self.rich = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(),
                                 TextColumn("{task.fields[info]}", markup=False),
                                 console=console, transient=True, refresh_per_second=4,
                                 redirect_stdout=False, redirect_stderr=True)
        self.files_task = self.rich.add_task("ingest", total=self.total, info="")
        with self.lock:
            reading = list(self.reading.items())
        self.rich.start()
        for name, (k, n) in reading:
            self.file_page(name, k, n)


def _rate_text(rate: float) -> str:
    """Files a second; a minute when slower than one in ten seconds (OCR)."""
    return f"{rate:.1f} files/s" if rate >= 0.1 or rate == 0 else f"{rate * 60:.1f} files/min"


def _shorten(name: str, width: int = 40) -> str:
    """A path to fit a display line: its end, which names the file."""
    return name if len(name) <= width else "…" + name[-(width - 1):]


def progress_every() -> float:
    """JIXIAO_PROGRESS_EVERY: seconds between plain progress lines (10)."""
    raw = os.environ.get("JIXIAO_PROGRESS_EVERY", "").strip()
    try:
        every = float(raw) if raw else 10.0
    except ValueError:
        every = -1.0
    if not every > 0:
        raise click.UsageError(f"JIXIAO_PROGRESS_EVERY={raw!r}: seconds, a number over 0")
    return every
