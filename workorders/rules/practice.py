"""Rules of handling practice (pure): same-day small repairs (R16), special enquiries (R19),
the stages of a connection application (R24), home-visit windows (R31) and returns (P3).
The services ask these before they touch the database."""

from __future__ import annotations

from datetime import datetime, timedelta

# R16: a leak the agent or the crew marks as a small repair is finished the same day.
SMALL_REPAIR_CATEGORIES = ("leak",)
# R19: an enquiry that needs investigation may be marked special by a supervisor.
SPECIAL_CATEGORIES = ("enquiry",)
# R24: a connection application runs survey → design → construction; each stage's clock
# starts when the stage before it is completed (policy `starts_on` = "<stage>_done").
STAGES = {"connection": ("survey", "design", "construction")}

# R31: who asked for a visit to be moved or called off. Only the crew owes the customer
# notice; a customer's own change is never late.
VISIT_REQUESTERS = ("crew", "customer")
VISIT_STATUSES = ("booked", "kept", "rebooked", "cancelled")
LONGEST_WINDOW = timedelta(hours=12)

# P3: a supervisor's review of a disputed return.
RETURN_DECISIONS = ("upheld", "overruled")
RETURN_REVIEWS = ("", "disputed", "upheld", "overruled")


def stages_of(category: str) -> tuple[str, ...]:
    return STAGES.get(category, ())


def stage_started_by(stage: str) -> str:
    """The policy event that starts the stage after `stage` (R24)."""
    return f"{stage}_done"


def window_problems(start: datetime | None, end: datetime | None, now: datetime
                    ) -> dict[str, str]:
    """R31: a visit window is a future period of at most 12 hours. Field → problem."""
    problems = {}
    if start is None:
        problems["window_start"] = "required"
    if end is None:
        problems["window_end"] = "required"
    if problems:
        return problems
    if start.tzinfo is None or end.tzinfo is None:
        return {"window_start": "needs a time zone"}
    if start <= now:
        problems["window_start"] = "must be in the future"
    if end <= start:
        problems["window_end"] = "must be after the start"
    elif end - start > LONGEST_WINDOW:
        problems["window_end"] = "a window is at most 12 hours"
    return problems


def notice_deadline(window_start: datetime, notice: timedelta) -> datetime:
    """R31: the last moment a crew that cannot come may tell the customer."""
    return window_start - notice


def late_notice(window_start: datetime, now: datetime, notice: timedelta,
                requested_by: str) -> bool:
    """R31: the crew calls off (or moves) a visit with less notice than required."""
    return requested_by == "crew" and now > notice_deadline(window_start, notice)
