"""indexes for the calls API: by account and by agent, newest first

Revision ID: ivr_0002
Revises: ivr_0001
Create Date: 2026-11-30
"""
from alembic import op

revision = 'ivr_0002'
down_revision = 'ivr_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index('ix_calls_account_id_id', ['account_id', 'id'], unique=False)
        batch_op.create_index('ix_calls_started_at', ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_started_at')
        batch_op.drop_index('ix_calls_account_id_id')
