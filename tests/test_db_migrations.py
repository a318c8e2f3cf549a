"""Alembic migrations: existing databases are upgraded in place, never rebuilt.

On SQLite and on PostgreSQL (skipped without JIXIAO_TEST_PG_URL).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from db import PIPELINE_VERSION
from db.export import export_documents
from db.models import Base, File, Run
from db.session import (
    _alembic, current_revision, engine_for, head_revision, migrate, open_db, session_factory,
)

ROOT = Path(__file__).resolve().parents[1]
OLD_FILE = ("INSERT INTO files (path, name, sha256, format, encoding, size, status, "
            "pipeline_version, ingested_at) VALUES ('/in/old.txt', 'old.txt', :sha, 'txt', "
            "'utf-8', 3, 'ingested', '0.0.9', '2024-01-01 00:00:00')")
OLD_DOC = ("INSERT INTO documents (file_id, ordinal, doc_type, title, has_evaluation, "
           "has_staffing) SELECT id, 0, 'other', '旧的报告', :f, :f FROM files")


def old_database(url: str, *, stamped: bool) -> None:
    """A database as the code before migrations made it (create_all, no
    alembic_version), or one stamped at the first revision, holding a file."""
    engine = engine_for(url)
    with engine.begin() as conn:
        _alembic(conn, "upgrade", "0001")
        if not stamped:
            conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text(OLD_FILE), {"sha": "ab" * 32})
        conn.execute(text(OLD_DOC), {"f": False})
    engine.dispose()


def check_upgraded(url: str) -> None:
    engine = open_db(url)
    try:
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
            assert {"runs", "files"} <= set(inspect(conn).get_table_names())
        with session_factory(engine)() as s:
            # The data survived, and the new columns are there, empty.
            f = s.scalars(select(File)).one()
            assert (f.name, f.mtime_ns, f.missing_since) == ("old.txt", None, None)
            assert [d["title"] for d in export_documents(s)["documents"]] == ["旧的报告"]
            assert s.scalars(select(Run)).all() == []
        assert migrate(engine) == "current"
    finally:
        engine.dispose()


def test_database_from_before_migrations_is_upgraded_in_place(any_db):
    old_database(any_db, stamped=False)
    check_upgraded(any_db)


def test_database_at_the_first_revision_is_upgraded(any_db):
    old_database(any_db, stamped=True)
    check_upgraded(any_db)


def test_new_database_is_created_and_stamped(any_db):
    engine = engine_for(any_db)
    try:
        assert migrate(engine) == "created"
        assert migrate(engine) == "current"
        with engine.connect() as conn:
            assert current_revision(conn) == head_revision()
    finally:
        engine.dispose()


def test_migrations_build_exactly_the_models(any_db):
    # Upgrading from nothing and create_all() must give the same schema, or
    # an upgraded database would differ from a new one.
    engine = engine_for(any_db)
    try:
        with engine.begin() as conn:
            _alembic(conn, "upgrade", "head")
        with engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(mc, Base.metadata) == []
    finally:
        engine.dispose()


def test_an_upgraded_database_ingests(any_db, tmp_path):
    from db.ingest import ingest_paths

    old_database(any_db, stamped=False)
    (tmp_path / "in").mkdir()
    report = tmp_path / "in" / "r.txt"
    report.write_bytes((ROOT / "samples" / "b_tsv_target_table.txt").read_bytes())
    engine = open_db(any_db)
    try:
        s = ingest_paths(engine, [tmp_path / "in"])
        assert s.new == 1 and s.in_quarantine == 0
        with session_factory(engine)() as ses:
            shas = set(ses.scalars(select(File.sha256)))
            version = ses.scalar(select(File.pipeline_version).where(File.name == "r.txt"))
        assert hashlib.sha256(report.read_bytes()).hexdigest() in shas
        assert version == PIPELINE_VERSION
    finally:
        engine.dispose()
