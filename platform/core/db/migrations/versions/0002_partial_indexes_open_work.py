"""partial indexes for the work queues and the overdue filter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:00:00

With a million contacts in a tenant (benchmarks/web_pages.py):

* ``ix_deadlines_tenant_running``: deadlines not closed yet (open or breached) by contact.
  The overdue queue and the register's ``overdue=1`` filter ask for running clocks past due;
  without it PostgreSQL read every breached clock of the tenant's history through
  ``ix_deadlines_tenant_status_due`` (200,000 rows, 0.7 s) to keep the few thousand with
  ``closed_at IS NULL``.
* ``ix_contacts_tenant_open``: contacts not closed, by id: the queues' newest-first walk over
  the open contacts.

Both are partial (a few thousand entries each) and lead with tenant_id; the WHERE clauses
use no parameters, so SQLite can use them too.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

RUNNING = "closed_at IS NULL"
OPEN = "state <> 'closed'"


def upgrade():
    op.create_index('ix_deadlines_tenant_running', 'deadlines',
                    ['tenant_id', 'contact_id', 'status', 'due_at'], unique=False,
                    postgresql_where=sa.text(RUNNING), sqlite_where=sa.text(RUNNING))
    op.create_index('ix_contacts_tenant_open', 'contacts', ['tenant_id', 'id'], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index('ix_contacts_tenant_open', table_name='contacts')
    op.drop_index('ix_deadlines_tenant_running', table_name='deadlines')
