"""calls, callback requests, agent presence

Revision ID: ivr_0001
Revises: 
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'ivr_0001'
down_revision = None
branch_labels = ('ivr',)
depends_on = 'core_0002'


def upgrade() -> None:
    op.create_table('agent_presence',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('changed_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('seen_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agent_presence_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_agent_presence'))
    )
    op.create_table('calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_sid', sa.String(length=64), nullable=False),
    sa.Column('from_number', sa.String(length=40), nullable=False),
    sa.Column('to_number', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('ivr_path', sa.Text(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=True),
    sa.Column('started_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('entered_queue_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('queue_name', sa.String(length=32), nullable=False),
    sa.Column('answered_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('answer_seconds', sa.Float(), nullable=True),
    sa.Column('twilio_queue_time', sa.Integer(), nullable=True),
    sa.Column('ended_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_rank', sa.Integer(), nullable=False),
    sa.Column('voicemail_order', sa.String(length=32), nullable=False),
    sa.Column('recording_url', sa.String(length=500), nullable=False),
    sa.Column('transcription', sa.Text(), nullable=False),
    sa.CheckConstraint("direction IN ('inbound', 'outbound')", name=op.f('ck_calls_direction')),
    sa.CheckConstraint("outcome IS NULL OR outcome IN ('self_served', 'answered', 'abandoned', 'callback', 'voicemail')", name=op.f('ck_calls_outcome')),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_calls_account_id_customer_accounts')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_calls_agent_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls')),
    sa.UniqueConstraint('call_sid', name=op.f('uq_calls_call_sid'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index('ix_calls_entered_queue_at', ['entered_queue_at'], unique=False)
        batch_op.create_index('ix_calls_from_number_started_at', ['from_number', 'started_at'], unique=False)

    op.create_table('callback_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('requested_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('last_attempt_by_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("reason IN ('requested', 'abandoned', 'queue_failed')", name=op.f('ck_callback_requests_reason')),
    sa.CheckConstraint("result IN ('pending', 'reached', 'no_answer', 'cancelled')", name=op.f('ck_callback_requests_result')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_callback_requests_call_id_calls')),
    sa.ForeignKeyConstraint(['last_attempt_by_id'], ['users.id'], name=op.f('fk_callback_requests_last_attempt_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_requests')),
    sa.UniqueConstraint('call_id', name=op.f('uq_callback_requests_call_id'))
    )
    with op.batch_alter_table('callback_requests', schema=None) as batch_op:
        batch_op.create_index('ix_callback_requests_result_due_at', ['result', 'due_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('callback_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_callback_requests_result_due_at')

    op.drop_table('callback_requests')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_from_number_started_at')
        batch_op.drop_index('ix_calls_entered_queue_at')
        batch_op.drop_index(batch_op.f('ix_calls_agent_id'))

    op.drop_table('calls')
    op.drop_table('agent_presence')
