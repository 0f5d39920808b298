"""tenant_report_schedule: when the scheduled supervision report goes out

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:15:00

Three columns on ``tenants`` (core.supervision.report): frequency (monthly by default, also
off / weekly / quarterly), the day of the new period and the local time it is sent.
Existing tenants get the defaults: the 1st at 08:00 for the previous month.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_frequency', sa.String(length=12), nullable=False,
                                      server_default='monthly'))
        batch_op.add_column(sa.Column('report_day', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('report_time', sa.String(length=5), nullable=False,
                                      server_default='08:00'))


def downgrade():
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('report_time')
        batch_op.drop_column('report_day')
        batch_op.drop_column('report_frequency')
