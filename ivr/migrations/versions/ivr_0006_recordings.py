"""recordings: the recording's SID, duration and the agent's leg on calls; local copies

Revision ID: ivr_0006_recordings
Revises: ivr_0005
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from hotline.db import UTCDateTime

revision = 'ivr_0006_recordings'
down_revision = 'ivr_0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recording_sid', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('recording_duration', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('agent_call_sid', sa.String(length=64),
                                      server_default='', nullable=False))
        batch_op.create_index(batch_op.f('ix_calls_agent_call_sid'), ['agent_call_sid'],
                              unique=False)
    op.create_table(
        'recording_copies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recording_sid', sa.String(length=64), nullable=False),
        sa.Column('leg_call_sid', sa.String(length=64), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('source_url', sa.String(length=500), nullable=False),
        sa.Column('duration', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', UTCDateTime(), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=64), nullable=False),
        sa.Column('size_bytes', sa.Integer(), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('fetched_at', UTCDateTime(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'fetched', 'failed')",
                           name=op.f('ck_recording_copies_status')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'],
                                name=op.f('fk_recording_copies_call_id_calls')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recording_copies')),
        sa.UniqueConstraint('recording_sid', name=op.f('uq_recording_copies_recording_sid')))
    op.create_index('ix_recording_copies_status_next_attempt_at', 'recording_copies',
                    ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_recording_copies_leg_call_sid'), 'recording_copies',
                    ['leg_call_sid'], unique=False)
    op.create_index(op.f('ix_recording_copies_call_id'), 'recording_copies', ['call_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_recording_copies_call_id'), table_name='recording_copies')
    op.drop_index(op.f('ix_recording_copies_leg_call_sid'), table_name='recording_copies')
    op.drop_index('ix_recording_copies_status_next_attempt_at', table_name='recording_copies')
    op.drop_table('recording_copies')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_agent_call_sid'))
        batch_op.drop_column('agent_call_sid')
        batch_op.drop_column('recording_duration')
        batch_op.drop_column('recording_sid')
