"""core.policy.config_stamp: the key of the per-process policy and calendar caches

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 14:30:00

A random value the application writes whenever a policy version, special day or confirmed
year of the tenant changes (``core.policy.config_stamp``).  Existing tenants start with the
empty stamp, which is as good as any: caches are per process and start empty.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("tenants") as batch:
        batch.add_column(sa.Column("config_stamp", sa.String(length=32), nullable=False,
                                   server_default=""))


def downgrade():
    with op.batch_alter_table("tenants") as batch:
        batch.drop_column("config_stamp")
