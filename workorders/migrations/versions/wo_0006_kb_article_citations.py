"""an order closed on the call may cite the knowledge-base revision it was answered from (P1)

One nullable column: existing orders keep everything and cite nothing.

Revision ID: wo_0005_kb
Revises: wo_0005
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa

revision = 'wo_0005_kb'
down_revision = 'wo_0005'
branch_labels = None
depends_on = 'core_0007_kb'


def upgrade() -> None:
    # Plain ALTER TABLE ... ADD COLUMN, also on SQLite (as wo_0002): a batch rebuild of
    # work_orders would drop a table that events, follow-ups and merged orders reference.
    name = "fk_work_orders_article_revision_id_kb_article_revisions"
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE work_orders ADD COLUMN article_revision_id INTEGER "
                   f"CONSTRAINT {name} REFERENCES kb_article_revisions (id)")
    else:
        op.add_column('work_orders', sa.Column('article_revision_id', sa.Integer(),
                                               nullable=True))
        op.create_foreign_key(name, 'work_orders', 'kb_article_revisions',
                              ['article_revision_id'], ['id'])
    op.create_index(op.f('ix_work_orders_article_revision_id'), 'work_orders',
                    ['article_revision_id'], unique=False)


def downgrade() -> None:
    # Dropping the column drops its foreign key (PostgreSQL; SQLite's rebuild leaves it out).
    op.drop_index(op.f('ix_work_orders_article_revision_id'), table_name='work_orders')
    # As wo_0002 and wo_0003: SQLite rebuilds work_orders (which refuses while rows
    # reference it, and then changes nothing); PostgreSQL drops the column in place.
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('article_revision_id')
