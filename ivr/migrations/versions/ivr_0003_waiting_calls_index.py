"""partial index of the calls waiting in a queue (softphone counts, wallboard)

Revision ID: ivr_0003
Revises: ivr_0002
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = 'ivr_0003'
down_revision = 'ivr_0002'
branch_labels = None
depends_on = None

WAITING = sa.text("answered_at IS NULL AND ended_at IS NULL AND outcome IS NULL")


def upgrade() -> None:
    op.create_index('ix_calls_waiting', 'calls', ['entered_queue_at'], unique=False,
                    sqlite_where=WAITING, postgresql_where=WAITING)


def downgrade() -> None:
    op.drop_index('ix_calls_waiting', table_name='calls')
