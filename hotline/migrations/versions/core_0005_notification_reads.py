"""hotline: notifications are read per person, and keep their msgid for each reader's language

Read state moves from `notifications.read_at` (one value for everybody a role- or
department-wide notification reached) to `notification_reads`, one row per reader. A
notification addressed to one user keeps its read time for that user; the read time of a
role- or department-wide one is dropped (nobody can tell which of its readers read it), so
it shows as unread once more for each of them. `notifications.message` holds the English
msgid and parameters of the title.

Revision ID: core_0005
Revises: core_0003_outbox
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0005'
down_revision = 'core_0003_outbox'
branch_labels = None
depends_on = None

CHUNK = 10000


def _reads_table():
    return sa.table('notification_reads', sa.column('notification_id', sa.Integer()),
                    sa.column('user_id', sa.Integer()),
                    sa.column('read_at', hotline.db.UTCDateTime()))


def upgrade() -> None:
    notifications = sa.table('notifications', sa.column('id', sa.Integer()),
                             sa.column('recipient_user_id', sa.Integer()),
                             sa.column('read_at', hotline.db.UTCDateTime()))
    # Read before the table is rebuilt (SQLite rebuilds it to drop a column; a reads table
    # already pointing at it would lose its rows to ON DELETE CASCADE).
    kept = [{"notification_id": r.id, "user_id": r.recipient_user_id, "read_at": r.read_at}
            for r in op.get_bind().execute(sa.select(
                notifications.c.id, notifications.c.recipient_user_id,
                notifications.c.read_at).where(notifications.c.read_at.is_not(None),
                                               notifications.c.recipient_user_id.is_not(None)))]
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(none_as_null=True), nullable=True))
        batch_op.drop_index('ix_notifications_recipient')
        batch_op.drop_column('read_at')
        batch_op.create_index('ix_notifications_recipient', ['recipient_user_id'], unique=False)
    op.create_table('notification_reads',
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_notification_reads_notification_id_notifications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_reads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('notification_id', 'user_id', name=op.f('pk_notification_reads'))
    )
    op.create_index(op.f('ix_notification_reads_user_id'), 'notification_reads', ['user_id'], unique=False)
    for i in range(0, len(kept), CHUNK):
        op.bulk_insert(_reads_table(), kept[i:i + CHUNK])


def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', hotline.db.UTCDateTime(), nullable=True))
    # A notification addressed to one user is read when that user read it.
    op.execute(
        "UPDATE notifications SET read_at = (SELECT r.read_at FROM notification_reads r "
        "WHERE r.notification_id = notifications.id "
        "AND r.user_id = notifications.recipient_user_id) "
        "WHERE recipient_user_id IS NOT NULL")
    op.drop_index(op.f('ix_notification_reads_user_id'), table_name='notification_reads')
    op.drop_table('notification_reads')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient')
        batch_op.create_index('ix_notifications_recipient', ['recipient_user_id', 'read_at'], unique=False)
        batch_op.drop_column('message')
