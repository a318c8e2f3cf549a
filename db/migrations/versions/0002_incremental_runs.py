"""Incremental runs: the runs table; stat, missing mark and run id on files.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Plain ALTER TABLE ADD COLUMN on `files` (no batch copy): on SQLite, copying a
table that documents reference would fire ON DELETE CASCADE and empty them.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COUNTERS = ("files", "new", "changed", "reparsed", "skipped", "failed", "missing", "documents")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("pipeline_version", sa.String(length=20), nullable=False),
        sa.Column("host", sa.Text(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("workers", sa.Integer(), nullable=True),
        sa.Column("paths", sa.Text(), nullable=True),
        *(sa.Column(c, sa.Integer(), nullable=False, server_default="0") for c in COUNTERS),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.add_column("files", sa.Column("mtime_ns", sa.BigInteger(), nullable=True))
    op.add_column("files", sa.Column("missing_since", sa.DateTime(), nullable=True))
    op.add_column("files", sa.Column("run_id", sa.Integer(), nullable=True))
    op.add_column("quarantine", sa.Column("pipeline_version", sa.String(length=20), nullable=True))
    op.add_column("quarantine", sa.Column("run_id", sa.Integer(), nullable=True))
    # One row per path from now on. Earlier code replaced by path too, so
    # duplicates can only come from two runs that raced; keep the newest.
    op.execute("DELETE FROM files WHERE id NOT IN (SELECT max(id) FROM files GROUP BY path)")
    op.execute("DELETE FROM quarantine WHERE id NOT IN "
               "(SELECT max(id) FROM quarantine GROUP BY path)")
    op.drop_index("ix_files_path", table_name="files")
    op.create_index("ix_files_path", "files", ["path"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_files_path", table_name="files")
    op.create_index("ix_files_path", "files", ["path"], unique=False)
    op.drop_column("quarantine", "run_id")
    op.drop_column("quarantine", "pipeline_version")
    op.drop_column("files", "run_id")
    op.drop_column("files", "missing_since")
    op.drop_column("files", "mtime_ns")
    op.drop_table("runs")
