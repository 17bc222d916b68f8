"""work location, complaint unit and oversight, repeats, extension request time, theft rewards

Revision ID: wo_0002
Revises: wo_0001
Create Date: 2026-11-30

R27: every order gets a work location apart from the complainant's address; existing orders
get their address copied into it, so departments keep seeing what they saw. R15: a pending
extension request gets its request time from the request's event. R10 (unit and overseer),
R13 (repeated complaints) and R11 (theft rewards) start empty.
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'wo_0002'
down_revision = 'wo_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wo_theft_rewards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('confirmed_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('finding', sa.Text(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('approver_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['approver_id'], ['users.id'], name=op.f('fk_wo_theft_rewards_approver_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_wo_theft_rewards_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_wo_theft_rewards_order_id_work_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wo_theft_rewards')),
    sa.UniqueConstraint('order_id', name=op.f('uq_wo_theft_rewards_order_id'))
    )
    # Plain ALTER TABLE ... ADD COLUMN, also on SQLite: a batch rebuild of work_orders would
    # drop a table that events, follow-ups and merged orders reference (and copy every row).
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, length in (("work_street", 200), ("work_house_number", 50),
                         ("work_landmark", 200)):
        op.add_column('work_orders', sa.Column(name, sa.String(length=length), nullable=False,
                                               server_default=''))
    op.add_column('work_orders', sa.Column('repeat_reviewed_at', hotline.db.UTCDateTime(), nullable=True))
    op.add_column('work_orders', sa.Column('extension_requested_at', hotline.db.UTCDateTime(), nullable=True))
    for column, target in (("subject_department_id", "departments"),
                           ("overseer_department_id", "departments"),
                           ("repeat_of_id", "work_orders")):
        name = f"fk_work_orders_{column}_{target}"
        if sqlite:  # SQLite adds a column's REFERENCES clause, never a separate constraint
            op.execute(f"ALTER TABLE work_orders ADD COLUMN {column} INTEGER "
                       f"CONSTRAINT {name} REFERENCES {target} (id)")
        else:
            op.add_column('work_orders', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, 'work_orders', target, [column], ['id'])
    op.create_index(op.f('ix_work_orders_overseer_department_id'), 'work_orders', ['overseer_department_id'], unique=False)
    op.create_index(op.f('ix_work_orders_repeat_of_id'), 'work_orders', ['repeat_of_id'], unique=False)
    op.create_index('ix_work_orders_street_house_number', 'work_orders', ['street', 'house_number'], unique=False)

    # R27: nothing is lost. Until now the one address was also where the work was.
    op.execute("UPDATE work_orders SET work_street = street, work_house_number = house_number, "
               "work_landmark = landmark")
    # R15: a request still waiting for approval counts from when it was asked for.
    op.execute("UPDATE work_orders SET extension_requested_at = ("
               "SELECT MAX(e.at) FROM work_order_events e WHERE e.order_id = work_orders.id "
               "AND e.action = 'request_extension') WHERE extension_due IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_work_orders_overseer_department_id_departments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_work_orders_repeat_of_id_work_orders'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_work_orders_subject_department_id_departments'), type_='foreignkey')
        batch_op.drop_index('ix_work_orders_street_house_number')
        batch_op.drop_index(batch_op.f('ix_work_orders_repeat_of_id'))
        batch_op.drop_index(batch_op.f('ix_work_orders_overseer_department_id'))
        batch_op.drop_column('extension_requested_at')
        batch_op.drop_column('repeat_reviewed_at')
        batch_op.drop_column('repeat_of_id')
        batch_op.drop_column('overseer_department_id')
        batch_op.drop_column('subject_department_id')
        batch_op.drop_column('work_landmark')
        batch_op.drop_column('work_house_number')
        batch_op.drop_column('work_street')

    op.drop_table('wo_theft_rewards')
