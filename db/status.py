"""`jixiao status`: the last runs, the files in quarantine and why, missing files."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import File, Quarantine, Run

_COLUMNS = ("files", "new", "changed", "reparsed", "skipped", "failed", "missing", "documents")


def _when(dt) -> str:
    return f"{dt:%Y-%m-%d %H:%M:%S}" if dt else "-"


def _took(run: Run) -> str:
    if run.ended_at is None:
        return "-"
    s = (run.ended_at - run.started_at).total_seconds()
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def status_lines(session: Session, runs: int = 10, list_missing: bool = False,
                 lock_free: bool | None = None) -> list[str]:
    """`lock_free`: whether the run lock was free just now (db.session.lock_is_free).
    If it was, a run still marked `running` is dead (killed, or its machine
    or database went away) and is shown `interrupted`, as the next run will
    record it."""
    out: list[str] = []
    last = session.scalars(select(Run).order_by(Run.id.desc()).limit(runs)).all()
    dead = {r.id for r in last if r.status == "running" and lock_free}
    if not last:
        out.append("No runs yet.")
    else:
        out.append(f"Last {len(last)} runs, newest first (times UTC):")
        header = ["run", "started", "took", "status", *_COLUMNS]
        rows = [[str(r.id), _when(r.started_at), _took(r),
                 "interrupted" if r.id in dead else r.status,
                 *(str(getattr(r, c) or 0) for c in _COLUMNS)] for r in last]
        widths = [max(len(x) for x in col) for col in zip(header, *rows)]
        for row in [header, *rows]:
            out.append("  " + "  ".join(x.ljust(w) for x, w in zip(row, widths)).rstrip())
        for r in last:
            if r.error:
                out.append(f"  run {r.id} failed: {r.error}")
            if r.id in dead:
                out.append(f"  run {r.id} (pid {r.pid} on {r.host}) is marked running, but no "
                           "process holds the run lock: it died (killed, or it lost its "
                           "machine or database); its stored files are complete")
    quarantined = session.execute(
        select(Quarantine, File.missing_since)
        .join(File, File.path == Quarantine.path, isouter=True)
        .order_by(Quarantine.path)).all()
    out.append("")
    out.append(f"Quarantined files: {len(quarantined)}")
    for q, missing_since in quarantined:
        gone = " (file now missing)" if missing_since is not None else ""
        run = f"run {q.run_id}, " if q.run_id is not None else ""
        out.append(f"  {q.path}{gone}")
        out.append(f"      {q.stage}: {q.error}  [{run}{_when(q.at)}]")
    missing = session.scalar(
        select(func.count()).select_from(File).where(File.missing_since.is_not(None)))
    out.append("")
    out.append(f"Missing files: {missing} (rows kept, left out of exports)")
    if list_missing and missing:
        for path, since in session.execute(
                select(File.path, File.missing_since)
                .where(File.missing_since.is_not(None)).order_by(File.path)):
            out.append(f"  {path}  [gone since {_when(since)}]")
    return out


# ------------------------------------------------------------ --json

def _iso(dt) -> str | None:
    return dt.isoformat(sep=" ", timespec="seconds") if dt else None


def status_json(session: Session, runs: int = 10, list_missing: bool = False,
                lock_free: bool | None = None) -> dict:
    """What status_lines says, as one JSON object (`jixiao status --json`):
    runs newest first (times UTC), the quarantined files, the missing ones."""
    last = session.scalars(select(Run).order_by(Run.id.desc()).limit(runs)).all()
    dead = {r.id for r in last if r.status == "running" and lock_free}
    out_runs = []
    for r in last:
        took = (r.ended_at - r.started_at).total_seconds() if r.ended_at else None
        out_runs.append({
            "id": r.id, "started_at": _iso(r.started_at), "ended_at": _iso(r.ended_at),
            "seconds": took, "status": "interrupted" if r.id in dead else r.status,
            "pipeline_version": r.pipeline_version, "host": r.host, "pid": r.pid,
            "workers": r.workers, **{c: getattr(r, c) or 0 for c in _COLUMNS},
            "error": r.error})
    quarantined = session.execute(
        select(Quarantine, File.missing_since)
        .join(File, File.path == Quarantine.path, isouter=True)
        .order_by(Quarantine.path)).all()
    missing = session.scalar(
        select(func.count()).select_from(File).where(File.missing_since.is_not(None)))
    out = {
        "runs": out_runs,
        "quarantined": [{"path": q.path, "stage": q.stage, "error": q.error, "run": q.run_id,
                         "at": _iso(q.at), "file_missing": missing_since is not None}
                        for q, missing_since in quarantined],
        "missing": missing,
    }
    if list_missing:
        out["missing_files"] = [
            {"path": path, "since": _iso(since)} for path, since in session.execute(
                select(File.path, File.missing_since)
                .where(File.missing_since.is_not(None)).order_by(File.path))]
    return out
