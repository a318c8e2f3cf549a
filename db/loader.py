"""Writing one file's parse results, or its failure, into the database.

Both functions replace whatever an earlier run stored for the same path, so
re-running the pipeline never duplicates rows. They do not commit: the caller
wraps each file in one transaction so a failure leaves nothing half-written.
"""
from __future__ import annotations

import os
from dataclasses import asdict
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from db import PIPELINE_VERSION
from db.models import (
    Check,
    Document,
    DocumentFact,
    Expenditure,
    File,
    Finance,
    Indicator,
    Quarantine,
    Section,
    Task,
    Unclaimed,
)
from extract.ir import ExtractedFile, Provenance
from parsers.records import DocumentRecord, Value


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)  # naive UTC: portable


def _money(v: float | None) -> float | None:
    # Parsers already round to the cent; rounding again removes float noise
    # such as 96927861.37000001 from unit conversion.
    return None if v is None else round(float(v), 2)


def _src(prov: Provenance) -> dict:
    return {
        "src_file": prov.file,
        "src_line": prov.line,
        "src_page": prov.page,
        "src_cell": prov.cell(),  # one definition of the cell code
    }


def _value(prefix: str, v: Value | None) -> dict:
    fields = ("raw", "op", "value", "unit", "text")
    return {f"{prefix}_{f}": getattr(v, f) if v is not None else None for f in fields}


def _forget_path(session: Session, path: str) -> None:
    """Drop everything stored for `path`; documents and their rows cascade."""
    # table-level (Core) deletes: the ORM's would first evaluate which loaded
    # objects they touch, for every file of a run
    files, quarantine = File.__table__, Quarantine.__table__
    session.execute(delete(files).where(files.c.path == path))
    session.execute(delete(quarantine).where(quarantine.c.path == path))


def _document(file_id: int, ordinal: int, rec: DocumentRecord) -> dict:
    """The documents row."""
    # evaluation and staffing fields map one to one onto eval_* / staff_* columns
    ev = asdict(rec.evaluation) if rec.evaluation is not None else {}
    st = asdict(rec.staffing) if rec.staffing is not None else {}
    return dict(
        file_id=file_id,
        ordinal=ordinal,
        doc_type=rec.doc_type,
        title=rec.title,
        org_name=rec.org_name,
        org_region=rec.org_region,
        org_department=rec.org_department,
        fiscal_year=rec.fiscal_year,
        scope=rec.scope,
        project=rec.project,
        start=rec.start.where() if rec.start else None,
        end=rec.end.where() if rec.end else None,
        has_evaluation=rec.evaluation is not None,
        has_staffing=rec.staffing is not None,
        **{f"eval_{k}": v for k, v in ev.items()},
        **{f"staff_{k}": v for k, v in st.items()},
    )


def _rows(doc_id: int, rec: DocumentRecord) -> dict[type, list[dict]]:
    """The row dicts of one document, per table, in the parser's order."""

    def base(i: int, prov: Provenance) -> dict:
        return {"document_id": doc_id, "ordinal": i, **_src(prov)}

    return {
        Finance: [
            {**base(i, r.prov), "entity": r.entity, "item": r.item, "label": r.label,
             "measure": r.measure, "value": _money(r.value)}
            for i, r in enumerate(rec.finance)
        ],
        Indicator: [
            {**base(i, r.prov), "grp": r.group, "level1": r.level1, "level2": r.level2,
             "level1_raw": r.level1_raw, "level2_raw": r.level2_raw, "name": r.name,
             **_value("target", r.target), **_value("actual", r.actual),
             "weight": r.weight, "score": r.score, "deviation": r.deviation}
            for i, r in enumerate(rec.indicators)
        ],
        Task: [
            {**base(i, r.prov), "section_no": r.section_no, "section": r.section,
             "section_points": r.section_points, "item": r.item, "criterion": r.criterion,
             "points": r.points, "deadline": r.deadline, "lead": r.lead, "unit": r.unit,
             "owner": r.owner}
            for i, r in enumerate(rec.tasks)
        ],
        Expenditure: [
            {**base(i, r.prov), "entity": r.entity, "item": r.item, "value": _money(r.value)}
            for i, r in enumerate(rec.expenditures)
        ],
        Section: [
            {**base(i, r.prov), "kind": r.kind, "heading": r.heading, "text": r.text}
            for i, r in enumerate(rec.sections)
        ],
        Check: [
            {**base(i, r.prov), "code": r.code, "message": r.message}
            for i, r in enumerate(rec.checks)
        ],
        Unclaimed: [
            {**base(i, prov), "text": text} for i, (text, prov) in enumerate(rec.unclaimed)
        ],
        DocumentFact: [
            {**base(i, prov), "field": name, "value": str(value)}
            for i, (name, (value, prov)) in enumerate(rec.fact_sources.items())
        ],
    }


def store_file(
    session: Session,
    extracted: ExtractedFile,
    records: list[DocumentRecord],
    pipeline_version: str,
    *,
    size: int | None = None,
    mtime_ns: int | None = None,
    run_id: int | None = None,
    new: bool = False,
) -> int:
    """Replace what is stored for `extracted.path` with `records`; return files.id.

    `size` and `mtime_ns` should be the stat taken before the file was read:
    if the file changed since, the next run sees a different stat and checks.
    `new`: the caller knows nothing is stored for the path (an ingest's plan,
    under its run lock), so there is nothing to drop first.
    """
    if not new:
        _forget_path(session, extracted.path)
    if size is None:
        try:
            size = os.path.getsize(extracted.path)
        except OSError:
            size = None  # the bytes may not come from disk (tests, stdin)
    # Core statements on the session's connection, one executemany per table
    # for all the file's documents: the ORM's unit of work per object cost
    # more than the rows themselves (db/loader.py was a third of an ingest).
    conn = session.connection()
    # rows as parameters of one cached statement per table, not .values():
    # a statement built per row is compiled per row
    file_id = conn.execute(insert(File.__table__), dict(
        path=extracted.path, name=extracted.name, sha256=extracted.sha256,
        format=extracted.format, encoding=extracted.encoding, size=size, status="ingested",
        pipeline_version=pipeline_version, ingested_at=_now(), mtime_ns=mtime_ns,
        run_id=run_id)).inserted_primary_key[0]
    tables: dict[type, list[dict]] = {}
    for ordinal, rec in enumerate(records):
        doc_id = conn.execute(insert(Document.__table__),
                              _document(file_id, ordinal, rec)).inserted_primary_key[0]
        for model, rows in _rows(doc_id, rec).items():
            tables.setdefault(model, []).extend(rows)
    for model, rows in tables.items():
        if rows:
            _insert_rows(conn, model.__table__, rows)
    return file_id


def _insert_rows(conn, table, rows: list[dict]) -> None:
    """One executemany of a table's rows. On SQLite straight through the driver
    with a statement compiled once: SQLAlchemy's per-row parameter processing
    was most of storing a file (these tables hold plain text and numbers only,
    nothing it would convert). Elsewhere SQLAlchemy's own batched insert."""
    if conn.dialect.name != "sqlite":
        conn.execute(table.insert(), rows)
        return
    keys = tuple(rows[0])  # _rows builds every row of a table with the same keys
    sql, order = _sqlite_insert(table, keys)
    conn.exec_driver_sql(sql, [tuple(r[k] for k in order) for r in rows])


@lru_cache(maxsize=64)
def _sqlite_insert(table, keys: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    from sqlalchemy.dialects import sqlite

    compiled = insert(table).compile(dialect=sqlite.dialect(), column_keys=list(keys))
    return str(compiled), tuple(compiled.positiontup)


def quarantine_file(
    session: Session,
    path: str,
    name: str,
    sha256: str | None,
    stage: str,
    error: str,
    pipeline_version: str | None = None,
    *,
    size: int | None = None,
    mtime_ns: int | None = None,
    run_id: int | None = None,
) -> int:
    """Record why `path` failed; return quarantine.id.

    Rows from an earlier successful run are dropped too: the database shows
    each path's latest state, never data the current pipeline cannot reproduce.
    """
    _forget_path(session, path)
    now = _now()
    version = pipeline_version or PIPELINE_VERSION
    # The stat and digest let the next run skip the file until it or the
    # pipeline changes.
    session.add(
        File(path=path, name=name, sha256=sha256, status="quarantined", size=size,
             mtime_ns=mtime_ns, pipeline_version=version, ingested_at=now, run_id=run_id)
    )
    q = Quarantine(path=path, name=name, sha256=sha256, stage=stage, error=error, at=now,
                   pipeline_version=version, run_id=run_id)
    session.add(q)
    session.flush()
    return q.id
