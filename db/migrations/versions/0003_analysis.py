"""Analysis: derived tables (regions, indicator concepts, search entries) and views.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

The derived tables are filled by analysis.derive.refresh, not by ingest (see
README "Analysis"); the views are those of db/views.py.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from db.views import create_views, drop_views

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "org_regions",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("adcode", sa.String(length=12), nullable=True),
        sa.Column("province", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("county", sa.Text(), nullable=True),
        sa.Column("matched_on", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_table(
        "indicator_concepts",
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("concept", sa.String(length=60), nullable=True),
        sa.Column("rule", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["indicator_id"], ["indicators.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("indicator_id"),
    )
    op.create_index("ix_indicator_concepts_concept", "indicator_concepts", ["concept"])
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("label", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Text(), nullable=False),
        sa.Column("src_file", sa.Text(), nullable=True),
        sa.Column("src_line", sa.Integer(), nullable=True),
        sa.Column("src_page", sa.Integer(), nullable=True),
        sa.Column("src_cell", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_entries_document_id", "search_entries", ["document_id"])
    op.create_table(
        "derived_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    create_views(op.get_bind())


def downgrade() -> None:
    drop_views(op.get_bind())
    op.drop_table("derived_state")
    op.drop_index("ix_search_entries_document_id", table_name="search_entries")
    op.drop_table("search_entries")
    op.drop_index("ix_indicator_concepts_concept", table_name="indicator_concepts")
    op.drop_table("indicator_concepts")
    op.drop_table("org_regions")
