"""Reading the database back out in exactly the SCHEMA.md shape.

Key order follows SCHEMA.md so diffs against gold files stay readable.
Whole numbers become ints where SCHEMA.md counts things or points (VALUE
numbers, weights, scores, points, staffing); money stays float.
"""
from __future__ import annotations

import json
from collections import defaultdict
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Check,
    Document,
    Expenditure,
    File,
    Finance,
    Indicator,
    RowMixin,
    Section,
    Task,
)


def _num(x: float | int | None) -> float | int | None:
    """4113.0 -> 4113; 98.6 stays; None stays."""
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def _source(r: RowMixin) -> dict[str, Any]:
    out: dict[str, Any] = {"file": r.src_file}
    if r.src_page is not None:
        out["page"] = r.src_page
    if r.src_line is not None:
        out["line"] = r.src_line
    if r.src_cell is not None:
        out["cell"] = r.src_cell
    return out


def _value(r: Indicator, prefix: str) -> dict[str, Any] | None:
    raw = getattr(r, f"{prefix}_raw")
    if raw is None:  # stored as all-null columns: the VALUE was absent
        return None
    return {
        "raw": raw,
        "op": getattr(r, f"{prefix}_op"),
        "value": _num(getattr(r, f"{prefix}_value")),
        "unit": getattr(r, f"{prefix}_unit"),
        "text": getattr(r, f"{prefix}_text"),
    }


def _finance(r: Finance) -> dict:
    return {"entity": r.entity, "item": r.item, "label": r.label, "measure": r.measure,
            "value": r.value, "source": _source(r)}


def _indicator(r: Indicator) -> dict:
    return {"group": r.grp, "level1": r.level1, "level2": r.level2,
            "level1_raw": r.level1_raw, "level2_raw": r.level2_raw, "name": r.name,
            "target": _value(r, "target"), "actual": _value(r, "actual"),
            "weight": _num(r.weight), "score": _num(r.score), "deviation": r.deviation,
            "source": _source(r)}


def _task(r: Task) -> dict:
    return {"section_no": r.section_no, "section": r.section,
            "section_points": _num(r.section_points), "item": r.item,
            "criterion": r.criterion, "points": _num(r.points), "deadline": r.deadline,
            "lead": r.lead, "unit": r.unit, "owner": r.owner, "source": _source(r)}


def _expenditure(r: Expenditure) -> dict:
    return {"entity": r.entity, "item": r.item, "value": r.value, "source": _source(r)}


def _section(r: Section) -> dict:
    return {"kind": r.kind, "heading": r.heading, "text": r.text}


def _check(r: Check) -> dict:
    return {"code": r.code, "message": r.message, "source": _source(r)}


# list key in DOCUMENT -> (model, row serialiser), in SCHEMA.md order
_LISTS = {
    "finance": (Finance, _finance),
    "indicators": (Indicator, _indicator),
    "tasks": (Task, _task),
    "expenditures": (Expenditure, _expenditure),
    "sections": (Section, _section),
    "checks": (Check, _check),
}


def _evaluation(d: Document) -> dict | None:
    if not d.has_evaluation:
        return None
    return {"total_score": d.eval_total_score, "max_score": d.eval_max_score,
            "grade": d.eval_grade, "grade_raw": d.eval_grade_raw,
            "agency": d.eval_agency, "lead": d.eval_lead, "date": d.eval_date}


def _staffing(d: Document) -> dict | None:
    if not d.has_staffing:
        return None
    return {"authorized": _num(d.staff_authorized),
            "authorized_admin": _num(d.staff_authorized_admin),
            "authorized_institution": _num(d.staff_authorized_institution),
            "actual": _num(d.staff_actual),
            "internal_units": _num(d.staff_internal_units),
            "subordinate_units": _num(d.staff_subordinate_units)}


def _document(d: Document, f: File, lists: dict[str, list[dict]]) -> dict:
    return {
        "source": {"file": f.name, "sha256": f.sha256, "format": f.format,
                   "start": d.start, "end": d.end},
        "doc_type": d.doc_type,
        "title": d.title,
        "org": {"name": d.org_name, "region": d.org_region, "department": d.org_department},
        "fiscal_year": d.fiscal_year,
        "scope": d.scope,
        "project": d.project,
        "evaluation": _evaluation(d),
        "staffing": _staffing(d),
        **lists,
    }


def _bytewise(col, session: Session):
    # SQLite compares text bytewise; PostgreSQL by the database's locale.
    # "C" makes both order Chinese names alike, so exports are identical.
    return col.collate("C") if session.get_bind().dialect.name == "postgresql" else col


def export_documents(session: Session, include_missing: bool = False) -> dict:
    """`{"documents": [...]}` for every stored document, by file name then order.

    Files that a run found gone (`files.missing_since`) keep their rows but
    are left out unless `include_missing`.
    """
    query = (
        select(Document, File)
        .join(File, Document.file_id == File.id)
        .order_by(_bytewise(File.name, session), _bytewise(File.path, session),
                  Document.ordinal)
    )
    if not include_missing:
        query = query.where(File.missing_since.is_(None))
    docs = session.execute(query).all()
    # One query per table rather than per document: exports stay fast on
    # thousands of documents.
    grouped: dict[str, dict[int, list[dict]]] = {}
    for key, (model, row) in _LISTS.items():
        by_doc: dict[int, list[dict]] = defaultdict(list)
        for r in session.scalars(select(model).order_by(model.document_id, model.ordinal)):
            by_doc[r.document_id].append(row(r))
        grouped[key] = by_doc
    return {
        "documents": [
            _document(d, f, {key: grouped[key].get(d.id, []) for key in _LISTS})
            for d, f in docs
        ]
    }


def export_json(session: Session, fp: IO[str], include_missing: bool = False) -> None:
    """Write the export as UTF-8 JSON, Chinese kept readable."""
    json.dump(export_documents(session, include_missing), fp, ensure_ascii=False, indent=1)
    fp.write("\n")
