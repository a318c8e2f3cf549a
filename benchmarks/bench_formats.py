"""Extraction speed, peak memory and table-cell accuracy per format on samples/formats.

For every format folder (docx, pdf, xlsx, html; the seeds' pasted text for
reference) the extractor reads all five reports in a fresh interpreter,
--repeat times; the figures are the median pages per second (pages: the page
count of the same report's PDF, so the formats compare on the same content)
and the median peak RSS of the process, with the interpreter's RSS after
imports beside it.

For the PDFs, the same is measured for plain pdfplumber (`extract_tables()`
on every page, default settings), camelot (lattice), and pypdfium2's plain
text (no tables at all: what a text-only fast path would cost). Cell
accuracy: the non-empty cells each one produced, matched as a multiset
against the cells of the text extraction of the same seed (white space
ignored); `right` is how many text cells were found, `extra` how many
produced cells have no counterpart.

    python benchmarks/bench_formats.py [--repeat 3] [--samples samples/formats] [--seeds ../shared/seeds]
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, {root!r})
method, files = sys.argv[1], sys.argv[2:]
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if method == "jixiao":
    from extract import read_file
    import extract.pdf, extract.pdf_pdfium, pdfplumber  # noqa: F401 - imports are not the extraction
    run = lambda f: [[[c.text for c in row] for row in b.rows] for b in read_file(f).blocks if b.kind == "table"]
elif method == "pdfplumber":
    import pdfplumber
    def run(f):
        with pdfplumber.open(f) as pdf:
            return [t for p in pdf.pages for t in p.extract_tables()]
elif method == "camelot":
    import camelot
    def run(f):
        return [t.df.values.tolist() for t in camelot.read_pdf(f, pages="all", flavor="lattice")]
elif method == "pdfium-text":
    import pypdfium2 as pdfium
    def run(f):
        doc = pdfium.PdfDocument(f)
        text = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        doc.close()
        return []
base = rss()
t0 = time.perf_counter()
out = {{f: run(f) for f in files}}
seconds = time.perf_counter() - t0
print(json.dumps({{"seconds": seconds, "rss_kb": rss(), "base_kb": base, "tables": out}}, ensure_ascii=False))
'''


def norm(text) -> str:
    from normalize.text import to_halfwidth

    return re.sub(r"\s+", "", to_halfwidth(str(text or "")))


def text_cells(seed: Path) -> Counter:
    from extract import read_file

    return Counter(norm(c.text) for b in read_file(seed).blocks if b.kind == "table"
                   for c in b.cells() if norm(c.text))


def run_child(method: str, files: list[Path]) -> dict:
    code = CHILD.format(root=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code, method, *map(str, files)],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    n = len(doc)
    doc.close()
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--samples", type=Path, default=ROOT / "samples" / "formats")
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = ap.parse_args()

    pdfs = sorted((args.samples / "pdf").glob("*.pdf"))
    if not pdfs:
        raise SystemExit(f"no PDFs in {args.samples / 'pdf'}: run samples/build_formats.py first")
    pages = {p.stem: pdf_pages(p) for p in pdfs}
    total_pages = sum(pages.values())
    print(f"{len(pdfs)} reports, {total_pages} PDF pages; median of {args.repeat} runs, one fresh process each")

    truth = {p.stem: text_cells(args.seeds / f"{p.stem}.txt") for p in pdfs} if args.seeds.is_dir() else {}
    n_truth = sum(sum(c.values()) for c in truth.values())

    rows = []
    jobs = [(fmt, "jixiao", sorted((args.samples / fmt).glob(f"*.{fmt}"))) for fmt in ("docx", "pdf", "xlsx", "html")]
    if args.seeds.is_dir():
        jobs.insert(0, ("txt", "jixiao", sorted(args.seeds.glob("*.txt"))))
    jobs += [("pdf", "pdfplumber", pdfs), ("pdf", "camelot", pdfs), ("pdf", "pdfium-text", pdfs)]
    for fmt, method, files in jobs:
        if not files:
            continue
        try:
            runs = [run_child(method, files) for _ in range(args.repeat)]
        except RuntimeError as exc:
            rows.append((fmt, method, None, None, None, f"failed: {exc}"))
            continue
        secs = statistics.median(r["seconds"] for r in runs)
        rss = statistics.median(r["rss_kb"] for r in runs) / 1024
        base = statistics.median(r["base_kb"] for r in runs) / 1024
        right = extra = 0
        if truth and method != "pdfium-text":
            for f, tables in runs[0]["tables"].items():
                got = Counter(norm(c) for t in tables for row in t for c in row if norm(c))
                want = truth.get(Path(f).stem, Counter())
                right += sum((got & want).values())
                extra += sum((got - want).values())
        cells = f"{right}/{n_truth} right, {extra} extra" if truth and method != "pdfium-text" else "(no tables)"
        rows.append((fmt, method, total_pages / secs, rss, base, cells))

    print(f"{'format':6} {'reader':12} {'pages/s':>8} {'peak MiB':>9} {'(imports)':>9}  table cells vs the text")
    for fmt, method, pps, rss, base, cells in rows:
        if pps is None:
            print(f"{fmt:6} {method:12} {'-':>8} {'-':>9} {'-':>9}  {cells}")
        else:
            print(f"{fmt:6} {method:12} {pps:8.1f} {rss:9.0f} {base:9.0f}  {cells}")
    print_whole_pipeline(args, total_pages)


def print_whole_pipeline(args, total_pages: int) -> None:
    """Read, parse and store into SQLite, as `jixiao ingest` does: the issue's targets are for this."""
    import tempfile
    import time

    sys.path.insert(0, str(ROOT))
    from db.ingest import ingest_paths
    from db.session import open_db

    print(f"\nwhole pipeline (read, parse, store in SQLite), one core, median of {args.repeat}:")
    print(f"{'format':6} {'documents/s':>12} {'pages/s':>8}")
    folders = [("txt", args.seeds)] + [(fmt, args.samples / fmt) for fmt in ("docx", "pdf", "xlsx", "html")]
    for fmt, folder in folders:
        if not folder.is_dir():
            continue
        timings, docs = [], 0
        for _ in range(args.repeat + 1):  # the first run warms up (imports, compiled patterns)
            with tempfile.TemporaryDirectory() as tmp:
                engine = open_db(f"sqlite:///{tmp}/b.sqlite")
                t0 = time.perf_counter()
                summary = ingest_paths(engine, [folder])
                timings.append(time.perf_counter() - t0)
                engine.dispose()
                docs = summary.documents
        secs = statistics.median(timings[1:])
        print(f"{fmt:6} {docs / secs:12.1f} {total_pages / secs:8.1f}")


if __name__ == "__main__":
    main()
