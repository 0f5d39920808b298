"""Telling the customer: consent per channel, the tenant's SMS gateway, the messages sent

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:00:00

customers gain the time the customer agreed to be told by e-mail / SMS (NULL: not told) and
their language; sms_gateways holds each tenant's one gateway (secret encrypted,
core.notify.sms); customer_messages one row per contact, event and channel
(core.voice.telling).  Customers registered before keep no consent: they are never told.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _at(name, nullable=True):
    return sa.Column(name, core.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade():
    with op.batch_alter_table("customers") as batch:
        batch.add_column(_at("email_consent_at"))
        batch.add_column(_at("sms_consent_at"))
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=False,
                                   server_default="zh"))
    op.create_table(
        "sms_gateways",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("access_key_id", sa.String(length=100), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("sign_name", sa.String(length=40), nullable=False),
        sa.Column("template_code", sa.String(length=60), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
        _at("updated_at", nullable=False),
        sa.UniqueConstraint("tenant_id", name="uq_sms_gateways_tenant"))
    op.create_table(
        "customer_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("tenant_id", sa.Integer(), sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("contact_id", sa.Integer(), sa.ForeignKey("contacts.id"), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("to_addr", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"),
        sa.Column("response_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("email_id", sa.Integer(), sa.ForeignKey("outgoing_emails.id"), nullable=True),
        _at("created_at", nullable=False),
        _at("sent_at"),
        sa.UniqueConstraint("tenant_id", "contact_id", "event_id", "channel",
                            name="uq_customer_messages_event_channel"))
    op.create_index("ix_customer_messages_tenant_status_next", "customer_messages",
                    ["tenant_id", "status", "next_attempt_at"])
    op.create_index("ix_customer_messages_tenant_contact", "customer_messages",
                    ["tenant_id", "contact_id", "id"])


def downgrade():
    op.drop_table("customer_messages")
    op.drop_table("sms_gateways")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("language")
        batch.drop_column("sms_consent_at")
        batch.drop_column("email_consent_at")
