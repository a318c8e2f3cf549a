"""The README's example outputs are what the code prints today.

docs/readme_examples.py --check builds the samples database the way the
README's first set-up command does (`pipeline.py ingest samples`, the real
command with its worker processes), runs every marked example block of
README.md (`<!-- example: NAME -->`) in a working directory like a user's, and
exits 1 with a diff when an output block is stale. Fix: run
`python docs/readme_examples.py` and commit README.md (and
docs/readme_examples.ocr.json.xz if it changed).

Cost: about 25 s on 2 cores. The 34 OCR'd sample pages are answered from the
memo docs/readme_examples.ocr.json.xz, which is keyed by each page image and
a fingerprint of the OCR code and libraries; everything else runs for real.
When the OCR code changed, the pages are read by OCR for real (the check is
as strict, it takes ~2.5 min more) and this test warns that the memo should
be refreshed.
"""
from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "readme_examples.py"


def test_the_readme_examples_are_current():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    ocr = re.search(r"OCR: (\d+) pages from the memo, (\d+) read by OCR", proc.stderr)
    if ocr and int(ocr.group(2)):
        warnings.warn(f"{ocr.group(2)} OCR pages were not in docs/readme_examples.ocr.json.xz "
                      "(the OCR code or its libraries changed): the check read them by OCR, "
                      "slowly; `python docs/readme_examples.py` refreshes the memo")
    assert proc.returncode == 0, (
        "README.md's examples are stale (or failed to run): run "
        "`python docs/readme_examples.py` and commit README.md\n"
        + proc.stdout[-20000:] + "\n" + proc.stderr[-5000:])


def _script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_examples", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_markers_are_read_and_a_block_is_written_back_as_it_was():
    rx = _script()
    lines = (ROOT / "README.md").read_text(encoding="utf-8").split("\n")
    blocks = [b for b in rx.find_blocks(lines) if b.kind == "example"]
    assert {"checks", "analysis"} <= {b.name for b in blocks}
    for b in blocks:
        if b.lang != "python":
            assert rx.render_segments(b) == lines[b.start:b.end], b.name
    analysis = next(b for b in blocks if b.name == "analysis")
    assert analysis.options == {"port": "8001", "interrupt": "Uvicorn running"}
    assert all("--db jixiao.sqlite" in s.command for s in analysis.segments)


def test_what_varies_is_masked_and_nothing_else():
    rx = _script()
    old = ["run 1: 35 files: 35 new; 46 documents stored, 0 in quarantine (153.9 s)",
           "  1    2026-12-02 01:53:27  2.6 min  ok      35",
           "INFO:     Started server process [7325]"]
    new = ["run 2: 35 files: 35 new; 46 documents stored, 0 in quarantine (9.0 s)",
           "  1    2027-01-03 11:00:00  12 s  ok      35",
           "INFO:     Started server process [11]"]
    assert rx.masked(old) == rx.masked(new)
    assert rx.masked(["13 tables and views, 4150 rows"]) != rx.masked(["13 tables and views, 4151 rows"])
    assert rx.masked(["岳麓区 85.66"]) != rx.masked(["岳麓区 85.67"])
    work = Path("/tmp/jixiao-readme-x/work")
    text = ("jixiao: 3/35 files read (8%), 0.4 files/s; reading a.pdf: page 1 of 6\n"
            f"chart -> {work}/sat.png  \n\n")
    assert rx.clean_output(text, work) == ["chart -> sat.png"]
