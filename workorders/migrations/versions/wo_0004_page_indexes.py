"""indexes for the console's pages: the follow-up list (resolved, oldest first), the
supervisor's pending extension requests and the agent's own open orders

Revision ID: wo_0004
Revises: wo_0003
Create Date: 2026-11-30
"""
from alembic import op

revision = 'wo_0004'
down_revision = 'wo_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_work_orders_status_resolved_at', 'work_orders',
                    ['status', 'resolved_at', 'id'], unique=False)
    op.create_index('ix_work_orders_extension_due', 'work_orders', ['extension_due'],
                    unique=False)
    op.create_index('ix_work_orders_owner_id_status', 'work_orders', ['owner_id', 'status'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_work_orders_owner_id_status', table_name='work_orders')
    op.drop_index('ix_work_orders_extension_due', table_name='work_orders')
    op.drop_index('ix_work_orders_status_resolved_at', table_name='work_orders')
