"""REST: `GET /api/v1/metrics/service-level` (R1, R2) from the 15-minute rollups."""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask import current_app

from hotline.api import ApiBlueprint
from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import ValidationFailed
from hotline.extensions import db
from sla import service_level
from sla.jobs import level_settings

bp = ApiBlueprint("metrics", __name__, url_prefix="/metrics",
                  description="Call-centre metrics (supervisors)")


class LevelQuery(ma.Schema):
    start = ma.fields.AwareDateTime(metadata={"description": "default: a day before end"})
    end = ma.fields.AwareDateTime(metadata={
        "description": "default: a day after start, or now; at most 31 days after start"})
    line = ma.fields.String()


class IntervalSchema(ma.Schema):
    line = ma.fields.String()
    starts_at = ma.fields.DateTime()
    offered = ma.fields.Integer()
    answered = ma.fields.Integer()
    answered_in_threshold = ma.fields.Integer()
    abandoned = ma.fields.Integer()
    short_abandoned = ma.fields.Integer()
    average_wait_seconds = ma.fields.Float(allow_none=True)
    longest_wait_seconds = ma.fields.Float()
    service_level = ma.fields.Float(allow_none=True)


class LevelSchema(ma.Schema):
    start = ma.fields.DateTime()
    end = ma.fields.DateTime()
    threshold_seconds = ma.fields.Float()
    target = ma.fields.Float()
    offered = ma.fields.Integer()
    answered = ma.fields.Integer()
    answered_in_threshold = ma.fields.Integer()
    abandoned = ma.fields.Integer()
    service_level = ma.fields.Float(allow_none=True)
    answer_rate = ma.fields.Float(allow_none=True)
    average_wait_seconds = ma.fields.Float(allow_none=True)
    longest_wait_seconds = ma.fields.Float()
    intervals = ma.fields.List(ma.fields.Nested(IntervalSchema))


MAX_INTERVALS = 31 * 24 * 4


@bp.route("/service-level")
@bp.arguments(LevelQuery, location="query")
@bp.response(200, LevelSchema)
@require_role(*roles.SUPERVISION)
def get_service_level(args):
    """Service level (answered within the threshold), answer rate and waits over a period."""
    # One day: up to now by default, or from `start`, or up to `end`.
    start, end = args.get("start"), args.get("end")
    if end is None:
        end = start + timedelta(days=1) if start is not None else utcnow()
    start = start or end - timedelta(days=1)
    if start >= end:
        raise ValidationFailed("start must be before end", fields={"start": "after end"})
    if end - start > service_level.INTERVAL * MAX_INTERVALS:
        raise ValidationFailed("at most 31 days per request", fields={"end": "too far"})
    settings = level_settings(current_app)
    total = service_level.summary(db.session, start, end, args.get("line"))
    return {"start": start, "end": end, "threshold_seconds": settings.threshold_seconds,
            "target": settings.target, **{k: getattr(total, k) for k in (
                "offered", "answered", "answered_in_threshold", "abandoned", "service_level",
                "answer_rate", "average_wait_seconds", "longest_wait_seconds")},
            "intervals": service_level.intervals_between(db.session, start, end,
                                                         args.get("line"))}
