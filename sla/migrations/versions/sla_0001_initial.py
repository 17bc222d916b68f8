"""sla: initial schema

Revision ID: sla_0001
Revises:
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'sla_0001'
down_revision = None
branch_labels = ('sla',)
depends_on = 'core_0001'


def upgrade() -> None:
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )
    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('limit_minutes', sa.Integer(), nullable=True),
    sa.Column('limit_working_days', sa.Integer(), nullable=True),
    sa.Column('warn_ratio', sa.Float(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('due_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('original_due_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('warn_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('warned_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('breached_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('escalated_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('met_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('paused_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('extended_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.CheckConstraint("state IN ('running', 'paused', 'met', 'cancelled')", name=op.f('ck_deadlines_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines'))
    )
    op.create_index('ix_deadlines_state_due_at', 'deadlines', ['state', 'due_at'], unique=False)
    op.create_index('ix_deadlines_state_warn_at', 'deadlines', ['state', 'warn_at'], unique=False)
    op.create_index('ix_deadlines_subject', 'deadlines', ['subject_type', 'subject_id', 'kind'], unique=False)
    op.create_table('sla_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('area_kind', sa.String(length=16), nullable=True),
    sa.Column('starts_on', sa.String(length=16), nullable=False),
    sa.Column('limit_minutes', sa.Integer(), nullable=True),
    sa.Column('limit_working_days', sa.Integer(), nullable=True),
    sa.Column('warn_ratio', sa.Float(), nullable=False),
    sa.Column('rule', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint('(limit_minutes IS NULL) <> (limit_working_days IS NULL)', name=op.f('ck_sla_policies_one_limit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policies')),
    sa.UniqueConstraint('category', 'kind', 'area_kind', 'starts_on', name=op.f('uq_sla_policies_category_kind_area_kind_starts_on'))
    )

    # The seeded policies of SERVICE-RULES.md (R13-R24); admins edit them afterwards.
    policies = sa.table('sla_policies', *(sa.column(c) for c in (
        'category', 'kind', 'area_kind', 'starts_on', 'limit_minutes', 'limit_working_days',
        'warn_ratio', 'rule', 'active')))
    op.bulk_insert(policies, [
        {'category': '*', 'kind': 'accept', 'area_kind': None, 'starts_on': 'dispatch', 'limit_minutes': 20, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R14', 'active': True},
        {'category': 'leak', 'kind': 'on_site', 'area_kind': 'urban', 'starts_on': 'open', 'limit_minutes': 20, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R16', 'active': True},
        {'category': 'leak', 'kind': 'on_site', 'area_kind': 'suburban', 'starts_on': 'open', 'limit_minutes': 30, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R16', 'active': True},
        {'category': 'no_water', 'kind': 'on_site', 'area_kind': 'urban', 'starts_on': 'open', 'limit_minutes': 20, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R7 R16', 'active': True},
        {'category': 'no_water', 'kind': 'on_site', 'area_kind': 'suburban', 'starts_on': 'open', 'limit_minutes': 30, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R7 R16', 'active': True},
        {'category': 'water_quality', 'kind': 'on_site', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': 240, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R17', 'active': True},
        {'category': 'complaint', 'kind': 'respond', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': 240, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R18', 'active': True},
        {'category': 'complaint', 'kind': 'resolve', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': None, 'limit_working_days': 5, 'warn_ratio': 0.8, 'rule': 'R18 R21', 'active': True},
        {'category': 'enquiry', 'kind': 'reply', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': 1440, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R19', 'active': True},
        {'category': 'connection', 'kind': 'survey', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': None, 'limit_working_days': 5, 'warn_ratio': 0.8, 'rule': 'R24', 'active': True},
        {'category': '*', 'kind': 'resolve', 'area_kind': None, 'starts_on': 'open', 'limit_minutes': None, 'limit_working_days': 5, 'warn_ratio': 0.8, 'rule': 'R20 R21', 'active': True},
        {'category': '*', 'kind': 'follow_up', 'area_kind': None, 'starts_on': 'resolve', 'limit_minutes': 1440, 'limit_working_days': None, 'warn_ratio': 0.8, 'rule': 'R23', 'active': True},
        {'category': '*', 'kind': 'escalate_cluster', 'area_kind': None, 'starts_on': 'cluster', 'limit_minutes': None, 'limit_working_days': 2, 'warn_ratio': 0.8, 'rule': 'R13', 'active': True},
    ])


def downgrade() -> None:
    op.drop_table('sla_policies')
    op.drop_table('deadlines')
    op.drop_table('calendar_days')
