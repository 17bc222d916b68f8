"""calls.asked_at (when the caller asked for a person, issue 11 fix 1-3) and the
`no_message` callback reason (a silent leak message)

Revision ID: ivr_0004
Revises: ivr_0003
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

import hotline.db

revision = 'ivr_0004'
down_revision = 'ivr_0003'
branch_labels = None
depends_on = None

OLD = "reason IN ('requested', 'abandoned', 'queue_failed')"
NEW = "reason IN ('requested', 'abandoned', 'queue_failed', 'no_message')"


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked_at', hotline.db.UTCDateTime(), nullable=True))
    # Calls queued before this revision asked when they were queued.
    op.execute("UPDATE calls SET asked_at = entered_queue_at WHERE asked_at IS NULL")
    with op.batch_alter_table('callback_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_callback_requests_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_callback_requests_reason'), sa.text(NEW))


def downgrade() -> None:
    op.execute("UPDATE callback_requests SET reason = 'abandoned' WHERE reason = 'no_message'")
    with op.batch_alter_table('callback_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_callback_requests_reason'), type_='check')
        batch_op.create_check_constraint(op.f('ck_callback_requests_reason'), sa.text(OLD))
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('asked_at')
