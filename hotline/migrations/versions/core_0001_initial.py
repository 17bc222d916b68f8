"""hotline: initial schema

Revision ID: core_0001
Revises:
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0001'
down_revision = None
branch_labels = ('hotline',)
depends_on = None


def upgrade() -> None:
    op.create_table('areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.CheckConstraint("kind IN ('urban', 'suburban')", name=op.f('ck_areas_kind')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_areas_code'))
    )
    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('to_number', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('call_url', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=True),
    sa.Column('subject_type', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('sent_at', hotline.db.UTCDateTime(), nullable=True),
    sa.CheckConstraint("channel IN ('sms', 'call')", name=op.f('ck_outbox_messages_channel')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_outbox_messages_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_messages_dedupe_key'))
    )
    op.create_index('ix_outbox_messages_status_next_attempt_at', 'outbox_messages', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_messages_to_number'), 'outbox_messages', ['to_number'], unique=False)
    op.create_table('customer_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_number', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('house_number', sa.String(length=50), nullable=False),
    sa.Column('landmark', sa.String(length=200), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('meter_number', sa.String(length=50), nullable=False),
    sa.Column('balance_due', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('last_bill_date', sa.Date(), nullable=True),
    sa.Column('last_bill_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_customer_accounts_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_accounts')),
    sa.UniqueConstraint('account_number', name=op.f('uq_customer_accounts_account_number'))
    )
    op.create_index(op.f('ix_customer_accounts_area_id'), 'customer_accounts', ['area_id'], unique=False)
    op.create_table('departments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name_zh', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.Column('liaison_name', sa.String(length=100), nullable=False),
    sa.Column('liaison_phone', sa.String(length=32), nullable=False),
    sa.CheckConstraint("kind IN ('maintenance', 'water_quality', 'enforcement', 'billing', 'customer_service')", name=op.f('ck_departments_kind')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_departments_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_departments_code'))
    )
    op.create_index(op.f('ix_departments_area_id'), 'departments', ['area_id'], unique=False)
    op.create_index(op.f('ix_departments_kind'), 'departments', ['kind'], unique=False)
    op.create_table('customer_phones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('e164', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['customer_accounts.id'], name=op.f('fk_customer_phones_account_id_customer_accounts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_phones')),
    sa.UniqueConstraint('account_id', 'e164', name=op.f('uq_customer_phones_account_id_e164'))
    )
    op.create_index(op.f('ix_customer_phones_account_id'), 'customer_phones', ['account_id'], unique=False)
    op.create_index(op.f('ix_customer_phones_e164'), 'customer_phones', ['e164'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('backup_user_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('absent', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('agent', 'staff', 'supervisor', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['backup_user_id'], ['users.id'], name=op.f('fk_users_backup_user_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_users_department_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_index(op.f('ix_users_department_id'), 'users', ['department_id'], unique=False)
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', hotline.db.UTCDateTime(), nullable=True),
    sa.Column('revoked_at', hotline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=300), nullable=False),
    sa.Column('recipient_user_id', sa.Integer(), nullable=True),
    sa.Column('recipient_role', sa.String(length=16), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('read_at', hotline.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_notifications_department_id_departments')),
    sa.ForeignKeyConstraint(['recipient_user_id'], ['users.id'], name=op.f('fk_notifications_recipient_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    op.create_index(op.f('ix_notifications_department_id'), 'notifications', ['department_id'], unique=False)
    op.create_index('ix_notifications_recipient', 'notifications', ['recipient_user_id', 'read_at'], unique=False)
    op.create_index(op.f('ix_notifications_recipient_role'), 'notifications', ['recipient_role'], unique=False)


def downgrade() -> None:
    op.drop_table('notifications')
    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('customer_phones')
    op.drop_table('departments')
    op.drop_table('customer_accounts')
    op.drop_table('outbox_messages')
    op.drop_table('areas')
