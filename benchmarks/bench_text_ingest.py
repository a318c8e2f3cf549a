"""Pasted-text ingest speed and memory on one core.

Makes N varied copies of the seed reports (other counties, years and figures,
so no two files are alike), ingests them into a fresh SQLite database in one
process, and prints documents per second (median of --repeat runs) and the
peak resident memory. Every per-text cache is emptied before each run, so each
run is as cold as a new process. Process start-up (imports, and the word segmenter's dictionary,
which later stages load) is measured apart, in a fresh interpreter.

    python benchmarks/bench_text_ingest.py [--copies 200] [--repeat 3] [--seeds DIR]
"""
from __future__ import annotations

import argparse
import functools
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COUNTIES = ["临川区", "万载县", "清水河县", "西乌珠穆沁旗", "铜鼓县", "南漳县", "武功县", "凤冈县", "德江县", "宁陵县"]


def vary(text: str, rng: random.Random) -> str:
    """Another county, year and figures, same layout."""
    county = rng.choice(COUNTIES)
    text = re.sub(r"[\u4e00-\u9fa5]{2,4}(区|县|旗)(?=退役军人事务局)", county, text)
    year = rng.randint(2019, 2025)
    text = re.sub(r"20(2[0-4])(?=\s*年)", str(year), text)

    def jitter(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2)
        return f"{int(whole) + rng.randint(0, 9)}.{frac}"

    return re.sub(r"(?<![\d.])(\d{2,5})\.(\d{1,6})(?![\d.])", jitter, text)


def make_corpus(seeds: Path, folder: Path, copies: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    sources = sorted(seeds.glob("*.txt"))
    for i in range(copies):
        src = sources[i % len(sources)]
        (folder / f"{i:05d}_{src.name}").write_text(vary(src.read_text(encoding="utf-8"), rng), encoding="utf-8")
    return copies


def startup_seconds() -> tuple[float, float]:
    """(import of the pipeline, the word segmenter's dictionary load) in a fresh interpreter."""
    code = (
        "import time; t=time.perf_counter(); import pipeline, parsers, db.ingest; a=time.perf_counter()-t;"
        "from normalize.words import segmenter; t=time.perf_counter(); segmenter().cut('绩效');"
        "print(a, time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    a, b = out.stdout.split()
    return float(a), float(b)


def text_caches_clear() -> None:
    """Empty the project's per-text caches (a value, a label, a line read once),
    so that every run starts as a new process does: nothing it parses is known.
    Caches of loaded data (maxsize 1-4: vocabularies, the region table, the
    segmenter's dictionary) stay, as start-up is measured apart."""
    for name, mod in list(sys.modules.items()):
        if not str(getattr(mod, "__file__", "") or "").startswith(str(ROOT)):
            continue
        for obj in list(vars(mod).values()):
            if isinstance(obj, functools._lru_cache_wrapper):
                size = obj.cache_info().maxsize
                if size is None or size >= 256:
                    obj.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    args = ap.parse_args()
    if not args.seeds.is_dir():
        sys.exit(f"no seed folder at {args.seeds}; pass --seeds DIR")

    from db.ingest import ingest_paths
    from db.session import open_db
    from extract.limits import Limits

    import analysis.derive as derive

    # the derived tables (search index, regions, concepts) are built at the end of each run:
    # timed apart, and their caches emptied before each run so that every run starts cold
    derive_cpu: list[float] = []
    real_refresh = derive.refresh

    def timed_refresh(*a, **kw):
        c0 = time.process_time()
        try:
            return real_refresh(*a, **kw)
        finally:
            derive_cpu.append(time.process_time() - c0)

    derive.refresh = timed_refresh
    rates, cpu_rates, parse_rates, docs = [], [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = make_corpus(args.seeds, corpus, args.copies)
        for r in range(args.repeat):
            engine = open_db(f"sqlite:///{tmp}/bench{r}.sqlite")
            text_caches_clear()
            t, c = time.perf_counter(), time.process_time()
            # in this process (no per-file limits, so no worker process): the CPU time is all here
            summary = ingest_paths(engine, [corpus], workers=1, limits=Limits(file_seconds=0, worker_memory_bytes=0))
            elapsed, cpu = time.perf_counter() - t, time.process_time() - c
            engine.dispose()
            docs = summary.documents
            rates.append(docs / elapsed)
            cpu_rates.append(docs / cpu)
            parse_rates.append(docs / max(cpu - derive_cpu[-1], 1e-9))
            assert not summary.quarantined, summary.quarantined[:3]
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    imports, jieba_load = startup_seconds()
    print(f"files {files}, documents {docs}, runs {args.repeat}")
    print(f"documents/s (median, one core, SQLite): {statistics.median(rates):.1f}  (runs: {', '.join(f'{r:.1f}' for r in rates)})")
    # CPU time of this process: steadier than wall time on a shared machine
    print(f"documents per CPU-second (median): {statistics.median(cpu_rates):.1f}")
    print(f"  reading, parsing and storing alone: {statistics.median(parse_rates):.1f} documents per CPU-second; "
          f"the derived tables at the run's end: {statistics.median(derive_cpu):.2f} CPU-s "
          f"({100 * statistics.median(derive_cpu) * statistics.median(cpu_rates) / max(docs, 1):.0f}% of the run)")
    print(f"files/s (median): {statistics.median(rates) * files / max(docs, 1):.1f}")
    print(f"peak RSS: {peak_mib:.0f} MiB")
    print(f"start-up, apart: imports {imports * 1000:.0f} ms, word segmenter's dictionary {jieba_load * 1000:.0f} ms")


if __name__ == "__main__":
    main()
