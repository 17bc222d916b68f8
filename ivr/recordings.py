"""Call recordings: which lines record agent calls (IVR_RECORD_LINES), storing what Twilio's
recording callbacks and the voicemail `<Record>` action report on the call (idempotent,
in any order), and queueing the local copy the console plays (`ivr.recording_fetch`
fetches it; no web request calls Twilio). Services take `now` and never commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.db import add_once
from hotline.directory.phones import try_e164
from ivr.models import Call, RecordingCopy

log = logging.getLogger("hotline.ivr.recordings")

EVERY_LINE = "*"
CALLBACK_PATH = "/webhooks/twilio/recording-status"
# `<Dial record>`: both parties, from the moment the agent answers (TWILIO-NOTES).
DIAL_RECORD = "record-from-answer-dual"


def _number(value: str) -> str:
    value = (value or "").strip()
    return try_e164(value) or value


def recorded_lines(config: Mapping) -> tuple[str, ...]:
    """IVR_RECORD_LINES: the dialled numbers whose agent calls are recorded, comma
    separated; `*` is every line; empty (the default) none."""
    raw = str(config.get("IVR_RECORD_LINES") or "")
    return tuple(_number(part) for part in raw.split(",") if part.strip())


def line_records(config: Mapping, to_number: str) -> bool:
    """Whether agent calls to the dialled number `to_number` are recorded."""
    lines = recorded_lines(config)
    return EVERY_LINE in lines or (bool(to_number) and _number(to_number) in lines)


@dataclass(frozen=True)
class RecordingReport:
    """What Twilio says about one recording (the callback's or the `<Record>` action's
    RecordingSid, RecordingUrl, RecordingDuration, RecordingStatus and CallSid)."""

    recording_sid: str
    call_sid: str
    url: str
    duration: int | None
    status: str = "completed"

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> RecordingReport:
        duration = (form.get("RecordingDuration") or "").strip()
        return cls(recording_sid=(form.get("RecordingSid") or "")[:64],
                   call_sid=(form.get("CallSid") or "")[:64],
                   url=(form.get("RecordingUrl") or "")[:500],
                   duration=int(duration) if duration.isdigit() else None,
                   status=(form.get("RecordingStatus") or "completed")[:16])


def call_of_leg(session: Session, leg_call_sid: str) -> Call | None:
    """The caller's call a leg belongs to: the caller's own leg (a voicemail), or the
    agent's leg that dequeued the caller (a `<Dial record>` of an agent call)."""
    if not leg_call_sid:
        return None
    return session.scalar(select(Call).where(or_(
        Call.call_sid == leg_call_sid, Call.agent_call_sid == leg_call_sid)).limit(1))


def _attach(call: Call, copy: RecordingCopy) -> bool:
    """The recording goes on the call once; a call keeps its first recording."""
    if call.recording_sid and call.recording_sid != copy.recording_sid:
        log.warning("call %s has recording %s; %s is not attached", call.call_sid,
                    call.recording_sid, copy.recording_sid)
        return False
    copy.call_id = call.id
    call.recording_sid = copy.recording_sid
    call.recording_url = copy.source_url
    call.recording_duration = copy.duration
    return True


def store_recording(session: Session, report: RecordingReport, *, now: datetime,
                    config: Mapping, voicemail: bool = False) -> RecordingCopy | None:
    """Store a completed recording on its call and queue its local copy. A replay finds the
    copy by RecordingSid and changes nothing; a callback that comes before the bridge was
    recorded waits unattached (`link_agent_leg` attaches it). Recordings that are not
    completed (absent, failed) store nothing; an agent call on a line that does not
    record (the caller heard no notice) is not kept. Returns the copy, if any."""
    if report.status != "completed" or not report.recording_sid or not report.url:
        return None
    call = call_of_leg(session, report.call_sid)
    if call is not None and not voicemail and not line_records(config, call.to_number):
        log.warning("recording %s of call %s on a line that does not record: not kept",
                    report.recording_sid, call.call_sid)
        return None
    copy = RecordingCopy(recording_sid=report.recording_sid, leg_call_sid=report.call_sid,
                         source_url=report.url, duration=report.duration, status="pending",
                         attempts=0, next_attempt_at=now, file_name="", content_type="",
                         last_error="", created_at=now)
    copy, created = add_once(session, copy, RecordingCopy, recording_sid=report.recording_sid)
    if not created:
        if copy.duration is None and report.duration is not None:
            copy.duration = report.duration
    if call is not None and copy.call_id is None:
        _attach(call, copy)
    session.flush()
    return copy


def link_agent_leg(session: Session, call: Call, agent_call_sid: str) -> None:
    """The bridge request names the agent's leg (`DequeingCallSid`): remember it, and attach
    a recording whose callback came first."""
    if not agent_call_sid or call.agent_call_sid:
        return
    call.agent_call_sid = agent_call_sid[:64]
    waiting = session.scalar(select(RecordingCopy).where(
        RecordingCopy.leg_call_sid == call.agent_call_sid, RecordingCopy.call_id.is_(None)))
    if waiting is not None:
        _attach(call, waiting)


def copy_of_call(session: Session, call: Call) -> RecordingCopy | None:
    if not call.recording_sid:
        return None
    return session.scalar(select(RecordingCopy).where(
        RecordingCopy.recording_sid == call.recording_sid))


def call_of_order(session: Session, number: str, call_sid: str = "") -> Call | None:
    """The call behind an order: the one it was opened from, or the voicemail that made it."""
    if call_sid:
        call = session.scalar(select(Call).where(Call.call_sid == call_sid))
        if call is not None:
            return call
    return session.scalar(select(Call).where(Call.voicemail_order == number).limit(1))
