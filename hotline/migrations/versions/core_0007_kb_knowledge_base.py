"""hotline: the knowledge base (P1): articles and their revisions

Two new tables; nothing existing changes, so upgrading loses nothing.

Revision ID: core_0007_kb
Revises: core_0006
Create Date: 2026-11-30
"""
from alembic import op
import sqlalchemy as sa
import hotline.db

revision = 'core_0007_kb'
down_revision = 'core_0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kb_articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('created_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', hotline.db.UTCDateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("category IN ('prices', 'procedures', 'outages', 'water_quality')", name=op.f('ck_kb_articles_category')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_kb_articles_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_articles'))
    )
    op.create_index('ix_kb_articles_category_updated_at', 'kb_articles', ['category', 'updated_at', 'id'], unique=False)
    op.create_index('ix_kb_articles_updated_at', 'kb_articles', ['updated_at', 'id'], unique=False)
    op.create_table('kb_article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', hotline.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_articles.id'], name=op.f('fk_kb_article_revisions_article_id_kb_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_kb_article_revisions_editor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article_revisions')),
    sa.UniqueConstraint('article_id', 'number', name=op.f('uq_kb_article_revisions_article_id_number'))
    )
    op.create_index(op.f('ix_kb_article_revisions_saved_at'), 'kb_article_revisions', ['saved_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_kb_article_revisions_saved_at'), table_name='kb_article_revisions')
    op.drop_table('kb_article_revisions')
    op.drop_index('ix_kb_articles_updated_at', table_name='kb_articles')
    op.drop_index('ix_kb_articles_category_updated_at', table_name='kb_articles')
    op.drop_table('kb_articles')
