"""working calendar: official schedule days told apart, and the calendar audit trail

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00

``special_days.official`` marks the days of an official year schedule entered by the
administrator (replaced when the year is entered again) apart from the tenant's own
closings and openings.  ``calendar_changes`` is the append-only trail of who changed which
day or year, and when.
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import core.db.types

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('special_days') as batch:
        batch.add_column(sa.Column('official', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        'calendar_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()),
                                                    'postgresql'), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['staff.id'],
                                name=op.f('fk_calendar_changes_by_id_staff')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_calendar_changes_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes')),
    )
    op.create_index('ix_calendar_changes_tenant_at', 'calendar_changes', ['tenant_id', 'at'])


def downgrade():
    op.drop_index('ix_calendar_changes_tenant_at', table_name='calendar_changes')
    op.drop_table('calendar_changes')
    with op.batch_alter_table('special_days') as batch:
        batch.drop_column('official')
