"""workorders: crews on a phone — one arrival per acceptance (R16, R17), photos, the
console forms' idempotency tokens

Revision ID: wo_0005
Revises: wo_0004
Create Date: 2026-11-30

An order the crew already reported on site (an `arrive` event since it was last accepted)
gets that time as `arrived_at`, so "已到达现场" is not offered twice after the upgrade.
Photos and tokens start empty.
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'wo_0005'
down_revision = 'wo_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (see wo_0003): no batch rebuild of work_orders on SQLite.
    op.add_column('work_orders', sa.Column('arrived_at', hotline.db.UTCDateTime(),
                                           nullable=True))
    op.execute(
        "UPDATE work_orders SET arrived_at = (SELECT MAX(e.at) FROM work_order_events e "
        "WHERE e.order_id = work_orders.id AND e.action = 'arrive' "
        "AND (work_orders.accepted_at IS NULL OR e.at >= work_orders.accepted_at)) "
        "WHERE status IN ('accepted', 'in_progress', 'awaiting_customer')")
    op.create_table(
        'wo_photos',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', hotline.db.UTCDateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('content_type', sa.String(length=16), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_wo_photos_order_id_work_orders')),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'],
                                name=op.f('fk_wo_photos_uploaded_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wo_photos')),
        sa.UniqueConstraint('key', name=op.f('uq_wo_photos_key')))
    op.create_index(op.f('ix_wo_photos_order_id'), 'wo_photos', ['order_id'], unique=False)
    op.create_table(
        'wo_submissions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('at', hotline.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'],
                                name=op.f('fk_wo_submissions_order_id_work_orders')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_wo_submissions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_wo_submissions')),
        sa.UniqueConstraint('token', name=op.f('uq_wo_submissions_token')))
    op.create_index(op.f('ix_wo_submissions_order_id'), 'wo_submissions', ['order_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_wo_submissions_order_id'), table_name='wo_submissions')
    op.drop_table('wo_submissions')
    op.drop_index(op.f('ix_wo_photos_order_id'), table_name='wo_photos')
    op.drop_table('wo_photos')
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('arrived_at')
