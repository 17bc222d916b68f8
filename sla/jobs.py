"""The clock's jobs. Each takes (session, app, now), only reads and writes the database, and
is idempotent, so a missed or repeated tick repairs itself. The clock process commits once
after each job."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from hotline.telephony.delivery import deliver_due
from sla import service_level
from sla.clusters import detect_clusters
from sla.ports import ports
from sla.reminders import sweep_escalations, sweep_reminders
from sla.settings import current_context
from sla.watch import SWEEP_CHUNK, sweep_breaches, sweep_warnings

log = logging.getLogger("hotline.sla.clock")  # under the app's JSON log handler


def watch_deadlines(session: Session, app: Flask, now: datetime) -> dict:
    """Breaches first, so a clock that is already past due after downtime is escalated,
    not merely warned; then the P4 reminders (催办) and written escalations (督办)."""
    p = ports(app)
    ctx = current_context(session)
    breaches = sweep_breaches(session, p, now, SWEEP_CHUNK)
    warnings = sweep_warnings(session, p, now, SWEEP_CHUNK)
    reminders = sweep_reminders(session, p, now, ctx)
    escalations = sweep_escalations(session, p, now, ctx)
    # A full chunk: there may be more (a catch-up); the clock commits and runs it again.
    more = SWEEP_CHUNK in (breaches.claimed, warnings.claimed)
    return {"breaches": breaches.claimed, "warnings": warnings.claimed,
            "reminders": reminders.claimed, "escalations": escalations.claimed,
            "notices": breaches.notices + warnings.notices + reminders.notices
            + escalations.notices, "sms": breaches.sms, "more": more}


def watch_clusters(session: Session, app: Flask, now: datetime) -> dict:
    result = detect_clusters(
        session, ports(app), now, size=int(app.config["HOTLINE_CLUSTER_SIZE"]),
        window=timedelta(minutes=app.config["HOTLINE_CLUSTER_WINDOW_MINUTES"]) or None,
        ctx=current_context(session))
    return {"created": len(result.created), "joined": len(result.joined)}


def level_settings(app: Flask) -> service_level.LevelSettings:
    return service_level.LevelSettings(
        threshold_seconds=float(app.config["HOTLINE_ANSWER_SECONDS"]),
        short_abandon_seconds=float(app.config["HOTLINE_SHORT_ABANDON_SECONDS"]),
        target=float(app.config["HOTLINE_SERVICE_LEVEL_TARGET"]),
        answer_rate_target=float(app.config["HOTLINE_ANSWER_RATE_TARGET"]),
        other_lines_target=float(app.config["HOTLINE_OTHER_LINES_SERVICE_LEVEL_TARGET"]),
        other_lines_answer_rate_target=float(
            app.config["HOTLINE_OTHER_LINES_ANSWER_RATE_TARGET"]),
        zone=ZoneInfo(app.config["HOTLINE_TIMEZONE"]))


def roll_up_service_level(session: Session, app: Flask, now: datetime) -> dict:
    count = service_level.rollup_recent(session, ports(app).calls, now, level_settings(app))
    return {"intervals": count}


# The clock's outbox job is a safety net for a missing delivery worker: it sends only what
# has waited this long past its time, and stops claiming after its budget, so a hanging
# Twilio holds it for at most the budget plus one TWILIO_HTTP_TIMEOUT_SECONDS. It runs on
# the scheduler's thread pool, so the other jobs never wait for it either way.
OUTBOX_SAFETY_NET_AFTER = timedelta(minutes=1)
OUTBOX_BUDGET_SECONDS = 5.0


def deliver_outbox(session: Session, app: Flask, now: datetime) -> dict:
    """Send outbound SMS/calls that no delivery worker picked up (claims keep the clock and
    the workers from sending one twice). Each message has its own short transactions."""
    attempted = deliver_due(app, worker="clock", due_before=now - OUTBOX_SAFETY_NET_AFTER,
                            budget_seconds=OUTBOX_BUDGET_SECONDS)
    if attempted:
        log.warning("clock sent %s outbox message(s) overdue by over a minute: is the "
                    "`hotline telephony worker` process running?", attempted)
    return {"attempted": attempted}


def activate_outages(session: Session, app: Flask, now: datetime) -> dict:
    """Planned outages whose start has come become active (R26: the IVR announces them)."""
    from hotline.outages.services import activate_due_outages

    return {"activated": len(activate_due_outages(session, now))}
