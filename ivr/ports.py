"""What the IVR needs from work orders. The IVR may import workorders directly (the
dependency flows ivr → workorders); the protocol keeps the voice flows testable with a fake
desk, and `ivr.plugin.wire` plugs in the real one (`workorders.desk.WorkOrderDesk`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import Flask
from sqlalchemy.orm import Session

from hotline.registry import registry

# What a caller may hear about an order: status, department, due time; nothing about who
# complained (R27).
from workorders.services.lookup import CallerStatus as OrderStatus


@dataclass(frozen=True)
class VoicemailReport:
    caller: str  # E.164 or the raw caller id
    recording_url: str
    transcription: str
    category: str  # "leak" or "no_water"
    call_sid: str
    account_id: int | None
    area_id: int | None


class OrderDesk(Protocol):
    def status(self, session: Session, number: str) -> OrderStatus | None:
        """Look up an order by its number (with or without the WO- prefix and dashes)."""

    def is_holder(self, session: Session, number: str, *, caller: str | None = None,
                  last_digits: str = "") -> bool:
        """R27: whether the calling number, or the last 4 digits the caller keyed, belong to
        the order's contact phone or its account's phones. Never the numbers themselves."""

    def log_voicemail(self, session: Session, report: VoicemailReport, *,
                      now: datetime) -> str:
        """Open a work order from a recorded message; return its number."""

    def add_transcription(self, session: Session, number: str, text: str, *,
                          now: datetime) -> bool:
        """Put a voicemail's transcription, which Twilio sends later, into its order."""

    def add_spoken_draft(self, session: Session, number: str, text: str, *,
                         now: datetime) -> bool:
        """The caller's spoken sentence (`SpeechResult`) as the order's draft description;
        the order stays flagged "listen and complete" until an agent confirms."""

    def may_hear(self, session: Session, call_sid: str, user) -> bool | None:
        """Whether `user` may see an order opened from the call `call_sid` (and so play
        its recording); None when no order was opened from it."""


@dataclass
class IvrPorts:
    """What the composition root plugs into the IVR (`hotline.app.wire`)."""

    order_desk: OrderDesk | None = None


def order_desk(app: Flask | None = None) -> OrderDesk | None:
    return registry(app).port(IvrPorts).order_desk
