"""jobs: the outbox and reminder points

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 15:00:00

* ``outbox_messages``: side effects written in the transaction that causes them
  (core/notify/outbox.py).  ``ix_outbox_tenant_unrelayed`` is partial (rows not relayed yet), so the
  periodic relay scan reads a handful of rows, not the history; ``uq_outbox_tenant_key``
  makes a keyed message (reminder point, daily digest) unique per tenant.
* ``deadlines.next_reminder_at``: the next reminder point of an open clock, NULL when there
  is none; the partial index ``ix_deadlines_tenant_next_reminder`` holds only clocks with a
  reminder still to come, so the reminder scan's cost grows with the reminders due.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = "0004"
branch_labels = None
depends_on = None

UNRELAYED = "relayed_at IS NULL"
REMINDING = "next_reminder_at IS NOT NULL"


def upgrade():
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.String(length=60), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('payload', core.db.types.JSONType, nullable=False),
        sa.Column('created_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('relayed_at', core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'],
                                name=op.f('fk_outbox_messages_contact_id_contacts')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_outbox_messages_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('tenant_id', 'key', name='uq_outbox_tenant_key'),
    )
    op.create_index('ix_outbox_tenant_unrelayed', 'outbox_messages', ['tenant_id', 'id'],
                    unique=False, postgresql_where=sa.text(UNRELAYED),
                    sqlite_where=sa.text(UNRELAYED))
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_reminder_at', core.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
    op.create_index('ix_deadlines_tenant_next_reminder', 'deadlines',
                    ['tenant_id', 'next_reminder_at'], unique=False,
                    postgresql_where=sa.text(REMINDING), sqlite_where=sa.text(REMINDING))


def downgrade():
    op.drop_index('ix_deadlines_tenant_next_reminder', table_name='deadlines')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_column('next_reminder_at')
    op.drop_index('ix_outbox_tenant_unrelayed', table_name='outbox_messages')
    op.drop_table('outbox_messages')
