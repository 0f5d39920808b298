"""Supervision figures: who each clock, escalation, callback and contact counts for, and
the roll-up tables (figure_counts, figure_durations)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 17:00:00

The new columns are filled for existing rows from what the rows already say (the owner's,
the responsible person's department as it is now: the best that is known).  The time a
closed clock took (``deadlines.elapsed``) needs the tenant's working calendar, and the
roll-ups need the contribution rules, so both are filled by ``shouwen supervision
rebuild`` after the upgrade (docs/supervision.md); until then the figures of earlier
periods read zero.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DIMENSIONS = ("tenant_id", "day", "department_id", "staff_id")


def _columns():
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("owner_department_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_contacts_owner_department", "departments",
                                 ["owner_department_id"], ["id"])
    with op.batch_alter_table("deadlines") as batch:
        batch.add_column(sa.Column("charged_department_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("charged_staff_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("elapsed", sa.Float(), nullable=True))
        batch.create_foreign_key("fk_deadlines_charged_department", "departments",
                                 ["charged_department_id"], ["id"])
        batch.create_foreign_key("fk_deadlines_charged_staff", "staff",
                                 ["charged_staff_id"], ["id"])
    with op.batch_alter_table("escalations") as batch:
        batch.add_column(sa.Column("charged_department_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_escalations_charged_department", "departments",
                                 ["charged_department_id"], ["id"])
    with op.batch_alter_table("callbacks") as batch:
        batch.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_callbacks_department", "departments",
                                 ["department_id"], ["id"])
    with op.batch_alter_table("violations") as batch:
        batch.add_column(sa.Column("offence", sa.SmallInteger(), nullable=True))
        batch.create_index("ix_violations_tenant_contact", ["tenant_id", "contact_id"])


BACKFILL = [
    "UPDATE contacts SET owner_department_id = "
    "(SELECT department_id FROM staff WHERE staff.id = contacts.owner_id)",
    "UPDATE deadlines SET charged_staff_id = COALESCE(responsible_staff_id, CASE WHEN "
    "responsible_department_id IS NULL THEN (SELECT owner_id FROM contacts "
    "WHERE contacts.id = deadlines.contact_id) END)",
    "UPDATE deadlines SET charged_department_id = COALESCE(responsible_department_id, "
    "(SELECT department_id FROM staff WHERE staff.id = deadlines.charged_staff_id))",
    "UPDATE escalations SET from_department_id = COALESCE(from_department_id, "
    "(SELECT staff.department_id FROM contacts JOIN staff ON staff.id = contacts.owner_id "
    "WHERE contacts.id = escalations.contact_id))",
    "UPDATE escalations SET charged_department_id = COALESCE((SELECT "
    "d.charged_department_id FROM deadlines d WHERE d.id = escalations.deadline_id AND "
    "d.kind <> 'escalation'), from_department_id)",
    "UPDATE callbacks SET department_id = "
    "(SELECT department_id FROM staff WHERE staff.id = callbacks.by_id)",
    "UPDATE violations SET offence = 1 + (SELECT count(*) FROM violations v2 WHERE "
    "v2.tenant_id = violations.tenant_id AND v2.staff_id = violations.staff_id AND "
    "v2.rule_key = violations.rule_key AND v2.status = 'confirmed' AND "
    "(v2.decided_at < violations.decided_at OR (v2.decided_at = violations.decided_at "
    "AND v2.id < violations.id))) WHERE status = 'confirmed' AND staff_id IS NOT NULL",
]


def _tables():
    def dimensions():
        return [sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id"),
                          nullable=False),
                sa.Column("day", sa.Date(), nullable=False),
                sa.Column("department_id", sa.Integer(), nullable=False),
                sa.Column("staff_id", sa.Integer(), nullable=False)]
    op.create_table(
        "figure_counts", *dimensions(),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*DIMENSIONS, "metric", "key"))
    op.create_index("ix_figure_counts_tenant_staff_day", "figure_counts",
                    ["tenant_id", "staff_id", "day"])
    op.create_table(
        "figure_durations", *dimensions(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*DIMENSIONS, "kind", "unit", "bucket"))
    op.create_index("ix_figure_durations_tenant_staff_day", "figure_durations",
                    ["tenant_id", "staff_id", "day"])


def upgrade():
    _columns()
    for statement in BACKFILL:
        op.execute(statement)
    _tables()


def downgrade():
    op.drop_table("figure_durations")
    op.drop_table("figure_counts")
    with op.batch_alter_table("violations") as batch:
        batch.drop_index("ix_violations_tenant_contact")
        batch.drop_column("offence")
    for table, columns in (("callbacks", ["department_id"]),
                           ("escalations", ["charged_department_id"]),
                           ("deadlines", ["elapsed", "charged_staff_id",
                                          "charged_department_id"]),
                           ("contacts", ["owner_department_id"])):
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_column(column)
