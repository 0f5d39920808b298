"""tenant administration: platform operators, set-password links, staff sign-in time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:00:00

* ``platform_operators``: the service's own operators (not tenant data, no tenant_id).
* ``password_links``: one-time set-password links (invite / reset), SHA-256 digests only;
  indexes lead with tenant_id.
* ``staff.last_login_at``: the operator's "last activity" and the staff list.
"""
import sqlalchemy as sa
from alembic import op

import core.db.types

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'platform_operators',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('password_hash', sa.String(length=200), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_platform_operators')),
        sa.UniqueConstraint('username', name=op.f('uq_platform_operators_username')))
    op.create_table(
        'password_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=12), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', core.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', core.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('tenant_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'],
                                name=op.f('fk_password_links_staff_id_staff')),
        sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'],
                                name=op.f('fk_password_links_created_by_id_staff')),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                                name=op.f('fk_password_links_tenant_id_tenants')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_links')))
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index('ix_password_links_tenant_digest', ['tenant_id', 'digest'],
                              unique=True)
        batch_op.create_index('ix_password_links_tenant_staff', ['tenant_id', 'staff_id'],
                              unique=False)
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_at', core.db.types.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('last_login_at')
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index('ix_password_links_tenant_staff')
        batch_op.drop_index('ix_password_links_tenant_digest')
    op.drop_table('password_links')
    op.drop_table('platform_operators')
