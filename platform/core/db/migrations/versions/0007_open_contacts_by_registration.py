"""partial index: open contacts by registration time (register's overdue filter with dates)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 15:10:00

With a million contacts in a tenant (benchmarks/web_pages.py): the register orders by
``(registered_at, id)`` under a date range, and its ``overdue=1`` filter (a running clock past
due, which only an open contact can have) adds ``state <> 'closed'``.  Without this index
PostgreSQL walked every contact of the date range through ``ix_contacts_tenant_registered``
and probed each for a late clock (18,000 contacts for a month a year back, 0.3 s); with it,
it walks only the range's open contacts (a few hundred) and stops at the page.  Partial (a
few thousand entries), leads with tenant_id, and its WHERE uses no parameters, so SQLite can
use it too.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "state <> 'closed'"


def upgrade():
    op.create_index('ix_contacts_tenant_open_registered', 'contacts',
                    ['tenant_id', 'registered_at'], unique=False,
                    postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    op.drop_index('ix_contacts_tenant_open_registered', table_name='contacts')
