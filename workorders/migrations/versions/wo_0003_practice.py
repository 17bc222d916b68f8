"""workorders: small repairs (R16), special enquiries (R19), visit windows (R31), return
reviews (P3)

Revision ID: wo_0003
Revises: wo_0002
Create Date: 2026-11-24

Adds columns only; existing orders get the defaults (not a small repair, not special, no
visit booked, no return under review).
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'wo_0003'
down_revision = 'wo_0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: a batch (copy-and-rename) rebuild of work_orders
    # on SQLite trips the foreign keys of its events (see wo_0002).
    op.add_column('work_orders', sa.Column('small_repair', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.add_column('work_orders', sa.Column('special', sa.Boolean(), nullable=False,
                                           server_default=sa.false()))
    op.add_column('work_orders', sa.Column('return_review', sa.String(length=16),
                                           nullable=False, server_default=''))
    op.add_column('work_orders', sa.Column('visit_start', hotline.db.UTCDateTime(),
                                           nullable=True))
    op.add_column('work_orders', sa.Column('visit_end', hotline.db.UTCDateTime(),
                                           nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('visit_end')
        batch_op.drop_column('visit_start')
        batch_op.drop_column('return_review')
        batch_op.drop_column('special')
        batch_op.drop_column('small_repair')
