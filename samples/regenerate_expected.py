#!/usr/bin/env python3
"""Score the pipeline against the hand-made answers in samples/expected/.

    python samples/regenerate_expected.py            # per-sample F1 and every missed/extra fact
    python samples/regenerate_expected.py --write    # overwrite expected/*.json with pipeline output

The expected files were written by hand from the sample text. `--write` replaces
them with what the pipeline currently exports (docling-style golden files):
use it only after reading the differences this script prints and checking by
eye that the pipeline is now right where the old answer was wrong. `--write NAME`
limits it to one sample (file stem, e.g. `c_pipe_table`).

The scorer is /work/shared/score.py (or $JIXIAO_SCORE); without it only the
documents' doc_type/org/fiscal_year are compared.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXPECTED = HERE / "expected"
SCORE_PATHS = [os.environ.get("JIXIAO_SCORE", ""), "/work/shared/score.py", str(ROOT.parent / "shared" / "score.py")]

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def load_score_module():
    for p in SCORE_PATHS:
        if p and Path(p).is_file():
            spec = importlib.util.spec_from_file_location("jixiao_score", p)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            return mod
    return None


def sample_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.txt"))


def run_pipeline(paths: list[Path]) -> list[dict]:
    """Ingest `paths` into a fresh SQLite database and return the exported documents."""
    from db.export import export_documents
    from db.ingest import ingest_paths
    from db.session import open_db, session_factory

    with tempfile.TemporaryDirectory() as tmp:
        engine = open_db(f"sqlite:///{Path(tmp) / 'samples.sqlite'}")
        try:
            summary = ingest_paths(engine, paths)
            if summary.quarantined:
                for f in summary.quarantined:
                    print(f"quarantined: {f.path}: {f.error}", file=sys.stderr)
            with session_factory(engine)() as session:
                return export_documents(session)["documents"]
        finally:
            engine.dispose()


def docs_for(docs: list[dict], file_name: str) -> list[dict]:
    return [d for d in docs if Path(str((d.get("source") or {}).get("file"))).name == file_name]


def sample_f1(score_mod, gold: list[dict], pred: list[dict]) -> tuple[float, list[str]]:
    tally, misses = score_mod.score(gold, pred)
    tp, predicted, total = (sum(t[i] for t in tally.values()) for i in range(3))
    return score_mod.prf(tp, predicted, total)[2], misses


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", nargs="?", const="*", default=None, metavar="NAME",
                    help="overwrite expected/NAME.json (all when NAME is omitted) with pipeline output")
    ap.add_argument("--quiet", action="store_true", help="only the per-sample scores")
    args = ap.parse_args()

    files = sample_files()
    pred = run_pipeline(files)
    if args.write:
        for f in files:
            if args.write not in ("*", f.stem):
                continue
            docs = docs_for(pred, f.name)
            out = EXPECTED / f"{f.stem}.json"
            out.write_text(json.dumps({"documents": docs}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            print(f"wrote {out.relative_to(ROOT)} ({len(docs)} documents)")
        return 0

    score_mod = load_score_module()
    worst = 1.0
    for f in files:
        exp_path = EXPECTED / f"{f.stem}.json"
        if not exp_path.is_file():
            print(f"{f.stem}: no expected file")
            continue
        gold = json.loads(exp_path.read_text(encoding="utf-8"))["documents"]
        got = docs_for(pred, f.name)
        if score_mod is None:
            keys = lambda ds: sorted((d.get("doc_type"), (d.get("org") or {}).get("name"), d.get("fiscal_year")) for d in ds)
            ok = keys(gold) == keys(got)
            print(f"{f.stem}: {'same' if ok else 'DIFFERENT'} documents (score.py not found)")
            continue
        f1, misses = sample_f1(score_mod, gold, got)
        worst = min(worst, f1)
        print(f"{f.stem}: F1 {f1:.3f}")
        if not args.quiet:
            for m in misses:
                print(f"    {m}")
    return 0 if worst >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(main())
