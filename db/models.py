"""SQLAlchemy models: one table per SCHEMA.md list, plus files and quarantine.

Every row table hangs off `documents` with ON DELETE CASCADE, so replacing a
file is "delete its documents, insert the new ones". Each row keeps its
position (`ordinal`) so the export reproduces the parser's order, and its
provenance (`src_*`) so any value can be traced back to the file.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class File(Base):
    """The latest known state of one input path: ingested or quarantined.

    One row per path (unique). `sha256` is the file's identity; `size` and
    `mtime_ns` are what `os.stat` said when it was read, so an unchanged file
    is recognised without reading it. `missing_since` is set when a run walks
    the file's folder and the file is gone: its rows are kept, left out of
    exports, and come back if the file does.
    """

    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text, index=True, unique=True)
    name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    format: Mapped[str | None] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(40))
    size: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # 'ingested' | 'quarantined'
    pipeline_version: Mapped[str] = mapped_column(String(20))
    ingested_at: Mapped[datetime] = mapped_column(DateTime)
    mtime_ns: Mapped[int | None] = mapped_column(BigInteger)
    missing_since: Mapped[datetime | None] = mapped_column(DateTime)
    run_id: Mapped[int | None] = mapped_column(Integer)  # the run that stored it


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_region_year", "org_region", "fiscal_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("files.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)  # position within the file
    doc_type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(Text)
    org_name: Mapped[str | None] = mapped_column(Text)
    org_region: Mapped[str | None] = mapped_column(Text)
    org_department: Mapped[str | None] = mapped_column(Text)
    fiscal_year: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str | None] = mapped_column(String(20))
    project: Mapped[str | None] = mapped_column(Text)
    start: Mapped[str | None] = mapped_column(String(40))  # 'line:3', 'page:2'
    end: Mapped[str | None] = mapped_column(String(40))

    # Flattened evaluation; has_evaluation tells "absent" from "all fields unknown".
    has_evaluation: Mapped[bool] = mapped_column(Boolean, default=False)
    eval_total_score: Mapped[float | None] = mapped_column(Float)
    eval_max_score: Mapped[float | None] = mapped_column(Float)
    eval_grade: Mapped[str | None] = mapped_column(String(20))
    eval_grade_raw: Mapped[str | None] = mapped_column(Text)
    eval_agency: Mapped[str | None] = mapped_column(Text)
    eval_lead: Mapped[str | None] = mapped_column(Text)
    eval_date: Mapped[str | None] = mapped_column(String(10))

    has_staffing: Mapped[bool] = mapped_column(Boolean, default=False)
    staff_authorized: Mapped[int | None] = mapped_column(Integer)
    staff_authorized_admin: Mapped[int | None] = mapped_column(Integer)
    staff_authorized_institution: Mapped[int | None] = mapped_column(Integer)
    staff_actual: Mapped[int | None] = mapped_column(Integer)
    staff_internal_units: Mapped[int | None] = mapped_column(Integer)
    staff_subordinate_units: Mapped[int | None] = mapped_column(Integer)


class RowMixin:
    """Columns every per-document row shares: owner, order and provenance."""

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    src_file: Mapped[str | None] = mapped_column(Text)
    src_line: Mapped[int | None] = mapped_column(Integer)
    src_page: Mapped[int | None] = mapped_column(Integer)
    src_cell: Mapped[str | None] = mapped_column(String(40))  # 'T1R2C3'


class Finance(RowMixin, Base):
    __tablename__ = "finance"

    entity: Mapped[str | None] = mapped_column(Text)
    item: Mapped[str] = mapped_column(String(60))
    label: Mapped[str | None] = mapped_column(Text)
    measure: Mapped[str] = mapped_column(String(20))
    value: Mapped[float | None] = mapped_column(Float)  # yuan, rounded to cents


class Indicator(RowMixin, Base):
    __tablename__ = "indicators"

    grp: Mapped[str | None] = mapped_column(Text)  # 'group' is an SQL keyword
    level1: Mapped[str | None] = mapped_column(String(20))
    level2: Mapped[str | None] = mapped_column(String(20))
    level1_raw: Mapped[str | None] = mapped_column(Text)
    level2_raw: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    # A VALUE is null exactly when its raw text is null.
    target_raw: Mapped[str | None] = mapped_column(Text)
    target_op: Mapped[str | None] = mapped_column(String(4))
    target_value: Mapped[float | None] = mapped_column(Float)
    target_unit: Mapped[str | None] = mapped_column(String(20))
    target_text: Mapped[str | None] = mapped_column(Text)
    actual_raw: Mapped[str | None] = mapped_column(Text)
    actual_op: Mapped[str | None] = mapped_column(String(4))
    actual_value: Mapped[float | None] = mapped_column(Float)
    actual_unit: Mapped[str | None] = mapped_column(String(20))
    actual_text: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float | None] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    deviation: Mapped[str | None] = mapped_column(Text)


class Task(RowMixin, Base):
    __tablename__ = "tasks"

    section_no: Mapped[str | None] = mapped_column(String(20))
    section: Mapped[str | None] = mapped_column(Text)
    section_points: Mapped[float | None] = mapped_column(Float)
    item: Mapped[str | None] = mapped_column(Text)
    criterion: Mapped[str] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Float)
    deadline: Mapped[str | None] = mapped_column(Text)
    lead: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(Text)


class Expenditure(RowMixin, Base):
    __tablename__ = "expenditures"

    entity: Mapped[str | None] = mapped_column(Text)
    item: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)  # yuan, rounded to cents


class Section(RowMixin, Base):
    __tablename__ = "sections"

    kind: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)


class Check(RowMixin, Base):
    __tablename__ = "checks"

    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)


class DocumentFact(RowMixin, Base):
    """Where a document-level fact (org, year, evaluation, staffing field) was read."""

    __tablename__ = "document_facts"

    field: Mapped[str] = mapped_column(String(60))  # e.g. "evaluation.total_score"
    value: Mapped[str | None] = mapped_column(Text)


class Unclaimed(RowMixin, Base):
    """Text no parser claimed: kept so coverage gaps can be measured."""

    __tablename__ = "unclaimed"

    text: Mapped[str] = mapped_column(Text)


class Quarantine(Base):
    """Why a file could not be ingested; one row per path, the latest failure."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text, index=True)
    name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20))
    error: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)
    pipeline_version: Mapped[str | None] = mapped_column(String(20))
    run_id: Mapped[int | None] = mapped_column(Integer)


class Run(Base):
    """One `ingest` run: when, by whom, and what it did to how many files.

    The counters are updated in the same transaction as each file, so they
    are exact even for a run that was killed (its status stays 'running'
    until the next run finds it dead and marks it 'interrupted').
    """

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | ok | quarantined (some files in quarantine) | interrupted | failed
    status: Mapped[str] = mapped_column(String(20))
    pipeline_version: Mapped[str] = mapped_column(String(20))
    host: Mapped[str | None] = mapped_column(Text)
    pid: Mapped[int | None] = mapped_column(Integer)
    workers: Mapped[int | None] = mapped_column(Integer)
    paths: Mapped[str | None] = mapped_column(Text)  # the arguments, one per line
    files: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # files found
    new: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    changed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # content changed
    reparsed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # same bytes, new pipeline
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # unchanged
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # quarantined by this run
    missing: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # newly gone
    documents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # stored by this run
    error: Mapped[str | None] = mapped_column(Text)  # why a run failed


# ------------------------------------------------------------------ analysis
# Derived from the rows above by analysis.derive.refresh (never by the
# parsers): they can be rebuilt at any time from what is stored, so a new
# synonym table or region dataset needs no re-ingest. Each hangs off its
# source row with ON DELETE CASCADE, so replacing a file drops them too.


class OrgRegion(Base):
    """Where a document's organisation is: province, city and county names
    from the administrative-division dataset; all null when unknown."""

    __tablename__ = "org_regions"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    adcode: Mapped[str | None] = mapped_column(String(12))
    province: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    county: Mapped[str | None] = mapped_column(Text)
    matched_on: Mapped[str | None] = mapped_column(Text)  # the text that matched, or why not


class IndicatorConcept(Base):
    """An indicator name mapped to the canonical vocabulary; concept null = unmapped."""

    __tablename__ = "indicator_concepts"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True)
    concept: Mapped[str | None] = mapped_column(String(60), index=True)
    rule: Mapped[str | None] = mapped_column(Text)  # the synonym-table rule that matched


class SearchEntry(Base):
    """One searchable text (a narrative section or an indicator name) with
    its jieba tokens; the full-text index is built over `tokens`."""

    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # 'section' | 'indicator'
    label: Mapped[str | None] = mapped_column(Text)  # section kind/heading, indicator group
    text: Mapped[str] = mapped_column(Text)  # line breaks inside sentences removed
    tokens: Mapped[str] = mapped_column(Text)  # space-separated jieba tokens
    src_file: Mapped[str | None] = mapped_column(Text)
    src_line: Mapped[int | None] = mapped_column(Integer)
    src_page: Mapped[int | None] = mapped_column(Integer)
    src_cell: Mapped[str | None] = mapped_column(String(40))


class DerivedState(Base):
    """What the derived tables were built from (a fingerprint), by name."""

    __tablename__ = "derived_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(Text)
