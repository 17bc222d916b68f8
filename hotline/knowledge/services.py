"""The knowledge base (P1): reading and searching articles, writing them with their history,
and the revision a work order cites when an agent answered from an article. Services take
the session and `now` and never commit (the console's boundary does)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session, load_only

from hotline.auth import roles
from hotline.auth.models import User
from hotline.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hotline.i18n import tr as _
from hotline.knowledge.models import ARTICLE_CATEGORIES, ARTICLE_FIELDS, Article, ArticleRevision

PER_PAGE = 25
QUERY_MAX = 100  # characters of a search; longer text is refused, not truncated
LIMITS = {"title_zh": 200, "title_en": 200, "body_zh": 20000, "body_en": 20000}
NOTE_MAX = 500


def can_edit(user: User) -> bool:
    """P1: supervisors keep the articles current; everyone logged in reads them."""
    return user.role in roles.SUPERVISION


@dataclass
class ArticleText:
    category: str
    title_zh: str
    body_zh: str
    title_en: str = ""
    body_en: str = ""

    def cleaned(self) -> dict[str, str]:
        """Trimmed, with the browser's CRLF line ends made LF: a text resubmitted unchanged
        from a form is not a change."""
        return {name: (getattr(self, name) or "").replace("\r\n", "\n").strip()
                for name in ARTICLE_FIELDS}


def _check(text: ArticleText, note: str) -> dict[str, str]:
    values = text.cleaned()
    problems: dict[str, str] = {}
    if values["category"] not in ARTICLE_CATEGORIES:
        problems["category"] = _("Choose a category.")
    for name in ("title_zh", "body_zh"):
        if not values[name]:
            problems[name] = _("Required: the Chinese text is what agents read out.")
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            problems[name] = _("At most %(n)s characters.", n=limit)
    if len(note or "") > NOTE_MAX:
        problems["note"] = _("At most %(n)s characters.", n=NOTE_MAX)
    if problems:
        raise ValidationFailed(_("The article was not saved: please correct the marked "
                                 "fields."), fields=problems)
    return values


def _must_edit(user: User) -> None:
    if not can_edit(user):
        raise Forbidden(_("Only supervisors edit knowledge-base articles."))


def _revision(article: Article, values: dict[str, str], changed: list[str], note: str,
              user: User, now: datetime) -> ArticleRevision:
    return ArticleRevision(article=article, number=article.revision, changed=changed,
                           note=(note or "").strip(), editor_id=user.id, saved_at=now,
                           **values)


def create_article(session: Session, user: User, text: ArticleText, *, note: str = "",
                   now: datetime) -> Article:
    _must_edit(user)
    values = _check(text, note)
    article = Article(revision=1, created_at=now, updated_at=now, updated_by_id=user.id,
                      **values)
    session.add(article)
    session.add(_revision(article, values, list(ARTICLE_FIELDS), note, user, now))
    session.flush()
    return article


def update_article(session: Session, article: Article, user: User, text: ArticleText, *,
                   expected_revision: int | None, note: str = "", now: datetime) -> Article:
    """A new revision with the fields that changed. Refused when someone saved the article
    since the editor opened it (409) or when nothing changed (422)."""
    _must_edit(user)
    values = _check(text, note)
    if expected_revision != article.revision:
        raise Conflict(_("Someone saved this article since you opened it (now revision "
                         "%(n)s): reload it and make your change again.", n=article.revision),
                       code="stale_revision")
    changed = [name for name in ARTICLE_FIELDS if getattr(article, name) != values[name]]
    if not changed:
        raise ValidationFailed(_("Nothing changed: the article was not saved."))
    for name in changed:
        setattr(article, name, values[name])
    article.revision += 1
    article.updated_at = now
    article.updated_by_id = user.id
    session.add(_revision(article, values, changed, note, user, now))
    session.flush()
    return article


def get_article(session: Session, article_id: int) -> Article:
    article = session.get(Article, article_id)
    if article is None:
        raise NotFound(_("No such article."))
    return article


def get_revision(session: Session, article_id: int, number: int) -> ArticleRevision:
    found = session.scalar(select(ArticleRevision).where(
        ArticleRevision.article_id == article_id, ArticleRevision.number == number))
    if found is None:
        raise NotFound(_("No such revision."))
    return found


def history(session: Session, article: Article, *, limit: int = 200) -> list[ArticleRevision]:
    """The article's revisions, newest first (bounded)."""
    return list(session.scalars(select(ArticleRevision).where(
        ArticleRevision.article_id == article.id).order_by(ArticleRevision.number.desc())
        .limit(limit)))


def previous_of(session: Session, revision: ArticleRevision) -> ArticleRevision | None:
    if revision.number <= 1:
        return None
    return session.scalar(select(ArticleRevision).where(
        ArticleRevision.article_id == revision.article_id,
        ArticleRevision.number == revision.number - 1))


def check_query(q: str | None) -> str:
    q = " ".join((q or "").split())
    if len(q) > QUERY_MAX:
        raise ValidationFailed(_("Search for at most %(n)s characters.", n=QUERY_MAX),
                               fields={"q": "too long"})
    return q


def _matching(q: str):
    """Every word of `q` in the title or body, either language (LIKE with the wildcards of
    the query escaped: the same on SQLite and PostgreSQL)."""
    return [or_(Article.title_zh.icontains(word, autoescape=True),
                Article.title_en.icontains(word, autoescape=True),
                Article.body_zh.icontains(word, autoescape=True),
                Article.body_en.icontains(word, autoescape=True)) for word in q.split()]


def article_page(session: Session, *, q: str = "", category: str | None = None,
                 after: int | None = None, per_page: int = PER_PAGE
                 ) -> tuple[list[Article], int | None]:
    """One page of articles, the most recently updated first, and the cursor of the next
    page (None on the last): keyset on (updated_at, id), the cursor the last article's id."""
    stmt = select(Article).where(*_matching(check_query(q)))
    if category:
        stmt = stmt.where(Article.category == category)
    if after is not None:
        seen = session.scalar(select(Article.updated_at).where(Article.id == after))
        if seen is not None:
            stmt = stmt.where(tuple_(Article.updated_at, Article.id) < tuple_(seen, after))
    rows = list(session.scalars(stmt.order_by(Article.updated_at.desc(), Article.id.desc())
                                .limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].id if more else None)


def by_category(session: Session, *, per_category: int = 8) -> dict[str, list[Article]]:
    """The start page: each category's most recently updated articles (bounded)."""
    return {category: article_page(session, category=category, per_page=per_category)[0]
            for category in ARTICLE_CATEGORIES}


def category_counts(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Article.category, func.count())
                                .group_by(Article.category)).all())


def picker_articles(session: Session, *, limit: int = 200) -> list[Article]:
    """What the order form offers to cite, by category and title (bounded)."""
    return list(session.scalars(
        select(Article).options(load_only(Article.id, Article.category, Article.title_zh,
                                          Article.title_en))
        .order_by(Article.category, Article.title_zh).limit(limit)))


def revision_to_cite(session: Session, article_id: int | None) -> ArticleRevision | None:
    """The article's current revision, which a work order closed on the call keeps: the
    text the agent answered from stays readable after later edits (P1)."""
    if article_id is None:
        return None
    article = session.get(Article, article_id)
    if article is None:
        raise ValidationFailed(_("No such knowledge-base article."),
                               fields={"article": _("No such article.")})
    return get_revision(session, article.id, article.revision)


def updates_between(session: Session, start: datetime, end: datetime) -> int:
    """P1: articles are kept current — revisions after the first saved in [start, end)."""
    return session.scalar(select(func.count()).select_from(ArticleRevision).where(
        ArticleRevision.number > 1, ArticleRevision.saved_at >= start,
        ArticleRevision.saved_at < end)) or 0


def line_changes(before: str, after: str) -> list[tuple[str, str]]:
    """What a revision changed in a text, line by line: ("same" | "removed" | "added",
    line), so a reader sees the lines that differ among those that stayed."""
    old, new = (before or "").split("\n"), (after or "").split("\n")
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new,
                                                      autojunk=False).get_opcodes():
        if op == "equal":
            lines += [("same", line) for line in old[i1:i2]]
            continue
        lines += [("removed", line) for line in old[i1:i2]]
        lines += [("added", line) for line in new[j1:j2]]
    return lines
