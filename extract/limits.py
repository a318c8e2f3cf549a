"""How much input the extractors accept: settings with sane defaults.

Each limit can be set from the environment (JIXIAO_MAX_FILE_MB,
JIXIAO_MAX_PAGES, JIXIAO_MAX_UNPACKED_MB, JIXIAO_MAX_ZIP_ENTRIES), so a
team that ingests unusually large reports raises them without code changes.
A file over a limit is refused with an InputError naming the limit.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * MIB  # a report is kilobytes to a few megabytes
    max_pages: int = 2000  # PDF pages read per file
    max_unpacked_bytes: int = 200 * MIB  # a .docx/.xlsx package, unpacked (zip bombs)
    max_zip_entries: int = 10_000

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_pages", "max_unpacked_bytes", "max_zip_entries"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"limit {name} must be a positive whole number, not {value!r}")

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

        d = cls()
        return cls(
            max_file_bytes=read("JIXIAO_MAX_FILE_MB", MIB, d.max_file_bytes),
            max_pages=read("JIXIAO_MAX_PAGES", 1, d.max_pages),
            max_unpacked_bytes=read("JIXIAO_MAX_UNPACKED_MB", MIB, d.max_unpacked_bytes),
            max_zip_entries=read("JIXIAO_MAX_ZIP_ENTRIES", 1, d.max_zip_entries),
        )


LIMITS = Limits.from_env()
