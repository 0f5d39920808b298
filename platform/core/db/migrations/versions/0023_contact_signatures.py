"""contact_signatures: the customer's signature drawn on the desk tablet, linked to its event

Revision ID: 0023
Revises: 0020
Create Date: 2026-12-03 13:00:00

One row per signature (``core.voice.signature_models``): the PNG, its size, the form it
confirms and the ``customer_confirmed`` event it belongs to.  The confirmation itself (which
form, how, when) is that event; nothing to backfill.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contact_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=40), nullable=False),
        sa.Column("at", core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_contact_signatures_contact_id_contacts")),
        sa.ForeignKeyConstraint(["event_id"], ["contact_events.id"],
                                name=op.f("fk_contact_signatures_event_id_contact_events")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_contact_signatures_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_signatures")),
    )
    with op.batch_alter_table("contact_signatures", schema=None) as batch_op:
        batch_op.create_index("ix_contact_signatures_tenant_contact",
                              ["tenant_id", "contact_id"], unique=False)


def downgrade():
    with op.batch_alter_table("contact_signatures", schema=None) as batch_op:
        batch_op.drop_index("ix_contact_signatures_tenant_contact")
    op.drop_table("contact_signatures")
