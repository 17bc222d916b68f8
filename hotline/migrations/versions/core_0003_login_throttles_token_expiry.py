"""hotline: login throttles (delays instead of lockout), API token expiry

Revision ID: core_0003
Revises: core_0002
Create Date: 2026-11-24

Tokens issued before this release never expired; they get 90 days from the upgrade, so
nothing that uses them breaks at once (`hotline tokens list` shows them,
`hotline tokens rotate` replaces them).
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0003'
down_revision = 'core_0002'
branch_labels = None
depends_on = None

LEGACY_TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failure_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('last_failure_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('blocked_until', hotline.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', hotline.db.UTCDateTime(), nullable=True))
    tokens = sa.table('api_tokens', sa.column('expires_at', hotline.db.UTCDateTime()))
    expires = datetime.now(timezone.utc) + timedelta(days=LEGACY_TOKEN_DAYS)
    op.execute(tokens.update().where(tokens.c.expires_at.is_(None)).values(expires_at=expires))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=hotline.db.UTCDateTime(),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
    op.drop_table('login_throttles')
