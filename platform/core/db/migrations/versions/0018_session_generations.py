"""session_generations: sessions that end; user names normalised

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-10 10:00:00

``session_generation`` on ``staff`` and ``platform_operators`` (core.tenancy.sessions): a
session is accepted only while it carries the person's current generation.  Existing
sessions carry none and so end: everyone signs in once more after this upgrade.

Stored user names are normalised (core.tenancy.usernames: NFKC, stripped, case-folded) so
that the name typed at sign-in finds them.  Names created through the forms are lower-case
ASCII already; a name whose normalised form another account holds already is left as it
is (it still signs in with its exact spelling) rather than merged.
"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = "0016"
branch_labels = None
depends_on = None


def _normalise(raw):
    # A copy of core.tenancy.usernames.normalise as of this revision (migrations are frozen).
    text = unicodedata.normalize("NFKC", raw or "")
    return unicodedata.normalize("NFKC", text.strip().casefold())


def _normalise_names(table, group):
    """Rewrite each user name of ``table`` to its normal form unless that form is taken
    within its ``group`` column (the tenant; None for operators)."""
    bind = op.get_bind()
    columns = ["id", "username"] + ([group] if group else [])
    rows = bind.execute(sa.text(f"SELECT {', '.join(columns)} FROM {table}")).all()
    taken = {(row[2] if group else None, row[1]) for row in rows}
    for row in rows:
        key = row[2] if group else None
        name = _normalise(row[1])
        if name != row[1] and (key, name) not in taken:
            bind.execute(sa.text(f"UPDATE {table} SET username = :name WHERE id = :id"),
                         {"name": name, "id": row[0]})
            taken.add((key, name))


def upgrade():
    for table in ('staff', 'platform_operators'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('session_generation', sa.Integer(), nullable=False,
                                          server_default='0'))
    _normalise_names('staff', 'tenant_id')
    _normalise_names('platform_operators', None)


def downgrade():
    for table in ('platform_operators', 'staff'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('session_generation')
