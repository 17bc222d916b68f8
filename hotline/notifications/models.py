"""In-console notifications (alerts for supervisors, departments and owners), each stored
once, and who has read which."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime


class Notification(Base):
    """An alert shown in the console. Addressed to a user, to a role, or to a department;
    `dedupe_key` makes sending idempotent across retries and concurrent clocks.

    `title` is the text in the install's language (kept for old rows and for logs);
    `message` holds the English msgids and their parameters, `{"title": {"msgid", "params"},
    "body": …}`, so that each reader sees it in their own language."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient", "recipient_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8), default="info")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    message: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    link: Mapped[str] = mapped_column(String(300), default="")
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recipient_role: Mapped[str | None] = mapped_column(String(16), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NotificationRead(Base):
    """One reader has read one notification: read state is per person, also for
    notifications addressed to a role or a department."""

    __tablename__ = "notification_reads"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
