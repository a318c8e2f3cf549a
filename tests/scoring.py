"""Ingest files end to end and score the export with shared/score.py, for the tests that
hold the pipeline to the gold (seeds, format samples)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from db.export import export_documents
from db.ingest import ingest_paths
from db.session import open_db, session_factory

SHARED = Path(__file__).resolve().parents[2] / "shared"


def load_scorer():
    spec = importlib.util.spec_from_file_location("jixiao_score", SHARED / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ingest_and_export(paths: list[Path], db_file: Path) -> list[dict]:
    """Every path into a new SQLite database; the exported documents. Nothing may be quarantined."""
    engine = open_db(f"sqlite:///{db_file}")
    summary = ingest_paths(engine, paths)
    assert summary.quarantined == [], summary.quarantined
    with session_factory(engine)() as session:
        docs = export_documents(session)["documents"]
    engine.dispose()
    return docs


def f1(gold: Path, docs: list[dict]) -> tuple[float, dict[str, float], list[str]]:
    """(overall F1, F1 per category, the misses) of `docs` against the gold at `gold`."""
    score = load_scorer()
    tally, misses = score.score(score.load_docs(gold), docs)
    overall = score.prf(*[sum(t[i] for t in tally.values()) for i in range(3)])[2]
    return overall, {cat: score.prf(*t)[2] for cat, t in tally.items()}, misses
