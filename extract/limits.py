"""How much input the extractors accept: settings with sane defaults.

Each limit can be set from the environment (JIXIAO_MAX_FILE_MB,
JIXIAO_MAX_PAGES, JIXIAO_MAX_UNPACKED_MB, JIXIAO_MAX_ZIP_ENTRIES,
JIXIAO_MAX_PAGE_MEGAPIXELS, JIXIAO_MAX_HTML_MB), so a
team that ingests unusually large reports raises them without code changes.
A file over a limit is refused with an InputError naming the limit.

Two limits are enforced from outside the extractors and parsers, by the
ingest run on its worker processes (db/pool.py), so that no file, whatever
code it trips, can hang or blow up a run: JIXIAO_FILE_TIMEOUT (seconds one
file may take to read and parse, 120) and JIXIAO_WORKER_MEMORY_MB (memory a
worker may use while it reads and parses one file, 1536). A file over either
is killed with its worker and quarantined. 0 turns a limit off; with both
off, `--workers 1` reads and parses in the main process, as before.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * MIB  # a report is kilobytes to a few megabytes
    max_pages: int = 2000  # PDF pages, or image frames (TIFF), read per file
    max_unpacked_bytes: int = 200 * MIB  # a .docx/.xlsx package, unpacked (zip bombs)
    max_zip_entries: int = 10_000
    max_page_pixels: int = 20_000_000  # a page image larger is scaled down before OCR
    max_html_bytes: int = 10 * MIB  # a web page; parsing it costs ~2 s and 50 MB per MB
    file_seconds: float = 120.0  # wall time to read and parse one file; 0: no limit
    worker_memory_bytes: int = 1536 * MIB  # a worker's RSS while on one file; 0: no limit

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_pages", "max_unpacked_bytes", "max_zip_entries",
                     "max_page_pixels", "max_html_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit {name} must be a positive whole number, not {value!r}")
        if not isinstance(self.file_seconds, (int, float)) or not self.file_seconds >= 0:
            raise ValueError(f"limit file_seconds must be a number of seconds, 0 or more, "
                             f"not {self.file_seconds!r}")
        if not isinstance(self.worker_memory_bytes, int) or self.worker_memory_bytes < 0:
            raise ValueError(f"limit worker_memory_bytes must be a whole number, 0 or more, "
                             f"not {self.worker_memory_bytes!r}")

    @property
    def watched(self) -> bool:
        """Is a file's time or memory limited (so it must run in a worker process)?"""
        return bool(self.file_seconds or self.worker_memory_bytes)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Limits":
        env = os.environ if env is None else env

        def read(key: str, scale: int, default: int) -> int:
            raw = env.get(key)
            if raw is None or raw.strip() == "":
                return default
            try:
                return int(float(raw) * scale)
            except ValueError:
                raise ValueError(f"{key} must be a number, not {raw!r}") from None

        def seconds(key: str, default: float) -> float:
            raw = env.get(key)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not value >= 0 or value == float("inf"):
                raise ValueError(f"{key} must be a number of seconds (0: no limit), not {raw!r}")
            return value

        d = cls()
        return cls(
            max_file_bytes=read("JIXIAO_MAX_FILE_MB", MIB, d.max_file_bytes),
            max_pages=read("JIXIAO_MAX_PAGES", 1, d.max_pages),
            max_unpacked_bytes=read("JIXIAO_MAX_UNPACKED_MB", MIB, d.max_unpacked_bytes),
            max_zip_entries=read("JIXIAO_MAX_ZIP_ENTRIES", 1, d.max_zip_entries),
            max_page_pixels=read("JIXIAO_MAX_PAGE_MEGAPIXELS", 1_000_000, d.max_page_pixels),
            max_html_bytes=read("JIXIAO_MAX_HTML_MB", MIB, d.max_html_bytes),
            file_seconds=seconds("JIXIAO_FILE_TIMEOUT", d.file_seconds),
            worker_memory_bytes=read("JIXIAO_WORKER_MEMORY_MB", MIB, d.worker_memory_bytes),
        )


def show_bytes(n: int) -> str:
    """1.5 GB, 800 MB: a memory limit as a person reads it (binary units)."""
    if n >= 1024 * MIB:
        return f"{n / (1024 * MIB):.1f}".rstrip("0").rstrip(".") + " GB"
    return f"{n / MIB:.0f} MB"


def show_seconds(s: float) -> str:
    return f"{s:g} s"


LIMITS = Limits.from_env()
