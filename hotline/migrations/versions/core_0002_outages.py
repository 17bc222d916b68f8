"""hotline: outage notices

Revision ID: core_0002
Revises: core_0001
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0002'
down_revision = 'core_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outage_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('extent', sa.Text(), nullable=False),
    sa.Column('start_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('expected_end_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('restored_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('planned', 'emergency')", name=op.f('ck_outage_notices_kind')),
    sa.CheckConstraint("status IN ('scheduled', 'active', 'restored', 'cancelled')", name=op.f('ck_outage_notices_status')),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_outage_notices_approved_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_outage_notices_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_notices'))
    )
    op.create_index('ix_outage_notices_status_expected_end_at', 'outage_notices', ['status', 'expected_end_at'], unique=False)
    op.create_table('outage_areas',
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_outage_areas_area_id_areas')),
    sa.ForeignKeyConstraint(['outage_id'], ['outage_notices.id'], name=op.f('fk_outage_areas_outage_id_outage_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('outage_id', 'area_id', name=op.f('pk_outage_areas'))
    )
    op.create_index(op.f('ix_outage_areas_area_id'), 'outage_areas', ['area_id'], unique=False)
    op.create_table('outage_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outage_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_outage_updates_author_id_users')),
    sa.ForeignKeyConstraint(['outage_id'], ['outage_notices.id'], name=op.f('fk_outage_updates_outage_id_outage_notices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outage_updates'))
    )
    op.create_index(op.f('ix_outage_updates_outage_id'), 'outage_updates', ['outage_id'], unique=False)


def downgrade() -> None:
    op.drop_table('outage_updates')
    op.drop_table('outage_areas')
    op.drop_table('outage_notices')
