"""REST: `GET /api/v1/reports/monthly?month=YYYY-MM` (the monthly regulator report) and
`GET /api/v1/reports/assessment?month=YYYY-MM` (the department assessment, P2), the same
figures as the console's pages and exports. Supervisors and administrators."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app

from hotline.api import ApiBlueprint
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.extensions import db
from sla import reports
from sla.assessment import assessment
from sla.jobs import level_settings
from sla.ports import ports
from sla.report_views import assessment_json
from sla.settings import current_context

bp = ApiBlueprint("reports", __name__, url_prefix="/reports",
                  description="Monthly report and department assessment (supervisors)")


class MonthQuery(ma.Schema):
    month = ma.fields.String(load_default=None, metadata={
        "description": "YYYY-MM, local calendar month (default: this month)"})


def _month(args):
    zone = current_context(db.session).zone
    year, month = reports.parse_month(args["month"], utcnow().astimezone(zone).date())
    return year, month, zone


@bp.route("/monthly")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, description="Calls, on-time rates and work-order figures of the month; "
                              "rates are fractions, null when nothing was counted.")
@require_role("supervisor", "admin")
def monthly(args):
    year, month, zone = _month(args)
    report = reports.monthly_report(db.session, ports(), year, month, zone)
    return reports.report_json(report, reports.names(db.session, "en"),
                               level_settings(current_app))


@bp.route("/assessment")
@bp.arguments(MonthQuery, location="query")
@bp.response(200, description="Departments ranked by score, with last month's rank and "
                              "score.")
@require_role("supervisor", "admin")
def department_assessment(args):
    year, month, zone = _month(args)
    return assessment_json(assessment(db.session, ports(), year, month, zone),
                           reports.names(db.session, "en"), None)
