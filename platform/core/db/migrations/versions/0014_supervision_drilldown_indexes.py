"""Indexes for the supervision drill-downs (core.supervision.drilldown): the rows behind a
figure, found by their dating column within a department

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 18:30:00

Each drill-down selects the rows of one kind by (department, status, period) and then
their contacts; without these PostgreSQL scanned every deadline (or escalation, callback)
of the tenant.  The organisation-wide drill-downs use the ``(tenant_id, status, ...)``
ones.
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

INDEXES = [
    ("deadlines", "ix_deadlines_tenant_charged_closed",
     ["tenant_id", "charged_department_id", "status", "closed_at"]),
    ("deadlines", "ix_deadlines_tenant_charged_breached",
     ["tenant_id", "charged_department_id", "status", "breached_at"]),
    ("deadlines", "ix_deadlines_tenant_status_closed", ["tenant_id", "status", "closed_at"]),
    ("escalations", "ix_escalations_tenant_charged_at",
     ["tenant_id", "charged_department_id", "at"]),
    ("callbacks", "ix_callbacks_tenant_department_at", ["tenant_id", "department_id", "at"]),
    ("violations", "ix_violations_tenant_department_created",
     ["tenant_id", "department_id", "created_at"]),
    ("contacts", "ix_contacts_tenant_owner_department_registered",
     ["tenant_id", "owner_department_id", "registered_at"]),
]


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table) as batch:
            batch.create_index(name, columns)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(name)
