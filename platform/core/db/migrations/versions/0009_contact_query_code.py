"""contacts.query_code_hash: the customer's progress query code, stored only as a hash

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 10:00:00

The code itself is printed for the customer at registration (``core.progress.codes``); the
database keeps a salted hash.  Contacts registered before have none (NULL): their customer
looks the matter up with the last four digits of the phone number on record.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("query_code_hash", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("query_code_hash")
