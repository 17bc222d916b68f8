"""workorders: small repairs (R16), special enquiries (R19), visit windows (R31), return
reviews (P3)

Revision ID: wo_0003
Revises: wo_0001
Create Date: 2026-11-24

Adds columns only; existing orders get the defaults (not a small repair, not special, no
visit booked, no return under review).
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'wo_0003'
down_revision = 'wo_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('small_repair', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('special', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('return_review', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('visit_start', hotline.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('visit_end', hotline.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('visit_end')
        batch_op.drop_column('visit_start')
        batch_op.drop_column('return_review')
        batch_op.drop_column('special')
        batch_op.drop_column('small_repair')
