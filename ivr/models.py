"""Calls, callback requests and agent presence: what the IVR and the agent console store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, Text,
                        text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.auth.models import User
from hotline.db import Base, UTCDateTime

OUTCOMES = ("self_served", "answered", "abandoned", "callback", "voicemail")
CALLBACK_REASONS = ("requested", "abandoned", "queue_failed", "no_message")
CALLBACK_RESULTS = ("pending", "reached", "no_answer", "cancelled")


# Literal, so that SQLite and PostgreSQL see the query's WHERE implies the partial index's.
WAITING = text("answered_at IS NULL AND ended_at IS NULL AND outcome IS NULL")


class Call(Base):
    """One phone call, from its first webhook to completion (R1, R2, R30)."""

    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
        CheckConstraint(
            "outcome IS NULL OR outcome IN "
            "('self_served', 'answered', 'abandoned', 'callback', 'voicemail')", name="outcome"),
        Index("ix_calls_entered_queue_at", "entered_queue_at"),
        Index("ix_calls_from_number_started_at", "from_number", "started_at"),
        Index("ix_calls_account_id_id", "account_id", "id"),
        Index("ix_calls_started_at", "started_at"),
        # Callers in a queue now (softphone counts, wallboard): a few rows among millions.
        Index("ix_calls_waiting", "entered_queue_at", sqlite_where=WAITING,
              postgresql_where=WAITING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    from_number: Mapped[str] = mapped_column(String(40))
    to_number: Mapped[str] = mapped_column(String(40), default="")
    direction: Mapped[str] = mapped_column(String(8), default="inbound")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    # The menu keys the caller went through, e.g. "main>1>balance"; shown in the call file.
    ivr_path: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(ForeignKey("customer_accounts.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the caller asked for a person or reported a leak (the hold prompt or the
    # voicemail prompt starts): R2's short abandon and R3's callback are measured from here.
    asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When Twilio really queued the caller (the first wait-URL request, after the prompt
    # was spoken): R1's answer time runs from here.
    entered_queue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    queue_name: Mapped[str] = mapped_column(String(32), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    answer_seconds: Mapped[float | None] = mapped_column(Float)
    # Twilio's whole-second QueueTime at the bridge, kept to cross-check answer_seconds.
    twilio_queue_time: Mapped[int | None] = mapped_column(Integer)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    # The last Twilio CallStatus applied and its rank: a call never moves backwards.
    status: Mapped[str] = mapped_column(String(16), default="in-progress")
    status_rank: Mapped[int] = mapped_column(Integer, default=0)
    voicemail_order: Mapped[str] = mapped_column(String(32), default="")
    recording_url: Mapped[str] = mapped_column(String(500), default="")
    # The recording of the call (a voicemail's message, or the agent call on a recorded
    # line): Twilio's RecordingSid and duration; the local copy is a RecordingCopy.
    recording_sid: Mapped[str] = mapped_column(String(64), default="", server_default="")
    recording_duration: Mapped[int | None] = mapped_column(Integer)
    # The agent's leg that dequeued this caller (`DequeingCallSid`): a `<Dial record>`
    # recording's callback names that leg, not the caller's.
    agent_call_sid: Mapped[str] = mapped_column(String(64), default="", server_default="",
                                                index=True)
    transcription: Mapped[str] = mapped_column(Text, default="")

    agent: Mapped[User | None] = relationship()

    def add_step(self, step: str) -> None:
        self.ivr_path = f"{self.ivr_path}>{step}" if self.ivr_path else step


class CallbackRequest(Base):
    """A caller to ring back: asked for in the queue, or hung up while waiting (R3)."""

    __tablename__ = "callback_requests"
    __table_args__ = (
        CheckConstraint("reason IN ('requested', 'abandoned', 'queue_failed', 'no_message')",
                        name="reason"),
        CheckConstraint("result IN ('pending', 'reached', 'no_answer', 'cancelled')",
                        name="result"),
        Index("ix_callback_requests_result_due_at", "result", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One request per call: a replayed webhook finds the existing one.
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), unique=True)
    phone: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8), default="zh")
    reason: Mapped[str] = mapped_column(String(16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_attempt_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[str] = mapped_column(String(16), default="pending")
    note: Mapped[str] = mapped_column(Text, default="")

    call: Mapped[Call | None] = relationship()


COPY_STATUSES = ("pending", "fetched", "failed")


class RecordingCopy(Base):
    """The local copy of a call's recording, fetched by a job (never by a web request):
    outbox-style, a fetcher claims a pending row, downloads with no transaction open, then
    records the file or the failure. The console plays only the local file."""

    __tablename__ = "recording_copies"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'fetched', 'failed')", name="status"),
        Index("ix_recording_copies_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(64), unique=True)
    # The call leg Twilio named (the caller's, or the agent's for a `<Dial record>`); the
    # caller's call once known (a callback may come before the bridge is recorded).
    leg_call_sid: Mapped[str] = mapped_column(String(64), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    source_url: Mapped[str] = mapped_column(String(500))
    duration: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Relative to IVR_RECORDINGS_DIR.
    file_name: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(64), default="")
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    call: Mapped[Call | None] = relationship()


class AgentPresence(Base):
    """An agent's availability as set in the console; the softphone page refreshes
    `seen_at`, so a closed tab stops counting after PRESENCE_TTL."""

    __tablename__ = "agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # Whether the agent chose to work (available, or on a call / in wrap-up from there).
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    # The agent's state (ivr.agent_states.STATES) since `changed_at`; a wrap-up older than
    # IVR_WRAP_UP_SECONDS counts as available (computed, no timer).
    state: Mapped[str] = mapped_column(String(16), default="offline", server_default="offline")
    reason: Mapped[str] = mapped_column(String(16), default="", server_default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class AgentStateChange(Base):
    """Every change of an agent's state with its time: the per-agent figures and the
    wallboard's time in state come from these."""

    __tablename__ = "agent_state_changes"
    __table_args__ = (Index("ix_agent_state_changes_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16), default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
