"""Where each document-level fact was read: the document_facts table.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_facts",
        sa.Column("field", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("src_file", sa.Text(), nullable=True),
        sa.Column("src_line", sa.Integer(), nullable=True),
        sa.Column("src_page", sa.Integer(), nullable=True),
        sa.Column("src_cell", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_document_facts_document_id", "document_facts", ["document_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_document_facts_document_id", table_name="document_facts")
    op.drop_table("document_facts")
