"""Outage rules (pure): R25 announcement lead time and the notice's status machine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# R25: planned outages of up to 12 h are announced at least 24 h ahead; longer ones need
# an approval and at least 48 h notice.
SHORT_OUTAGE = timedelta(hours=12)
SHORT_NOTICE = timedelta(hours=24)
LONG_NOTICE = timedelta(hours=48)

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "scheduled": ("active", "cancelled"),
    "active": ("restored",),
    "restored": (),
    "cancelled": (),
}


@dataclass(frozen=True)
class LeadTimeCheck:
    """What R25 asks of a planned outage: `notice_needed` ahead of its start, and an
    approver when it is long. `short_notice`/`needs_approval` say what is missing."""

    notice_needed: timedelta
    long_outage: bool
    short_notice: bool
    needs_approval: bool

    @property
    def ok(self) -> bool:
        return not (self.short_notice or self.needs_approval)


def check_lead_time(kind: str, start: datetime, end: datetime, now: datetime,
                    has_approver: bool) -> LeadTimeCheck:
    """R25 for a notice announced at `now`. Emergency outages have no lead time."""
    if kind != "planned":
        return LeadTimeCheck(timedelta(0), False, False, False)
    long_outage = end - start > SHORT_OUTAGE
    needed = LONG_NOTICE if long_outage else SHORT_NOTICE
    return LeadTimeCheck(
        notice_needed=needed, long_outage=long_outage, short_notice=start - now < needed,
        needs_approval=long_outage and not has_approver)


def can_move(status: str, target: str) -> bool:
    return target in TRANSITIONS.get(status, ())


def initial_status(start: datetime, now: datetime) -> str:
    return "active" if start <= now else "scheduled"
