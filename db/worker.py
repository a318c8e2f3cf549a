"""The part of an ingest that runs in worker processes: read, hash, parse.

Workers never touch the database: they return what the parent stores (see
db/ingest.py for why). Everything here must be picklable both ways and must
not raise: a failure comes back as a result with its stage and message.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from typing import Any

import extract
from extract.errors import InputError


@dataclass(frozen=True)
class Job:
    key: str  # the resolved path: one files row per real file
    shown: str  # the path as the user gave it or the walk found it, for messages
    size: int | None  # os.stat before reading
    mtime_ns: int | None
    known_sha: str | None  # stored digest to compare with, when re-parsing would be idle
    kind: str  # new | changed | reparsed (what the stat check expects)


@dataclass
class Result:
    job: Job
    outcome: str  # stored-to-be 'parsed' | 'same' (bytes match known_sha) | 'failed'
    sha256: str | None = None
    extracted: Any = None  # ExtractedFile without blocks (the parent needs only its identity)
    records: Any = None  # list[DocumentRecord]
    stage: str | None = None
    error: str | None = None


def sha256_of(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def one_line(text: str) -> str:
    return " ".join(text.split())


def process(job: Job) -> Result:
    """Read and parse one file; compare digests first when one is known."""
    import parsers  # late: tests replace parse_file on the module

    stage = "extract"
    sha = None
    try:
        if job.known_sha is not None and (job.size or 0) <= extract.LIMITS.max_file_bytes:
            sha = sha256_of(job.key)
            if sha == job.known_sha:  # touched, not changed: nothing to parse
                return Result(job, "same", sha256=sha)
        extracted = extract.read_file(job.key)
        sha = extracted.sha256
        stage = "parse"
        records = parsers.parse_file(extracted)
        # Blocks can be large and the parent does not need them.
        extracted = dataclasses.replace(extracted, path=job.key, blocks=[])
        return Result(job, "parsed", sha256=sha, extracted=extracted, records=records)
    except InputError as exc:
        return Result(job, "failed", sha256=sha, stage=exc.stage, error=one_line(str(exc)))
    except Exception as exc:  # a jixiao bug: quarantine, report, go on
        msg = one_line(f"{type(exc).__name__}: {exc}")
        return Result(job, "failed", sha256=sha, stage=stage, error=f"{stage} failed: {msg}")


def init_worker() -> None:
    """Worker start-up: quiet third-party loggers; leave Ctrl-C to the parent."""
    import logging
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:
        pass
