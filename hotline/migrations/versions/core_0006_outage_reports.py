"""hotline: callers' no-water reports recorded against a running outage (restoration SMS/call)

Revision ID: core_0006
Revises: core_0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0006'
down_revision = 'core_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outage_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('outage_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('wants_call', sa.Boolean(), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('call_sid', sa.String(length=64), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('reported_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
        sa.Column('notified_at', hotline.db.UTCDateTime(), nullable=True),
        sa.CheckConstraint("language IN ('zh', 'en')",
                           name=op.f('ck_outage_reports_language')),
        sa.CheckConstraint("source IN ('ivr', 'agent')", name=op.f('ck_outage_reports_source')),
        sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'],
                                name=op.f('fk_outage_reports_account_id_customer_accounts')),
        sa.ForeignKeyConstraint(['outage_id'], ['outage_notices.id'], ondelete='CASCADE',
                                name=op.f('fk_outage_reports_outage_id_outage_notices')),
        sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'],
                                name=op.f('fk_outage_reports_reported_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_reports')),
        sa.UniqueConstraint('outage_id', 'phone', name=op.f('uq_outage_reports_outage_id_phone')),
    )
    op.create_index(op.f('ix_outage_reports_outage_id'), 'outage_reports', ['outage_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_outage_reports_outage_id'), table_name='outage_reports')
    op.drop_table('outage_reports')
