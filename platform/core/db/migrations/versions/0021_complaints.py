"""complaints about staff (issue 13 item 4)

Revision ID: 0021
Revises: 0022
Create Date: 2026-12-03 12:50:00

One row per complaint: the contact, the person complained about and their department at the
time, the receiving body the pack routed it to, and the handling (finding, reply, an optional
violation).  The receiving body's list reads ``ix_complaints_tenant_department_status``; the
progress page reads a contact's complaints by ``ix_complaints_tenant_contact``.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0021"
down_revision = "0022"
branch_labels = None
depends_on = None


def _fk(column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_complaints_{column}_{target}'))


def upgrade():
    op.create_table(
        'complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('person_department_id', sa.Integer(), nullable=True),
        sa.Column('relation', sa.String(length=12), nullable=False),
        sa.Column('source', sa.String(length=12), nullable=False),
        sa.Column('registered_by_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('received_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('finding', sa.String(length=20), nullable=True),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.Column('handled_by_id', sa.Integer(), nullable=True),
        sa.Column('handled_at', core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('violation_id', sa.Integer(), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('contact_id', 'contacts'),
        _fk('person_id', 'staff'),
        _fk('person_department_id', 'departments'),
        _fk('registered_by_id', 'staff'),
        _fk('department_id', 'departments'),
        _fk('handled_by_id', 'staff'),
        _fk('violation_id', 'violations'),
        _fk('tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index('ix_complaints_tenant_department_status',
                              ['tenant_id', 'department_id', 'status', 'id'])
        batch_op.create_index('ix_complaints_tenant_contact', ['tenant_id', 'contact_id'])


def downgrade():
    op.drop_table('complaints')
