"""webhooks: call status callbacks, stored once

Revision ID: wh_0001
Revises:
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'wh_0001'
down_revision = None
branch_labels = ('webhooks',)
depends_on = 'ivr_0001'


def upgrade() -> None:
    op.create_table('call_status_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('call_status', sa.String(length=16), nullable=False),
    sa.Column('sequence_number', sa.Integer(), nullable=False),
    sa.Column('call_duration', sa.Integer(), nullable=True),
    sa.Column('received_at', hotline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_status_events')),
    sa.UniqueConstraint('call_sid', 'call_status', 'sequence_number', name='uq_call_status_events_sid_status_seq')
    )


def downgrade() -> None:
    op.drop_table('call_status_events')
