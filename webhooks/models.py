"""Every status callback Twilio sent, stored once (replays and retries find their row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.db import Base, UTCDateTime


class CallStatusEvent(Base):
    __tablename__ = "call_status_events"
    __table_args__ = (
        UniqueConstraint("call_sid", "call_status", "sequence_number",
                         name="uq_call_status_events_sid_status_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64))
    call_status: Mapped[str] = mapped_column(String(16))
    # -1 when Twilio sent no SequenceNumber (only `completed` is sent by default).
    sequence_number: Mapped[int] = mapped_column(Integer)
    call_duration: Mapped[int | None] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
