"""questionnaires: questionnaires, rounds, one-time links (digests), answers

Revision ID: 0022
Revises: 0024
Create Date: 2026-12-03 12:50:00

A link is stored as the SHA-256 of its token (unique per tenant); an answer is unique per
link, so the same link submitted twice at once leaves one answer (the other gets 409).
Answers are read by day and department (the period's scores).
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = "0024"
branch_labels = None
depends_on = None


def _fk(table, column, target):
    return sa.ForeignKeyConstraint([column], [f'{target}.id'],
                                   name=op.f(f'fk_{table}_{column}_{target}'))


def _when(name, nullable=False):
    return sa.Column(name, core.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade():
    op.create_table(
        'questionnaires',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('audience', sa.String(length=12), nullable=False),
        sa.Column('questions', core.db.types.JSONType, nullable=False),
        sa.Column('scale_min', sa.Integer(), nullable=False),
        sa.Column('scale_max', sa.Integer(), nullable=False),
        sa.Column('low_label', sa.String(length=60), nullable=False),
        sa.Column('high_label', sa.String(length=60), nullable=False),
        sa.Column('comment_question', sa.String(length=300), nullable=False),
        sa.Column('department_ids', core.db.types.JSONType, nullable=False),
        sa.Column('group_keys', core.db.types.JSONType, nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        _when('created_at'),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('questionnaires', 'created_by_id', 'staff'),
        _fk('questionnaires', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    )
    op.create_table(
        'questionnaire_rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('first', sa.Date(), nullable=False),
        sa.Column('last', sa.Date(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        _when('started_at'),
        _when('expires_at'),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('questionnaire_rounds', 'questionnaire_id', 'questionnaires'),
        _fk('questionnaire_rounds', 'started_by_id', 'staff'),
        _fk('questionnaire_rounds', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_rounds')),
    )
    op.create_table(
        'questionnaire_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('contact_id', sa.Integer(), nullable=True),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('group_key', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        _when('created_at'),
        _when('expires_at'),
        _when('used_at', nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('questionnaire_links', 'questionnaire_id', 'questionnaires'),
        _fk('questionnaire_links', 'round_id', 'questionnaire_rounds'),
        _fk('questionnaire_links', 'contact_id', 'contacts'),
        _fk('questionnaire_links', 'staff_id', 'staff'),
        _fk('questionnaire_links', 'department_id', 'departments'),
        _fk('questionnaire_links', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_links')),
    )
    op.create_table(
        'questionnaire_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('link_id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('group_key', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('values', core.db.types.JSONType, nullable=False),
        sa.Column('score_centi', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        _when('at'),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        _fk('questionnaire_answers', 'link_id', 'questionnaire_links'),
        _fk('questionnaire_answers', 'questionnaire_id', 'questionnaires'),
        _fk('questionnaire_answers', 'department_id', 'departments'),
        _fk('questionnaire_answers', 'tenant_id', 'tenants'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_answers')),
        sa.UniqueConstraint('tenant_id', 'link_id',
                            name=op.f('uq_questionnaire_answers_tenant_id_link_id')),
    )
    with op.batch_alter_table('questionnaire_links', schema=None) as batch_op:
        batch_op.create_index('ix_questionnaire_links_tenant_digest', ['tenant_id', 'digest'],
                              unique=True)
        batch_op.create_index('ix_questionnaire_links_tenant_round', ['tenant_id', 'round_id'])
    with op.batch_alter_table('questionnaire_answers', schema=None) as batch_op:
        batch_op.create_index('ix_questionnaire_answers_tenant_day',
                              ['tenant_id', 'day', 'department_id'])


def downgrade():
    op.drop_table('questionnaire_answers')
    op.drop_table('questionnaire_links')
    op.drop_table('questionnaire_rounds')
    op.drop_table('questionnaires')
