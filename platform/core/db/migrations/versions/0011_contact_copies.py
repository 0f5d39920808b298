"""contact_copies: the steps a pack copies to a department, for its "copied to us" list

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:00:00

One row per copied event and department, written with the event (``core.contacts.copies``).
``ix_contact_copies_tenant_department_id`` serves "the copies to department D, newest
first" in keyset pages; the unique constraint keeps one copy of an event per department.
Steps recorded before this revision were copied only in ``contact_events.details``
(``copied_to``) and are not backfilled: their copies were never delivered either.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contact_copies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contact_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['staff.id'],
                                name=op.f('fk_contact_copies_actor_id_staff')),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_contact_copies_contact_id_contacts')),
        sa.ForeignKeyConstraint(['department_id'], ['departments.id'],
                                name=op.f('fk_contact_copies_department_id_departments')),
        sa.ForeignKeyConstraint(['event_id'], ['contact_events.id'],
                                name=op.f('fk_contact_copies_event_id_contact_events')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_contact_copies_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_copies')),
        sa.UniqueConstraint('tenant_id', 'event_id', 'department_id',
                            name=op.f('uq_contact_copies_tenant_id_event_id_department_id')),
    )
    with op.batch_alter_table('contact_copies', schema=None) as batch_op:
        batch_op.create_index('ix_contact_copies_tenant_department_id',
                              ['tenant_id', 'department_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('contact_copies', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_copies_tenant_department_id')
    op.drop_table('contact_copies')
