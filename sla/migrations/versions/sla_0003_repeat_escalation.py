"""sla: the R13 escalation policy of repeated complaints

Revision ID: sla_0003
Revises: sla_0002
Create Date: 2026-11-30

A repeated complaint (重复投诉) is escalated to the manager by the second working day: the
seeded policy, editable by admins like the cluster escalation beside it.
"""
from alembic import op
import sqlalchemy as sa

revision = 'sla_0003'
down_revision = 'sla_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    policies = sa.table('sla_policies', *(sa.column(c) for c in (
        'category', 'kind', 'area_kind', 'starts_on', 'limit_minutes', 'limit_working_days',
        'warn_ratio', 'rule', 'active')))
    op.bulk_insert(policies, [
        {'category': '*', 'kind': 'escalate_repeat', 'area_kind': None, 'starts_on': 'repeat',
         'limit_minutes': None, 'limit_working_days': 2, 'warn_ratio': 0.8, 'rule': 'R13',
         'active': True},
    ])


def downgrade() -> None:
    op.execute("DELETE FROM sla_policies WHERE kind = 'escalate_repeat' AND starts_on = 'repeat'")
