"""Sending notifications and reading them, per person.

A notification is addressed to a user, a role or a department and stored once; who has read
it is kept per reader (`NotificationRead`). One event reaches one person once: the same text
sent to two addresses a person belongs to (their role and themselves) is shown once and read
once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, insert, literal, or_, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import UTCDateTime, add_once
from hotline.errors import NotFound
from hotline.i18n import tr
from hotline.notifications.messages import render, spec
from hotline.notifications.models import Notification, NotificationRead


def notify(session: Session, *, dedupe_key: str, kind: str, title: str, now: datetime,
           body: str = "", link: str = "", severity: str = "info",
           user_id: int | None = None, role: str | None = None,
           department_id: int | None = None) -> tuple[Notification, bool]:
    """Store a notification once per `dedupe_key`; returns (row, created). A title (or body)
    made by `hotline.i18n`'s gettext helpers keeps its msgid, so it is shown in each
    reader's language; plain text is shown as it is."""
    stored = {k: v for k, v in (("title", spec(title)), ("body", spec(body))) if v}
    row = Notification(kind=kind, title=str(title)[:200], body=str(body), link=link,
                       severity=severity, message=stored or None,
                       recipient_user_id=user_id, recipient_role=role,
                       department_id=department_id, dedupe_key=dedupe_key, created_at=now)
    return add_once(session, row, Notification, dedupe_key=dedupe_key)


@dataclass(frozen=True)
class Item:
    """A notification as one reader sees it: in their language, read or not by them."""

    id: int
    ids: tuple[int, ...]  # the rows of the same event that reached this reader
    kind: str
    severity: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def addressed_to(user: User):
    clauses = [Notification.recipient_user_id == user.id,
               Notification.recipient_role == user.role]
    if user.department_id is not None:
        clauses.append(Notification.department_id == user.department_id)
    return or_(*clauses)


def _read_by(user: User):
    return exists().where(NotificationRead.notification_id == Notification.id,
                          NotificationRead.user_id == user.id)


def for_user(session: Session, user: User, *, unread_only: bool = False,
             limit: int = 50) -> list[Item]:
    """The latest notifications `user` may see, newest first, one per event."""
    read_at = (select(NotificationRead.read_at).where(
        NotificationRead.notification_id == Notification.id,
        NotificationRead.user_id == user.id).correlate(Notification).scalar_subquery())
    stmt = select(Notification, read_at).where(addressed_to(user))
    if unread_only:
        stmt = stmt.where(~_read_by(user))
    # A few more rows than asked for: duplicates of one event collapse into one item.
    rows = session.execute(stmt.order_by(Notification.id.desc()).limit(limit * 2 + 10)).all()
    return _collapse(rows)[:limit]


def _collapse(rows) -> list[Item]:
    items: dict[tuple, Item] = {}
    for row, read_at in rows:
        key = (row.kind, row.link, row.title, row.body, row.created_at)
        title = render((row.message or {}).get("title"), row.title)
        body = render((row.message or {}).get("body"), row.body)
        seen = items.get(key)
        if seen is None:
            items[key] = Item(row.id, (row.id,), row.kind, row.severity, title, body, row.link,
                              row.created_at, read_at)
        else:  # read when every copy is read
            items[key] = Item(seen.id, seen.ids + (row.id,), seen.kind, seen.severity,
                              seen.title, seen.body, seen.link, seen.created_at,
                              seen.read_at if read_at is not None else None)
    return list(items.values())


def unread_count(session: Session, user: User, cap: int = 99) -> int:
    """Unread items for the bell, counted up to `cap` + 1 (the bell shows 99+)."""
    rows = session.execute(select(
        Notification.kind, Notification.link, Notification.title, Notification.body,
        Notification.created_at).where(addressed_to(user), ~_read_by(user))
        .order_by(Notification.id.desc()).limit(cap * 2 + 10)).all()
    return min(len({tuple(r) for r in rows}), cap + 1)


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> None:
    """`user` has read the notification (and its copies for the same event); another
    reader of the same role or department still sees it unread."""
    row = session.scalar(select(Notification).where(Notification.id == notification_id,
                                                    addressed_to(user)))
    if row is None:
        raise NotFound(tr("No such notification."))
    # The row itself (unless read already) and its unread copies for the same event.
    copies = session.scalars(select(Notification.id).where(
        addressed_to(user), ~_read_by(user), Notification.kind == row.kind,
        Notification.link == row.link, Notification.created_at == row.created_at,
        Notification.title == row.title)).all()
    for copy_id in copies:
        session.add(NotificationRead(notification_id=copy_id, user_id=user.id, read_at=now))
    session.flush()


def mark_all_read(session: Session, user: User, now: datetime) -> int:
    """Everything `user` may see is read by them; one INSERT … SELECT."""
    unread = select(Notification.id, literal(user.id), literal(now, UTCDateTime())).where(
        and_(addressed_to(user), ~_read_by(user)))
    result = session.execute(insert(NotificationRead).from_select(
        ["notification_id", "user_id", "read_at"], unread))
    return result.rowcount or 0

