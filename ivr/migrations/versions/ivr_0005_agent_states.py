"""agent states: the state, break reason and call on agent_presence, and every change

Revision ID: ivr_0005
Revises: ivr_0004
Create Date: 2026-11-30
"""
import sqlalchemy as sa
from alembic import op

from hotline.db import UTCDateTime

revision = 'ivr_0005'
down_revision = 'ivr_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agent_presence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='offline',
                                      nullable=False))
        batch_op.add_column(sa.Column('reason', sa.String(length=16), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('call_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_agent_presence_call_id_calls'), 'calls',
                                    ['call_id'], ['id'])
    # Nothing is lost: an agent who was available stays available.
    op.execute("UPDATE agent_presence SET state = 'available' WHERE available")
    op.create_table(
        'agent_state_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.String(length=16), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'],
                                name=op.f('fk_agent_state_changes_call_id_calls')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_agent_state_changes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agent_state_changes')))
    op.create_index('ix_agent_state_changes_user_id_at', 'agent_state_changes',
                    ['user_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_agent_state_changes_user_id_at', table_name='agent_state_changes')
    op.drop_table('agent_state_changes')
    with op.batch_alter_table('agent_presence', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_agent_presence_call_id_calls'),
                                 type_='foreignkey')
        batch_op.drop_column('call_id')
        batch_op.drop_column('reason')
        batch_op.drop_column('state')
