"""Every format reads as well as pasted text: the seed reports as DOCX, XLSX and
HTML (samples/formats, built by samples/build_formats.py) score within 0.02 of
the text F1 on the same gold. The PDF check is in test_extract_pdf.py.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from db.export import export_documents
from db.ingest import ingest_paths
from db.session import open_db, session_factory

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FORMATS = ROOT / "samples" / "formats"
pytestmark = pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="needs ../shared/score.py")


def _f1(path: Path, gold: Path, tmp: Path) -> tuple[float, dict]:
    spec = importlib.util.spec_from_file_location("jixiao_score", SHARED / "score.py")
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    engine = open_db(f"sqlite:///{tmp}")
    summary = ingest_paths(engine, [path])
    assert not summary.quarantined, summary.quarantined
    with session_factory(engine)() as session:
        docs = export_documents(session)["documents"]
    engine.dispose()
    tally, _ = score.score(score.load_docs(gold), docs)
    overall = score.prf(*[sum(t[i] for t in tally.values()) for i in range(3)])[2]
    return overall, {k: score.prf(*v)[2] for k, v in tally.items()}


@pytest.fixture(scope="module")
def text_f1(tmp_path_factory) -> float:
    return _f1(SHARED / "seeds", SHARED / "gold", tmp_path_factory.mktemp("txt") / "t.sqlite")[0]


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "html"])
def test_format_scores_like_the_text(tmp_path, text_f1, fmt):
    folder = FORMATS / fmt
    if not any(folder.glob("*")):
        pytest.skip(f"no samples in {folder}")
    f1, per_category = _f1(folder, FORMATS / "gold" / fmt, tmp_path / "f.sqlite")
    assert f1 >= text_f1 - 0.02, per_category
