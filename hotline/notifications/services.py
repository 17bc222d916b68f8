from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import add_once
from hotline.errors import NotFound
from hotline.notifications.models import Notification


def notify(session: Session, *, dedupe_key: str, kind: str, title: str, now: datetime,
           body: str = "", link: str = "", severity: str = "info",
           user_id: int | None = None, role: str | None = None,
           department_id: int | None = None) -> tuple[Notification, bool]:
    """Store a notification once per `dedupe_key`; returns (row, created)."""
    row = Notification(kind=kind, title=title, body=body, link=link, severity=severity,
                       recipient_user_id=user_id, recipient_role=role,
                       department_id=department_id, dedupe_key=dedupe_key, created_at=now)
    return add_once(session, row, Notification, dedupe_key=dedupe_key)


def for_user(session: Session, user: User, *, unread_only: bool = False,
             limit: int = 50) -> list[Notification]:
    clauses = [Notification.recipient_user_id == user.id, Notification.recipient_role == user.role]
    if user.department_id is not None:
        clauses.append(Notification.department_id == user.department_id)
    stmt = select(Notification).where(or_(*clauses))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def mark_read(session: Session, user: User, notification_id: int, *,
              now: datetime) -> Notification:
    """`user` has read one of their notifications (NotFound for anyone else's)."""
    visible = {n.id for n in for_user(session, user, limit=1000)}
    row = session.get(Notification, notification_id)
    if row is None or row.id not in visible:
        raise NotFound("no such notification")
    if row.read_at is None:
        row.read_at = now
    return row
