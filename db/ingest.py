"""Ingest orchestration: paths -> extract -> parse -> store, one file at a time.

Each file is stored in its own transaction, and any failure quarantines just
that file: one bad input never stops a batch or leaves half a file behind.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import Engine

import extract
from db import PIPELINE_VERSION
from db.loader import quarantine_file, store_file
from db.session import session_factory
from extract.errors import InputError


@dataclass
class Failure:
    path: str  # as the user gave or the walk found it
    stage: str  # extract, parse, store
    error: str


@dataclass
class IngestSummary:
    files: int = 0
    documents: int = 0
    skipped: int = 0  # folder entries whose suffix no extractor reads
    quarantined: list[Failure] = field(default_factory=list)

    def line(self) -> str:
        return (f"ingested {self.files} files ({self.documents} documents), "
                f"quarantined {len(self.quarantined)}")


def _wanted(name: str, suffixes: set[str]) -> bool:
    # Folders hold stray files (Thumbs.db, .DS_Store); suffix-less files are
    # tried because pasted reports are often saved without one.
    if name.startswith("."):
        return False
    suffix = Path(name).suffix.lower()
    return suffix == "" or suffix in suffixes


def collect_paths(paths: Iterable[str | Path]) -> tuple[list[Path], int]:
    """Files to ingest, in a stable order, and how many folder entries were skipped.

    Named files are always attempted; folders are walked recursively, hidden
    entries are ignored. A file reached twice is ingested once.
    """
    suffixes = {s.lower() for s in extract.supported_suffixes()}
    found: list[Path] = []
    skipped = 0
    for p in map(Path, paths):
        if not p.is_dir():
            found.append(p)
            continue
        for root, dirs, files in os.walk(p):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                full = Path(root) / name
                if _wanted(name, suffixes) and full.is_file():
                    found.append(full)
                elif not name.startswith("."):
                    skipped += 1
    seen: set[Path] = set()
    unique = []
    for f in found:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, skipped


def _sha256(path: Path) -> str | None:
    """Digest for the quarantine record; None when the bytes are unreadable."""
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def ingest_paths(
    engine: Engine,
    paths: Iterable[str | Path],
    echo: Callable[[str], None] | None = None,
    *,
    pipeline_version: str = PIPELINE_VERSION,
) -> IngestSummary:
    """Ingest files and folders; `echo` receives one line per quarantined file."""
    import parsers  # late: parsers may be incomplete, and tests replace parse_file

    Session = session_factory(engine)
    files, skipped = collect_paths(paths)
    summary = IngestSummary(skipped=skipped)
    for path in files:
        key = str(path.resolve())  # one row per real file, whatever the cwd
        stage, sha = "extract", None
        try:
            extracted = extract.read_file(key)
            sha = extracted.sha256
            if extracted.path != key:
                extracted = dataclasses.replace(extracted, path=key)
            stage = "parse"
            records = parsers.parse_file(extracted)
            stage = "store"
            with Session() as session, session.begin():
                store_file(session, extracted, records, pipeline_version)
        except InputError as exc:
            failure = Failure(str(path), exc.stage, _one_line(str(exc)))
        except Exception as exc:  # a jixiao bug: quarantine, report, go on
            msg = _one_line(f"{type(exc).__name__}: {exc}")
            failure = Failure(str(path), stage, f"{stage} failed: {msg}")
        else:
            summary.files += 1
            summary.documents += len(records)
            continue
        with Session() as session, session.begin():
            quarantine_file(session, key, path.name, sha or _sha256(path),
                            failure.stage, failure.error, pipeline_version)
        summary.quarantined.append(failure)
        if echo:
            echo(f"jixiao: {failure.path}: {failure.error}")
    return summary
