"""customer ratings (好差评), rectifications of bad ratings, appeals

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 13:00:00

A rating is unique per contact and round (the first rating, then one per re-rating after a
rectification's callback); a rectification and an appeal are unique per rating, so two
requests racing to open or appeal the same one leave one row (core.voice.ratings).
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def _at(name, nullable=False):
    return sa.Column(name, core.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        "customer_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _at("rated_at"), _at("changed_at", True),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("customer_ratings", "contact_id", "contacts"),
        _fk("customer_ratings", "department_id", "departments"),
        _fk("customer_ratings", "owner_id", "staff"),
        _fk("customer_ratings", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_ratings")),
        sa.UniqueConstraint("tenant_id", "contact_id", "round",
                            name=op.f("uq_customer_ratings_tenant_id_contact_id_round")),
    )
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("deadline_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        _at("opened_at"), _at("done_at", True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("rectifications", "contact_id", "contacts"),
        _fk("rectifications", "rating_id", "customer_ratings"),
        _fk("rectifications", "department_id", "departments"),
        _fk("rectifications", "deadline_id", "deadlines"),
        _fk("rectifications", "done_by_id", "staff"),
        _fk("rectifications", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectifications")),
        sa.UniqueConstraint("tenant_id", "rating_id",
                            name=op.f("uq_rectifications_tenant_id_rating_id")),
    )
    op.create_table(
        "rating_appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("rating_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _at("at"),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        _at("decided_at", True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("rating_appeals", "contact_id", "contacts"),
        _fk("rating_appeals", "rating_id", "customer_ratings"),
        _fk("rating_appeals", "department_id", "departments"),
        _fk("rating_appeals", "by_id", "staff"),
        _fk("rating_appeals", "decided_by_id", "staff"),
        _fk("rating_appeals", "tenant_id", "tenants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rating_appeals")),
        sa.UniqueConstraint("tenant_id", "rating_id",
                            name=op.f("uq_rating_appeals_tenant_id_rating_id")),
    )
    with op.batch_alter_table("rectifications", schema=None) as batch_op:
        batch_op.create_index("ix_rectifications_tenant_contact", ["tenant_id", "contact_id"])
    with op.batch_alter_table("rating_appeals", schema=None) as batch_op:
        batch_op.create_index("ix_rating_appeals_tenant_contact", ["tenant_id", "contact_id"])


def downgrade():
    op.drop_table("rating_appeals")
    op.drop_table("rectifications")
    op.drop_table("customer_ratings")
