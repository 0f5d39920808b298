"""spot checks: draws, sampled items, verification records; closed contacts by time

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 18:20:00

``ix_contacts_tenant_state_closed`` serves a draw's one query per department: the contacts
closed in the period.  A record is unique per item, so two inspectors recording the same
call at once leave one record (the other gets 409).
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = "0011"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def upgrade():
    op.create_table(
        'spot_check_draws',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first', sa.Date(), nullable=False),
        sa.Column('last', sa.Date(), nullable=False),
        sa.Column('department_ids', core.db.types.JSONType, nullable=False),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('share', sa.Float(), nullable=True),
        sa.Column('seed', sa.String(length=40), nullable=False),
        sa.Column('policy_version_id', sa.Integer(), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=False),
        sa.Column('drawn_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('spot_check_draws', 'policy_version_id', 'policy_versions'),
        _fk('spot_check_draws', 'drawn_by_id', 'staff'),
        _fk('spot_check_draws', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_draws')),
    )
    op.create_table(
        'spot_check_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draw_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('spot_check_items', 'draw_id', 'spot_check_draws'),
        _fk('spot_check_items', 'contact_id', 'contacts'),
        _fk('spot_check_items', 'department_id', 'departments'),
        _fk('spot_check_items', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_items')),
        sa.UniqueConstraint('tenant_id', 'draw_id', 'contact_id',
                            name=op.f('uq_spot_check_items_tenant_id_draw_id_contact_id')),
    )
    op.create_table(
        'spot_check_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('reached', sa.Boolean(), nullable=False),
        sa.Column('satisfaction', sa.SmallInteger(), nullable=True),
        sa.Column('handling_confirmed', sa.Boolean(), nullable=True),
        sa.Column('callback_confirmed', sa.Boolean(), nullable=True),
        sa.Column('outcome', sa.String(length=12), nullable=False),
        sa.Column('findings', sa.Text(), nullable=False),
        sa.Column('inspector_id', sa.Integer(), nullable=False),
        sa.Column('at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('spot_check_records', 'item_id', 'spot_check_items'),
        _fk('spot_check_records', 'contact_id', 'contacts'),
        _fk('spot_check_records', 'department_id', 'departments'),
        _fk('spot_check_records', 'owner_id', 'staff'),
        _fk('spot_check_records', 'inspector_id', 'staff'),
        _fk('spot_check_records', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_records')),
        sa.UniqueConstraint('tenant_id', 'item_id',
                            name=op.f('uq_spot_check_records_tenant_id_item_id')),
    )
    with op.batch_alter_table('spot_check_draws', schema=None) as batch_op:
        batch_op.create_index('ix_spot_check_draws_tenant_drawn', ['tenant_id', 'drawn_at'])
    with op.batch_alter_table('spot_check_items', schema=None) as batch_op:
        batch_op.create_index('ix_spot_check_items_tenant_draw', ['tenant_id', 'draw_id', 'id'])
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index('ix_contacts_tenant_state_closed',
                              ['tenant_id', 'state', 'closed_at'])


def downgrade():
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index('ix_contacts_tenant_state_closed')
    op.drop_table('spot_check_records')
    op.drop_table('spot_check_items')
    op.drop_table('spot_check_draws')
