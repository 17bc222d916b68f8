"""The clock's jobs. Each takes (session, app, now), only reads and writes the database, and
is idempotent, so a missed or repeated tick repairs itself. The clock process commits once
after each job."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy.orm import Session

from sla import service_level
from sla.clusters import detect_clusters
from sla.ports import ports
from sla.settings import current_context
from sla.watch import SWEEP_CHUNK, sweep_breaches, sweep_warnings

log = logging.getLogger("hotline.sla.clock")  # under the app's JSON log handler


def watch_deadlines(session: Session, app: Flask, now: datetime) -> dict:
    """Breaches first, so a clock that is already past due after downtime is escalated,
    not merely warned."""
    p = ports(app)
    breaches = sweep_breaches(session, p, now, SWEEP_CHUNK)
    warnings = sweep_warnings(session, p, now, SWEEP_CHUNK)
    # A full chunk: there may be more (a catch-up); the clock commits and runs it again.
    more = SWEEP_CHUNK in (breaches.claimed, warnings.claimed)
    return {"breaches": breaches.claimed, "warnings": warnings.claimed,
            "notices": breaches.notices + warnings.notices, "sms": breaches.sms,
            "more": more}


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


def deliver_outbox(session: Session, app: Flask, now: datetime) -> dict:
    """Retry outbound SMS/calls whose delivery failed or was never attempted."""
    from hotline.telephony.outbox import deliver_pending
    from hotline.telephony.plugin import telephony

    return {"attempted": deliver_pending(session, telephony(app), now)}


def activate_outages(session: Session, app: Flask, now: datetime) -> dict:
    """Planned outages whose start has come become active (R26: the IVR announces them)."""
    from hotline.outages.services import activate_due_outages

    return {"activated": len(activate_due_outages(session, now))}
