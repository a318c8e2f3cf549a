"""Ingest on Dask vs the local process pool: files/s, and the one writer's share.

On one folder (default: 10 copies of samples/*.txt plus a DOCX and a PDF of
samples/formats each, 100 files, under distinct names), each into an empty
database:

  pool:N   the local watched process pool of N workers (today's ingest)
  dask:N   a distributed.LocalCluster of N worker processes of one thread
           (`--cluster local:N`), started before the clock runs

and for each run: wall time, files/s, and the seconds the ingesting process
spent storing (db/ingest.py `_store`: one transaction per file), in all and a
file of each kind (a PDF of a seed report holds more rows than a short text). Storing is
the part that does not scale out: one process writes every file, so

  writer ceiling = files stored / seconds storing        (files/s)
  workers fed    = writer ceiling / files/s of one dask worker

is how many workers, each as fast as one here, a single writer keeps busy
on this mix of files (text is the worst case: it parses fastest; a scan's
OCR takes seconds a page, and one writer feeds a hundred times more).

    python benchmarks/bench_cluster.py [--copies 10] [--modes pool:2,dask:1,dask:2]
                                       [--db-url postgresql://…] [--json]

With --db-url (PostgreSQL) each run gets a fresh schema, dropped afterwards.
The machine's other load shows in the figures: run it on a quiet machine.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import db.ingest  # noqa: E402
from db.ingest import ingest_paths  # noqa: E402
from db.session import engine_for, open_db  # noqa: E402


def make_folder(out: Path, copies: int) -> int:
    out.mkdir(parents=True)
    sources = sorted((ROOT / "samples").glob("*.txt"))
    sources += [ROOT / "samples/formats/docx/000_f22173ecc6795b81.docx",
                ROOT / "samples/formats/pdf/001_4b2a88d741acaeec.pdf"]
    n = 0
    for i in range(copies):
        for src in sources:
            shutil.copyfile(src, out / f"{i:03d}_{src.name}")
            n += 1
    return n


class StoreClock:
    """Seconds spent in db.ingest._store (the writer), by wrapping it."""

    def __init__(self):
        self.seconds = 0.0
        self.calls = 0
        self.by_suffix: dict[str, list[float]] = {}  # suffix -> [seconds, files]
        self._real = db.ingest._store

    def __enter__(self):
        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return self._real(*args, **kwargs)
            finally:
                took = time.perf_counter() - t
                self.seconds += took
                self.calls += 1
                tally = self.by_suffix.setdefault(Path(args[3].job.key).suffix.lower(), [0.0, 0])
                tally[0] += took
                tally[1] += 1

        db.ingest._store = timed
        return self

    def __exit__(self, *exc):
        db.ingest._store = self._real


def database(base: str | None, scratch: Path, name: str):
    """(url, cleanup) of an empty database."""
    if not base:
        return f"sqlite:///{scratch / (name + '.sqlite')}", lambda: None
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = engine_for(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def run(mode: str, folder: Path, base: str | None, scratch: Path) -> dict:
    kind, _, n = mode.partition(":")
    n = int(n or 1)
    url, drop = database(base, scratch, mode.replace(":", "_"))
    executor = None
    try:
        if kind == "dask":
            from db.cluster import DaskExecutor

            executor = DaskExecutor(f"local:{n}")
        engine = open_db(url)
        try:
            with StoreClock() as clock:
                t0 = time.perf_counter()
                summary = ingest_paths(engine, [folder], workers=n, executor=executor)
                wall = time.perf_counter() - t0
        finally:
            engine.dispose()
    finally:
        if executor is not None:
            executor.close()
        drop()
    assert not summary.quarantined, summary.quarantined
    return {"mode": mode, "files": summary.files, "seconds": wall,
            "files_per_s": summary.files / wall, "store_seconds": clock.seconds,
            "store_share": clock.seconds / wall,
            "writer_ceiling": summary.files / clock.seconds if clock.seconds else None,
            "store_ms_by_suffix": {k: 1000 * s / n for k, (s, n) in sorted(clock.by_suffix.items())}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=int, default=10)
    ap.add_argument("--modes", default="pool:2,dask:1,dask:2")
    ap.add_argument("--db-url", default=None, help="PostgreSQL URL (a scratch database)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="jixiao-bench-cluster-"))
    try:
        folder = scratch / "reports"
        n = make_folder(folder, args.copies)
        rows = [run(mode, folder, args.db_url, scratch) for mode in args.modes.split(",")]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    one = next((r for r in rows if r["mode"] == "dask:1"), None)
    ceilings = [r["writer_ceiling"] for r in rows if r["writer_ceiling"]]
    ceiling = min(ceilings) if ceilings else None  # the most cautious
    fed = ceiling / one["files_per_s"] if one and ceiling else None
    if args.json:
        print(json.dumps({"folder_files": n, "db": "postgresql" if args.db_url else "sqlite",
                          "runs": rows, "writer_ceiling": ceiling, "workers_fed": fed},
                         indent=1))
        return 0
    print(f"{n} files ({'PostgreSQL' if args.db_url else 'SQLite'}), each run into an empty "
          "database")
    print(f"{'mode':8s} {'seconds':>8s} {'files/s':>8s} {'storing':>8s} {'share':>6s} "
          f"{'writer ceiling':>15s}")
    for r in rows:
        print(f"{r['mode']:8s} {r['seconds']:8.1f} {r['files_per_s']:8.1f} "
              f"{r['store_seconds']:7.1f}s {100 * r['store_share']:5.1f}% "
              f"{r['writer_ceiling'] or 0:11.0f} f/s")
    for r in rows:
        print(f"{r['mode']:8s} storing, ms a file: " + ", ".join(
            f"{k or '(none)'} {v:.0f}" for k, v in r["store_ms_by_suffix"].items()))
    if fed:
        print(f"one writer stores {ceiling:.0f} files/s: it keeps about {fed:.0f} workers "
              f"as fast as one dask worker here ({one['files_per_s']:.1f} files/s) busy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
