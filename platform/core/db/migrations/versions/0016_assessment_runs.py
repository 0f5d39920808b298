"""assessment runs: frozen period assessments, their rows and the review's audit trail

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 08:39:16

``uq_assessment_runs_published`` (partial: status = 'published') keeps one published run per
period, so of two supervisors publishing at once one wins; the unique revision number does
the same for two runs of one period (core.supervision.assessment_runs).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.types

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=10), nullable=False),
    sa.Column('period_key', sa.String(length=30), nullable=False),
    sa.Column('first', sa.Date(), nullable=False),
    sa.Column('last', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('pack_key', sa.String(length=40), nullable=False),
    sa.Column('section', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', core.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], name=op.f('fk_assessment_runs_created_by_id_staff')),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_versions.id'], name=op.f('fk_assessment_runs_policy_version_id_policy_versions')),
    sa.ForeignKeyConstraint(['published_by_id'], ['staff.id'], name=op.f('fk_assessment_runs_published_by_id_staff')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assessment_runs_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_runs')),
    sa.UniqueConstraint('tenant_id', 'grain', 'period_key', 'revision', name=op.f('uq_assessment_runs_tenant_id_grain_period_key_revision'))
    )
    with op.batch_alter_table('assessment_runs', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_runs_tenant_created', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index('uq_assessment_runs_published', ['tenant_id', 'grain', 'period_key'], unique=True, postgresql_where=sa.text("status = 'published'"), sqlite_where=sa.text("status = 'published'"))

    op.create_table('assessment_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('figures', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('entered', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('components', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('computed', sa.Float(), nullable=True),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('adjusted', sa.Boolean(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_assessment_rows_department_id_departments')),
    sa.ForeignKeyConstraint(['run_id'], ['assessment_runs.id'], name=op.f('fk_assessment_rows_run_id_assessment_runs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assessment_rows_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_rows')),
    sa.UniqueConstraint('tenant_id', 'run_id', 'department_id', name=op.f('uq_assessment_rows_tenant_id_run_id_department_id'))
    )
    with op.batch_alter_table('assessment_rows', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_rows_tenant_run', ['tenant_id', 'run_id', 'position'], unique=False)

    op.create_table('assessment_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('component', sa.String(length=40), nullable=True),
    sa.Column('before', sa.Float(), nullable=True),
    sa.Column('after', sa.Float(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', core.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['staff.id'], name=op.f('fk_assessment_adjustments_by_id_staff')),
    sa.ForeignKeyConstraint(['row_id'], ['assessment_rows.id'], name=op.f('fk_assessment_adjustments_row_id_assessment_rows')),
    sa.ForeignKeyConstraint(['run_id'], ['assessment_runs.id'], name=op.f('fk_assessment_adjustments_run_id_assessment_runs')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assessment_adjustments_tenant_id_tenants')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_adjustments'))
    )
    with op.batch_alter_table('assessment_adjustments', schema=None) as batch_op:
        batch_op.create_index('ix_assessment_adjustments_tenant_run', ['tenant_id', 'run_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('assessment_adjustments', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_adjustments_tenant_run')

    op.drop_table('assessment_adjustments')
    with op.batch_alter_table('assessment_rows', schema=None) as batch_op:
        batch_op.drop_index('ix_assessment_rows_tenant_run')

    op.drop_table('assessment_rows')
    with op.batch_alter_table('assessment_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_assessment_runs_published', postgresql_where=sa.text("status = 'published'"), sqlite_where=sa.text("status = 'published'"))
        batch_op.drop_index('ix_assessment_runs_tenant_created')

    op.drop_table('assessment_runs')
