"""Knowledge-base articles and their revisions (P1). The article row holds the current
text; every save also writes an `ArticleRevision` (who, when, what changed), so any earlier
text can be read again and a work order can cite the exact revision an agent answered from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.db import Base, UTCDateTime

ARTICLE_CATEGORIES = ("prices", "procedures", "outages", "water_quality")
# The fields a revision records; `changed` lists those that differ from the revision before.
ARTICLE_FIELDS = ("category", "title_zh", "title_en", "body_zh", "body_en")


class Article(Base):
    __tablename__ = "kb_articles"
    __table_args__ = (
        CheckConstraint("category IN ('prices', 'procedures', 'outages', 'water_quality')",
                        name="category"),
        # The list: by category, most recently updated first (keyset on updated_at, id).
        Index("ix_kb_articles_category_updated_at", "category", "updated_at", "id"),
        Index("ix_kb_articles_updated_at", "updated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)  # the current revision's number
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    revisions: Mapped[list[ArticleRevision]] = relationship(
        back_populates="article", order_by="ArticleRevision.number.desc()",
        cascade="all, delete-orphan", lazy="raise_on_sql")

    def title(self, locale: str) -> str:
        """English where written, else the Chinese text."""
        return self.title_en if str(locale).startswith("en") and self.title_en else self.title_zh

    def body(self, locale: str) -> str:
        return self.body_en if str(locale).startswith("en") and self.body_en else self.body_zh


class ArticleRevision(Base):
    """One saved state of an article: the full text, who saved it and when, which fields
    changed from the revision before and the editor's note. Never updated."""

    __tablename__ = "kb_article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(16))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    body_zh: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(String(500), default="")
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    article: Mapped[Article] = relationship(back_populates="revisions")

    title = Article.title
    body = Article.body
