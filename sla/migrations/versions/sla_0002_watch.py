"""sla watch, clusters, service level, lease

Revision ID: sla_0002
Revises: sla_0001
Create Date: 2026-11-24

Partial indexes replace the (state, due_at) / (state, warn_at) ones so a sweep's cost
grows with the due clocks, not with the met and cancelled rows.
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'sla_0002'
down_revision = 'sla_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clock_leases',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('holder', sa.String(length=128), nullable=False),
    sa.Column('acquired_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('expires_at', hotline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_clock_leases'))
    )
    op.create_table('service_level_intervals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line', sa.String(length=32), nullable=False),
    sa.Column('starts_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('answered_in_threshold', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('short_abandoned', sa.Integer(), nullable=False),
    sa.Column('wait_seconds_total', sa.Float(), nullable=False),
    sa.Column('longest_wait_seconds', sa.Float(), nullable=False),
    sa.Column('computed_at', hotline.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_level_intervals')),
    sa.UniqueConstraint('line', 'starts_at', name=op.f('uq_service_level_intervals_line_starts_at'))
    )
    with op.batch_alter_table('service_level_intervals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_level_intervals_starts_at'), ['starts_at'], unique=False)

    op.create_table('calendar_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('confirmed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_user_id'], ['users.id'], name=op.f('fk_calendar_years_confirmed_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_years')),
    sa.UniqueConstraint('year', name=op.f('uq_calendar_years_year'))
    )
    op.create_table('sla_clusters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('opened_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('closed_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('closed_by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_sla_clusters_status')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_sla_clusters_area_id_areas')),
    sa.ForeignKeyConstraint(['closed_by_user_id'], ['users.id'], name=op.f('fk_sla_clusters_closed_by_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_clusters'))
    )
    with op.batch_alter_table('sla_clusters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_clusters_area_id'), ['area_id'], unique=False)
        batch_op.create_index('uq_sla_clusters_open', ['category', 'area_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('sla_cluster_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cluster_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('added_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['cluster_id'], ['sla_clusters.id'], name=op.f('fk_sla_cluster_members_cluster_id_sla_clusters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_cluster_members')),
    sa.UniqueConstraint('cluster_id', 'subject_id', name=op.f('uq_sla_cluster_members_cluster_id_subject_id'))
    )
    with op.batch_alter_table('sla_cluster_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_cluster_members_subject_id'), ['subject_id'], unique=False)

    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadlines_state_due_at'))
        batch_op.drop_index(batch_op.f('ix_deadlines_state_warn_at'))
        batch_op.create_index('ix_deadlines_active_kind_due', ['kind', 'due_at'], unique=False, sqlite_where=sa.text("state IN ('running', 'paused')"), postgresql_where=sa.text("state IN ('running', 'paused')"))
        batch_op.create_index('ix_deadlines_due_at', ['due_at'], unique=False)
        batch_op.create_index('ix_deadlines_due_unbreached', ['due_at'], unique=False, sqlite_where=sa.text("state = 'running' AND breached_at IS NULL"), postgresql_where=sa.text("state = 'running' AND breached_at IS NULL"))
        batch_op.create_index('ix_deadlines_warn_unwarned', ['warn_at'], unique=False, sqlite_where=sa.text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"), postgresql_where=sa.text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"))



def downgrade() -> None:
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_warn_unwarned', sqlite_where=sa.text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"), postgresql_where=sa.text("state = 'running' AND warned_at IS NULL AND breached_at IS NULL"))
        batch_op.drop_index('ix_deadlines_due_unbreached', sqlite_where=sa.text("state = 'running' AND breached_at IS NULL"), postgresql_where=sa.text("state = 'running' AND breached_at IS NULL"))
        batch_op.drop_index('ix_deadlines_due_at')
        batch_op.drop_index('ix_deadlines_active_kind_due', sqlite_where=sa.text("state IN ('running', 'paused')"), postgresql_where=sa.text("state IN ('running', 'paused')"))
        batch_op.create_index(batch_op.f('ix_deadlines_state_warn_at'), ['state', 'warn_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deadlines_state_due_at'), ['state', 'due_at'], unique=False)

    with op.batch_alter_table('sla_cluster_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_cluster_members_subject_id'))

    op.drop_table('sla_cluster_members')
    with op.batch_alter_table('sla_clusters', schema=None) as batch_op:
        batch_op.drop_index('uq_sla_clusters_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_sla_clusters_area_id'))

    op.drop_table('sla_clusters')
    op.drop_table('calendar_years')
    with op.batch_alter_table('service_level_intervals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_level_intervals_starts_at'))

    op.drop_table('service_level_intervals')
    op.drop_table('clock_leases')
