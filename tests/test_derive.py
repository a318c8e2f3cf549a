"""The derived tables (regions, indicator concepts, search entries) kept up to date by each
ingest: a run that adds or changes a few files works only on their documents, and what it
leaves is what a rebuild from scratch makes."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from analysis import derive
from db.ingest import ingest_paths
from db.session import open_db

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def derived(engine) -> dict[str, list]:
    """The derived rows by what they say, not their ids (a rebuild numbers them anew)."""
    with engine.connect() as c:
        return {
            "regions": sorted(c.execute(text(
                "SELECT d.title, r.adcode, r.county FROM org_regions r JOIN documents d ON d.id = r.document_id"
            )).all(), key=repr),
            "concepts": sorted(c.execute(text(
                "SELECT i.name, k.concept FROM indicator_concepts k JOIN indicators i ON i.id = k.indicator_id"
            )).all(), key=repr),
            "entries": sorted(c.execute(text(
                "SELECT kind, label, text, tokens, src_file, src_line FROM search_entries")).all(), key=repr),
            "fts": c.execute(text("SELECT count(*) FROM search_fts WHERE search_fts MATCH '预算'")).scalar(),
        }


def test_a_run_that_adds_and_changes_files_derives_as_a_rebuild_does(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    texts = sorted(SAMPLES.glob("*.txt"))[:4]
    for p in texts[:3]:
        shutil.copy(p, folder / p.name)
    engine = open_db(f"sqlite:///{tmp_path}/d.sqlite")
    ingest_paths(engine, [folder])
    first = derived(engine)
    assert first["regions"] and first["entries"]

    shutil.copy(texts[3], folder / texts[3].name)  # a new file
    changed = folder / texts[0].name
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "。\n", 1) + "\n", encoding="utf-8")
    calls = []
    real = derive._rebuild
    derive._rebuild = lambda session: (calls.append(1), real(session))[1]
    try:
        ingest_paths(engine, [folder])
    finally:
        derive._rebuild = real
    assert calls == []  # the tables they are made with did not change: no rebuild from scratch
    after = derived(engine)
    assert after != first  # the new file's documents are in

    derive.refresh(engine, force=True)
    assert derived(engine) == after
    engine.dispose()
