"""Batch ingest: cold and warm runs, files per second and peak memory, by size.

For each size (default 500, 1000, 2000 files) makes a folder of varied copies
of the seed reports (bench_text_ingest.make_corpus: other counties, years and
figures, so no two files are alike; samples/*.txt when the seeds are absent),
then, each in a fresh interpreter:

  cold  ingest into a new SQLite database (every file read, parsed, stored)
  warm  ingest the same folder again (every file skipped by its stat)

and prints files/s, the peak resident memory of the ingesting process and of
the largest worker, and how time and memory grow from the smallest size to
the largest: time should grow linearly (files/s flat), memory not at all.

    python benchmarks/bench_batch.py [--sizes 500,1000,2000] [--workers N] [--db-url URL]

With --db-url (e.g. a PostgreSQL URL) the runs go there instead: each size
empties the database first (it must be a scratch database).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _descendants(pid: int) -> list[int]:
    """Processes below `pid` (workers fork from the forkserver, our child)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _peak_worker_rss(stop: threading.Event, peak: list[float]) -> None:
    """Sample the workers' high-water marks (VmHWM) until the run ends."""
    while not stop.wait(0.2):
        for pid in _descendants(os.getpid()):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) / 1024)
            except OSError:
                pass


def child(url: str, folder: str, workers: int) -> None:
    """One run in this fresh process; print its figures as JSON."""
    from db.ingest import ingest_paths
    from db.session import open_db

    stop, peak = threading.Event(), [0.0]
    sampler = threading.Thread(target=_peak_worker_rss, args=(stop, peak), daemon=True)
    if Path("/proc/self/status").exists():
        sampler.start()
    engine = open_db(url)
    t = time.perf_counter()
    s = ingest_paths(engine, [folder], workers=workers)
    seconds = time.perf_counter() - t
    engine.dispose()
    stop.set()
    print(json.dumps({
        "seconds": seconds, "found": s.found, "stored": s.files, "skipped": s.skipped,
        "failed": len(s.quarantined), "documents": s.documents,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_rss_mib": peak[0],
    }))


def run(url: str, folder: Path, workers: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", url, str(folder), str(workers)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def make(folder: Path, n: int, seeds: Path) -> None:
    from bench_text_ingest import make_corpus

    folder.mkdir(parents=True)
    if seeds.is_dir() and any(seeds.glob("*.txt")):
        make_corpus(seeds, folder, n)
    else:
        samples = sorted((ROOT / "samples").glob("*.txt"))  # same bytes, distinct names
        for i in range(n):
            src = samples[i % len(samples)]
            shutil.copyfile(src, folder / f"{i:05d}_{src.name}")
    # Written an hour ago, as files on a share usually were: files modified
    # seconds before a run are hashed on the next run (db.ingest.RACY_NS).
    hour_ago = time.time() - 3600
    for p in folder.iterdir():
        os.utime(p, (hour_ago, hour_ago))


def empty(url: str) -> None:
    from db.models import Base
    from db.session import engine_for

    engine = engine_for(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    from db.ingest import default_workers

    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--seeds", type=Path, default=ROOT.parent / "shared" / "seeds")
    ap.add_argument("--db-url", help="a scratch database instead of a new SQLite file")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = Path(tmp) / f"corpus{n}"
            make(folder, n, args.seeds)
            if args.db_url:
                url = args.db_url
                empty(url)
            else:
                url = f"sqlite:///{tmp}/bench{n}.sqlite"
            cold = run(url, folder, args.workers)
            warm = run(url, folder, args.workers)
            assert cold["stored"] == n and cold["failed"] == 0, cold
            assert warm["skipped"] == n and warm["stored"] == 0, warm
            rows.append((n, cold, warm))
            print(f"{n} files: cold {n / cold['seconds']:.1f} files/s "
                  f"({cold['seconds']:.1f} s, {cold['documents']} documents), "
                  f"warm {n / warm['seconds']:.0f} files/s ({warm['seconds'] * 1000:.0f} ms); "
                  f"peak RSS cold {cold['rss_mib']:.0f} MiB (largest worker "
                  f"{cold['worker_rss_mib']:.0f} MiB), warm {warm['rss_mib']:.0f} MiB",
                  flush=True)
    (n0, c0, w0), (n1, c1, w1) = rows[0], rows[-1]
    print(f"\nworkers {args.workers}, database {'given URL' if args.db_url else 'SQLite'}")
    print(f"from {n0} to {n1} files (x{n1 / n0:g}):")
    print(f"  cold time x{c1['seconds'] / c0['seconds']:.2f}, "
          f"files/s {n0 / c0['seconds']:.1f} -> {n1 / c1['seconds']:.1f}")
    print(f"  warm time x{w1['seconds'] / w0['seconds']:.2f}, "
          f"files/s {n0 / w0['seconds']:.0f} -> {n1 / w1['seconds']:.0f}")
    print(f"  peak RSS cold {c0['rss_mib']:.0f} -> {c1['rss_mib']:.0f} MiB, "
          f"largest worker {c0['worker_rss_mib']:.0f} -> {c1['worker_rss_mib']:.0f} MiB, "
          f"warm {w0['rss_mib']:.0f} -> {w1['rss_mib']:.0f} MiB")


if __name__ == "__main__":
    main()
