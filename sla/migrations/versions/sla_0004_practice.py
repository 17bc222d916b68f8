"""sla: priority tiers (R14), same-day and staged policies (R16, R19, R24), P4 reminders

Revision ID: sla_0004
Revises: sla_0003
Create Date: 2026-11-24

Policies gain an optional priority (R14 tiers, seeded inactive at 20 minutes, so nothing
changes until an admin shortens one) and the seeded rows of R16 (a small repair is due at
24:00 of its opening day: 0 working days), R19 (a special enquiry: 3 working days) and R24
(design 3 and construction 5 working days after the stage before). Deadlines gain
`reminded_at` (P4 催办); `escalated_at` now means the written escalation (督办), so clocks
escalated under the old rule (at breach) count as reminded too and are not reminded again.
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'sla_0004'
down_revision = 'sla_0003'
branch_labels = None
depends_on = None

OVERDUE = "state = 'running' AND breached_at IS NOT NULL AND escalated_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.String(length=8), nullable=True))
        batch_op.drop_constraint('uq_sla_policies_category_kind_area_kind_starts_on',
                                 type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_sla_policies_category_kind_area_kind_starts_on_priority'),
            ['category', 'kind', 'area_kind', 'starts_on', 'priority'])

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminded_at', hotline.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_deadlines_overdue', ['due_at'], unique=False,
                              sqlite_where=sa.text(OVERDUE), postgresql_where=sa.text(OVERDUE))
    op.execute("UPDATE deadlines SET reminded_at = escalated_at WHERE escalated_at IS NOT NULL")

    policies = sa.table('sla_policies', *(sa.column(c) for c in (
        'category', 'kind', 'area_kind', 'priority', 'starts_on', 'limit_minutes',
        'limit_working_days', 'warn_ratio', 'rule', 'active')))
    row = {'area_kind': None, 'priority': None, 'limit_minutes': None,
           'limit_working_days': None, 'warn_ratio': 0.8, 'active': True}
    op.bulk_insert(policies, [
        {**row, 'category': 'leak', 'kind': 'resolve', 'starts_on': 'small_repair',
         'limit_working_days': 0, 'rule': 'R16'},
        {**row, 'category': 'enquiry', 'kind': 'reply', 'starts_on': 'special',
         'limit_working_days': 3, 'rule': 'R19'},
        {**row, 'category': 'connection', 'kind': 'design', 'starts_on': 'survey_done',
         'limit_working_days': 3, 'rule': 'R24'},
        {**row, 'category': 'connection', 'kind': 'construction', 'starts_on': 'design_done',
         'limit_working_days': 5, 'rule': 'R24'},
        *({**row, 'category': '*', 'kind': 'accept', 'starts_on': 'dispatch', 'priority': p,
           'limit_minutes': 20, 'rule': 'R14', 'active': False}
          for p in ('urgent', 'high', 'normal', 'low')),
    ])


def downgrade() -> None:
    op.execute("DELETE FROM sla_policies WHERE priority IS NOT NULL OR starts_on IN "
               "('small_repair', 'special', 'survey_done', 'design_done')")
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_overdue', sqlite_where=sa.text(OVERDUE),
                            postgresql_where=sa.text(OVERDUE))
        batch_op.drop_column('reminded_at')
    with op.batch_alter_table('sla_policies', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_sla_policies_category_kind_area_kind_starts_on_priority'),
            type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_sla_policies_category_kind_area_kind_starts_on'),
            ['category', 'kind', 'area_kind', 'starts_on'])
        batch_op.drop_column('priority')
