"""The bundled samples rewritten the ways pasted text varies (samples/rewrites.py) give the
records the samples themselves give."""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from extract.text import extract_text
from parsers.document import parse_file

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("rewrites", ROOT / "samples" / "rewrites.py")
rewrites = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rewrites)

SAMPLES = sorted((ROOT / "samples").glob("*.txt"))
# a rewrite that takes away what a sample's layout is made of (its columns are runs of
# spaces) is no rewrite of that sample
NOT_FOR = {("no_spaces", "e_space_aligned.txt")}
# Not read yet, each with why (strict=False: remove a mark once it passes):
_CUT_TABLE = "a table row cut at the viewer's width: rows with tabs, bars, runs of spaces or CSV quotes are never joined"
_CELL_LINES = "a cell-per-line sample's tab-led cells become two-cell pipe rows: another layout"
_SHIFTED = ("the same rows with bars instead of tabs: a row shifted under merged cells is re-aligned by the "
            "TSV reader, not yet by the pipe reader (levels and tasks of the shifted rows lost)")
XFAIL = {
    ("cut_at_60", "b_tsv_target_table.txt"): _CUT_TABLE,
    ("cut_at_60", "c_pipe_table.txt"): _CUT_TABLE,
    ("cut_at_60", "d_csv_rows.txt"): _CUT_TABLE,
    ("cut_at_60", "e_space_aligned.txt"): _CUT_TABLE,
    ("tabs_as_pipes", "a_cell_per_line_selfeval.txt"): _CELL_LINES,
    ("tabs_as_pipes", "b_tsv_target_table.txt"): _SHIFTED,
    ("tabs_as_pipes", "f_task_breakdown.txt"): _SHIFTED,
    ("tabs_as_pipes", "h_utf16_fullwidth.txt"): _SHIFTED,
}


def _records(data: bytes) -> list:
    docs = parse_file(extract_text(data, "s.txt", "s.txt", hashlib.sha256(data).hexdigest()))
    return [(d.doc_type, d.org_name, d.fiscal_year, d.project,
             [(i.level1, i.level2, i.name, i.target and i.target.value, i.actual and i.actual.value,
               i.weight, i.score) for i in d.indicators],
             [(f.item, f.measure, f.value) for f in d.finance],
             [(t.section, t.item, t.points) for t in d.tasks]) for d in docs]


def _read(path: Path) -> str:
    from extract.decode import decode_bytes

    return decode_bytes(path.read_bytes())[0]


def _cases():
    for sample in SAMPLES:
        for name in rewrites.REWRITES:
            reason = XFAIL.get((name, sample.name))
            marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
            yield pytest.param(sample, name, id=f"{sample.name}-{name}", marks=marks)


@pytest.mark.parametrize("sample,name", list(_cases()))
def test_a_rewritten_sample_gives_the_samples_records(sample, name):
    if (name, sample.name) in NOT_FOR:
        pytest.skip("the rewrite takes away this sample's layout")
    rewrite, encoding = rewrites.REWRITES[name]
    text = _read(sample)
    want = _records(text.encode("utf-8"))
    got = _records(rewrite(text).encode(encoding, errors="replace"))
    assert want and got == want
