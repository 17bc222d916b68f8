"""Agent states (DESIGN.md, "People at work"): available, on call, wrap-up, break with a
reason, offline. Only an available agent is bridged to a caller and counted when the IVR
decides between the priority queue and voicemail. A wrap-up older than the wrap-up seconds
is available: computed from the times, no timer; the change is recorded with the moment it
happened (wrap-up start + the seconds) the next time anyone looks. Services take `now` and
never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.errors import ValidationFailed
from ivr.models import AgentPresence, AgentStateChange, Call

AVAILABLE, ON_CALL, WRAP_UP, BREAK, OFFLINE = "available", "on_call", "wrap_up", "break", \
    "offline"
STATES = (AVAILABLE, ON_CALL, WRAP_UP, BREAK, OFFLINE)
CHOSEN = (AVAILABLE, BREAK, OFFLINE)  # what the agent picks on the softphone page
BREAK_REASONS = ("meal", "meeting", "training", "other")
# The softphone page refreshes `seen_at`: a closed tab stops counting after this.
PRESENCE_TTL = timedelta(minutes=2)

STATE_LABELS = {AVAILABLE: _l("Available"), ON_CALL: _l("On a call"), WRAP_UP: _l("Wrap-up"),
                BREAK: _l("On a break"), OFFLINE: _l("Offline")}
REASON_LABELS = {"meal": _l("Meal"), "meeting": _l("Meeting"), "training": _l("Training"),
                 "other": _l("Other")}


def wrap_up_of(config) -> timedelta:
    """IVR_WRAP_UP_SECONDS of an app's config, for the views."""
    return timedelta(seconds=config["IVR_WRAP_UP_SECONDS"])


def effective_state(presence: AgentPresence | None, now: datetime, wrap_up: timedelta) -> str:
    if presence is None:
        return OFFLINE
    if presence.state == WRAP_UP and now - presence.changed_at >= wrap_up:
        return AVAILABLE
    return presence.state


def _change(session: Session, presence: AgentPresence, state: str, *, at: datetime,
            reason: str = "", call_id: int | None = None) -> None:
    presence.state, presence.reason, presence.call_id = state, reason, call_id
    presence.changed_at = at
    presence.available = state in (AVAILABLE, ON_CALL, WRAP_UP)
    session.add(AgentStateChange(user_id=presence.user_id, state=state, reason=reason,
                                 call_id=call_id, at=at))


def settle(session: Session, presence: AgentPresence | None, now: datetime,
           wrap_up: timedelta) -> None:
    """Record the end of a finished wrap-up at the moment it ended."""
    if presence is not None and presence.state == WRAP_UP \
            and now - presence.changed_at >= wrap_up:
        _change(session, presence, AVAILABLE, at=presence.changed_at + wrap_up)


def _presence(session: Session, user: User, now: datetime) -> AgentPresence:
    presence = session.get(AgentPresence, user.id)
    if presence is None:
        presence = AgentPresence(user_id=user.id, available=False, state=OFFLINE, reason="",
                                 changed_at=now, seen_at=now)
        session.add(presence)
    return presence


def choose_state(session: Session, user: User, state: str, reason: str = "", *,
                 now: datetime, wrap_up: timedelta) -> AgentPresence:
    """The agent picks available, break (with a reason) or offline. Bad input changes
    nothing; choosing the state one is in changes nothing but `seen_at`."""
    if state not in CHOSEN:
        raise ValidationFailed(_("Choose available, break or offline."),
                               fields={"state": state})
    reason = reason if state == BREAK else ""
    if state == BREAK and reason not in BREAK_REASONS:
        raise ValidationFailed(_("Choose the reason for the break."),
                               fields={"reason": reason})
    presence = _presence(session, user, now)
    settle(session, presence, now, wrap_up)
    if (presence.state, presence.reason) != (state, reason) or presence.call_id is not None:
        _change(session, presence, state, at=now, reason=reason)
    presence.seen_at = now
    return presence


def start_call(session: Session, user: User, call: Call, now: datetime) -> None:
    """The bridge (`/ivr/queue/connect`): the agent is on this call. A replay changes
    nothing."""
    presence = _presence(session, user, now)
    if presence.state == ON_CALL and presence.call_id == call.id:
        return
    _change(session, presence, ON_CALL, at=now, call_id=call.id)


def end_call(session: Session, call: Call, now: datetime) -> None:
    """The call is over (queue done or the status callback): its agent goes to wrap-up.
    Only the agent still on this very call moves (replays and late callbacks don't)."""
    if call.agent_id is None:
        return
    presence = session.get(AgentPresence, call.agent_id)
    if presence is not None and presence.state == ON_CALL and presence.call_id == call.id:
        _change(session, presence, WRAP_UP, at=now, call_id=call.id)


def is_available(session: Session, user: User, now: datetime, wrap_up: timedelta) -> bool:
    return effective_state(session.get(AgentPresence, user.id), now, wrap_up) == AVAILABLE


def available_now(now: datetime, wrap_up: timedelta):
    """The SQL condition for "available now": available, or in a wrap-up that is over."""
    return or_(AgentPresence.state == AVAILABLE,
               and_(AgentPresence.state == WRAP_UP,
                    AgentPresence.changed_at <= now - wrap_up))


def count_available(session: Session, now: datetime, wrap_up: timedelta) -> int:
    """Agents available now whose console is open (seen recently): not on a call, not in
    wrap-up, not on a break, not offline."""
    return session.scalar(
        select(func.count()).select_from(AgentPresence).join(User)
        .where(available_now(now, wrap_up), AgentPresence.seen_at >= now - PRESENCE_TTL,
               User.active.is_(True))) or 0


@dataclass(frozen=True)
class AgentBoardRow:
    """One agent on the wallboard: state (a STATES code), break reason, since when."""

    user_id: int
    name: str
    state: str
    reason: str
    since: datetime


def board(session: Session, now: datetime, wrap_up: timedelta) -> list[AgentBoardRow]:
    """Every agent with a presence who is not offline (a closed console counts as offline),
    by name."""
    rows = []
    for presence, user in session.execute(
            select(AgentPresence, User).join(User).where(User.active.is_(True))):
        state = effective_state(presence, now, wrap_up)
        since = presence.changed_at
        if state == AVAILABLE and presence.state == WRAP_UP:
            since = presence.changed_at + wrap_up
        if now - presence.seen_at > PRESENCE_TTL:
            state = OFFLINE
        if state != OFFLINE:
            rows.append(AgentBoardRow(user.id, user.display_name or user.username, state,
                                      presence.reason, since))
    return sorted(rows, key=lambda r: r.name)
