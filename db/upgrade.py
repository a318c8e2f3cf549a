"""`jixiao upgrade`: bring a database made by an older jixiao to this one's
schema (the Alembic migrations of db/migrations/) and rebuild the derived
tables the read commands use (analysis/derive.py).

The read commands never migrate nor derive (they may run on a read-only
file, or as a role with SELECT rights only): they refuse an older schema
and point here. The rebuild runs under the run lock, so it never overlaps an
ingest (which rebuilds at its end itself).
"""
from __future__ import annotations

import os
from typing import Callable

from sqlalchemy import func, select

from db.models import IndicatorConcept, OrgRegion, SearchEntry
from db.runs import take_run_lock
from db.session import (
    NotReadable, _sqlite_file, engine_for, head_revision, open_migrated, schema_state,
    session_factory, shown_db,
)


class CannotUpgrade(Exception):
    """The database cannot be written here (a read-only file or folder)."""


def upgrade(url: str, wait: float = 0.0, on_wait: Callable[[str], None] | None = None) -> str:
    """Migrate and rebuild; the one line to print. NotReadable for a missing
    SQLite file (a mistyped --db is not created), one that is no jixiao
    database, or a schema newer than this code; CannotUpgrade where it cannot
    be written; RunBusy if an ingest holds it longer than `wait` seconds.
    `on_wait(line)`: called once before waiting for it, the line naming the
    run and how long at most (db/runs.py `take_run_lock`)."""
    path = _sqlite_file(url)
    if path is not None:
        if not os.path.isfile(path):
            raise NotReadable(f"no database at {path}: check --db (`jixiao ingest` creates one)")
        folder = os.path.dirname(os.path.abspath(path))
        if not (os.access(path, os.W_OK) and os.access(folder, os.W_OK)):
            raise CannotUpgrade(f"{path} cannot be written here (a read-only file or folder): "
                                "upgrade a writable copy; the read commands read it as it is")
    probe = engine_for(url)
    try:
        state, before, tables = schema_state(probe)
    finally:
        probe.dispose()
    if state == "newer":
        raise NotReadable(f"the database was made by a newer jixiao (schema revision {before}; "
                          f"this one knows up to {head_revision()}): install the newer jixiao")
    if state == "foreign":
        raise NotReadable(f"{shown_db(url)} is not a jixiao database (its tables: "
                          f"{', '.join(sorted(tables)[:5])}): check --db")
    engine, done = open_migrated(url)
    try:
        from analysis.derive import refresh

        Session = session_factory(engine)
        lock, held = take_run_lock(engine, Session, wait, on_wait)
        try:
            refresh(engine, force=True, lock=held)
        finally:
            lock.__exit__(None, None, None)
        with Session() as s:
            n = [s.scalar(select(func.count()).select_from(m))
                 for m in (OrgRegion, IndicatorConcept, SearchEntry)]
    finally:
        engine.dispose()
    head = head_revision()
    schema = {"current": f"schema at revision {head} already",
              "created": f"schema created at revision {head}",
              "upgraded": f"schema upgraded from revision {before or 'none (before revisions)'} "
                          f"to {head}"}[done]
    return (f"{schema}; derived tables rebuilt: {n[0]} document regions, "
            f"{n[1]} indicator concepts, {n[2]} search entries")
