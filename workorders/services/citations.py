"""P1: an order closed on the call may cite the knowledge-base article the agent answered
from. The order keeps the article's revision of that moment, so the text the caller heard
stays readable after the article is edited; the direct-answer rate counts these closures
(`workorders.stats.order_report`)."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from hotline.errors import ValidationFailed
from hotline.knowledge.models import ArticleRevision
from hotline.knowledge.services import revision_to_cite
from workorders.i18n import gettext as _
from workorders.models import WorkOrder

# What the order form's picker sends: "12 · 水费怎样计算" (or "12", "#12").
PICKED = re.compile(r"\s*#?(\d{1,9})(?:\s|·|$)")


def article_id(value: str | int | None, field: str = "article") -> int | None:
    """The article number at the start of what was picked or typed; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        return value
    found = PICKED.match(value)
    if found is None:
        raise ValidationFailed(_("Choose the article from the list (it starts with the "
                                 "article's number)."), fields={field: _("Not an article.")})
    return int(found.group(1))


def revision_for_answer(session: Session, article: int | None,
                        answer: str) -> ArticleRevision | None:
    """The revision to keep for an order answered on the call; an article is cited only
    by an answer given on the call."""
    if article is None:
        return None
    if not (answer or "").strip():
        raise ValidationFailed(
            _("P1: only an order answered on the call cites an article; enter the answer "
              "or clear the article."), fields={"article": _("Enter the answer too.")})
    return revision_to_cite(session, article)


def cite(order: WorkOrder, revision: ArticleRevision | None) -> dict:
    """Keep the revision on the order; the event's payload names it."""
    if revision is None:
        return {}
    order.article_revision_id = revision.id
    return {"article_id": revision.article_id, "article_revision": revision.number}


def cited_revision(session: Session, order: WorkOrder) -> ArticleRevision | None:
    if order.article_revision_id is None:
        return None
    return session.get(ArticleRevision, order.article_revision_id)
