"""hotline: outbox claims for the delivery worker

Revision ID: core_0003_outbox
Revises: core_0003
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0003_outbox'
down_revision = 'core_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Two nullable columns: existing rows stay as they are (unclaimed). add_column needs no
    # table rebuild on SQLite, so nothing is copied and nothing can be lost.
    op.add_column('outbox_messages', sa.Column('claimed_by', sa.String(length=64), nullable=True))
    op.add_column('outbox_messages',
                  sa.Column('claimed_until', hotline.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('claimed_until')
        batch.drop_column('claimed_by')
