"""Every format reads as well as pasted text: the seed reports as DOCX, XLSX and
HTML (samples/formats, built by samples/build_formats.py) score within 0.02 of
the text F1 on the same gold. The PDF check is in test_extract_pdf.py.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from scoring import SHARED, f1, ingest_and_export

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ROOT / "samples" / "formats"
pytestmark = pytest.mark.skipif(not (SHARED / "score.py").exists(), reason="needs ../shared/score.py")


def _f1(path: Path, gold: Path, tmp: Path) -> tuple[float, dict]:
    overall, per_category, _ = f1(gold, ingest_and_export([path], tmp))
    return overall, per_category


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
