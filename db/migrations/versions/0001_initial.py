"""initial schema (as created before migrations)

Revision ID: 0001
Revises: -
Create Date: 2026-11-23 12:06:51.284318
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('format', sa.String(length=20), nullable=True),
    sa.Column('encoding', sa.String(length=40), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pipeline_version', sa.String(length=20), nullable=False),
    sa.Column('ingested_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_files_path'), ['path'], unique=False)
        batch_op.create_index(batch_op.f('ix_files_sha256'), ['sha256'], unique=False)

    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('path', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_path'), ['path'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('doc_type', sa.String(length=40), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('org_name', sa.Text(), nullable=True),
    sa.Column('org_region', sa.Text(), nullable=True),
    sa.Column('org_department', sa.Text(), nullable=True),
    sa.Column('fiscal_year', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=20), nullable=True),
    sa.Column('project', sa.Text(), nullable=True),
    sa.Column('start', sa.String(length=40), nullable=True),
    sa.Column('end', sa.String(length=40), nullable=True),
    sa.Column('has_evaluation', sa.Boolean(), nullable=False),
    sa.Column('eval_total_score', sa.Float(), nullable=True),
    sa.Column('eval_max_score', sa.Float(), nullable=True),
    sa.Column('eval_grade', sa.String(length=20), nullable=True),
    sa.Column('eval_grade_raw', sa.Text(), nullable=True),
    sa.Column('eval_agency', sa.Text(), nullable=True),
    sa.Column('eval_lead', sa.Text(), nullable=True),
    sa.Column('eval_date', sa.String(length=10), nullable=True),
    sa.Column('has_staffing', sa.Boolean(), nullable=False),
    sa.Column('staff_authorized', sa.Integer(), nullable=True),
    sa.Column('staff_authorized_admin', sa.Integer(), nullable=True),
    sa.Column('staff_authorized_institution', sa.Integer(), nullable=True),
    sa.Column('staff_actual', sa.Integer(), nullable=True),
    sa.Column('staff_internal_units', sa.Integer(), nullable=True),
    sa.Column('staff_subordinate_units', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['files.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_file_id'), ['file_id'], unique=False)
        batch_op.create_index('ix_documents_region_year', ['org_region', 'fiscal_year'], unique=False)

    op.create_table('checks',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checks_document_id'), ['document_id'], unique=False)

    op.create_table('expenditures',
    sa.Column('entity', sa.Text(), nullable=True),
    sa.Column('item', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('expenditures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expenditures_document_id'), ['document_id'], unique=False)

    op.create_table('finance',
    sa.Column('entity', sa.Text(), nullable=True),
    sa.Column('item', sa.String(length=60), nullable=False),
    sa.Column('label', sa.Text(), nullable=True),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('finance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finance_document_id'), ['document_id'], unique=False)

    op.create_table('indicators',
    sa.Column('grp', sa.Text(), nullable=True),
    sa.Column('level1', sa.String(length=20), nullable=True),
    sa.Column('level2', sa.String(length=20), nullable=True),
    sa.Column('level1_raw', sa.Text(), nullable=True),
    sa.Column('level2_raw', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('target_raw', sa.Text(), nullable=True),
    sa.Column('target_op', sa.String(length=4), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_unit', sa.String(length=20), nullable=True),
    sa.Column('target_text', sa.Text(), nullable=True),
    sa.Column('actual_raw', sa.Text(), nullable=True),
    sa.Column('actual_op', sa.String(length=4), nullable=True),
    sa.Column('actual_value', sa.Float(), nullable=True),
    sa.Column('actual_unit', sa.String(length=20), nullable=True),
    sa.Column('actual_text', sa.Text(), nullable=True),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('deviation', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicators_document_id'), ['document_id'], unique=False)

    op.create_table('sections',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('heading', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sections_document_id'), ['document_id'], unique=False)

    op.create_table('tasks',
    sa.Column('section_no', sa.String(length=20), nullable=True),
    sa.Column('section', sa.Text(), nullable=True),
    sa.Column('section_points', sa.Float(), nullable=True),
    sa.Column('item', sa.Text(), nullable=True),
    sa.Column('criterion', sa.Text(), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('deadline', sa.Text(), nullable=True),
    sa.Column('lead', sa.Text(), nullable=True),
    sa.Column('unit', sa.Text(), nullable=True),
    sa.Column('owner', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tasks_document_id'), ['document_id'], unique=False)

    op.create_table('unclaimed',
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('src_file', sa.Text(), nullable=True),
    sa.Column('src_line', sa.Integer(), nullable=True),
    sa.Column('src_page', sa.Integer(), nullable=True),
    sa.Column('src_cell', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unclaimed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unclaimed_document_id'), ['document_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('unclaimed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unclaimed_document_id'))

    op.drop_table('unclaimed')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tasks_document_id'))

    op.drop_table('tasks')
    with op.batch_alter_table('sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sections_document_id'))

    op.drop_table('sections')
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicators_document_id'))

    op.drop_table('indicators')
    with op.batch_alter_table('finance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finance_document_id'))

    op.drop_table('finance')
    with op.batch_alter_table('expenditures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expenditures_document_id'))

    op.drop_table('expenditures')
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checks_document_id'))

    op.drop_table('checks')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_region_year')
        batch_op.drop_index(batch_op.f('ix_documents_file_id'))

    op.drop_table('documents')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_path'))

    op.drop_table('quarantine')
    with op.batch_alter_table('files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_files_path'))

    op.drop_table('files')
