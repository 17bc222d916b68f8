"""Report pages: the monthly regulator report and the department assessment (P2), on screen,
as JSON, CSV and XLSX, in the reader's language. Supervisors and administrators see
everything; department staff see the assessment of their own department(s) only, with its
rank among all (the assessment is published as a ranking, P2; the other departments' figures
are not theirs to read)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hotline.auth.permissions import require_role, visible_department_ids
from hotline.clock import utcnow
from hotline.extensions import db
from sla import kpis, reports
from sla.assessment import assessment
from sla.exports import XLSX_MIMETYPE, Table, csv_lines, shown, xlsx_bytes
from sla.jobs import level_settings
from sla.ports import ports
from sla.report_tables import Links, assessment_table, heading_lines, monthly_tables
from sla.settings import current_context

bp = Blueprint("sla_reports", __name__, url_prefix="/sla", template_folder="templates")

SUPERVISION = ("supervisor", "admin")
FORMATS = ("html", "json", "csv", "xlsx")


def _month():
    zone = current_context(db.session).zone
    year, month = reports.parse_month(request.args.get("month"),
                                      utcnow().astimezone(zone).date())
    return year, month, zone


def _nav(year: int, month: int) -> dict:
    return {"previous": "%04d-%02d" % reports.previous_month(year, month),
            "following": "%04d-%02d" % reports.next_month(year, month)}


def _names() -> reports.Names:
    return reports.names(db.session, str(get_locale() or "zh_CN"))


def _send(fmt: str, stem: str, heading: list[str], tables: list[Table]):
    missing = _("not available")
    if fmt == "csv":
        return Response(csv_lines(heading, tables, missing), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={stem}.csv"})
    return Response(xlsx_bytes(heading, tables, missing), mimetype=XLSX_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={stem}.xlsx"})


@bp.route("/report", defaults={"fmt": "html"})
@bp.route("/report.<any(json, csv, xlsx):fmt>")
@login_required
@require_role(*SUPERVISION)
def monthly(fmt: str):
    year, month, zone = _month()
    p = ports()
    report = reports.monthly_report(db.session, p, year, month, zone)
    settings = level_settings(current_app)
    n = _names()
    if fmt == "json":
        return jsonify(reports.report_json(report, n, settings))
    tables = monthly_tables(report, n, settings, Links(p, report.start, report.end, zone))
    title = _("Monthly report %(month)s", month=report.label)
    if fmt in ("csv", "xlsx"):
        return _send(fmt, f"monthly-report-{report.label}",
                     heading_lines(title, report.start, report.end, zone, utcnow()), tables)
    return render_template("sla/monthly.html", report=report, tables=tables, title=title,
                           settings=settings, on_time_target=kpis.ON_TIME_TARGET, shown=shown,
                           endpoint="sla_reports.monthly", **_nav(year, month))


@bp.route("/assessment", defaults={"fmt": "html"})
@bp.route("/assessment.<any(json, csv, xlsx):fmt>")
@login_required
@require_role("staff", *SUPERVISION)
def department_assessment(fmt: str):
    year, month, zone = _month()
    p = ports()
    result = assessment(db.session, p, year, month, zone)
    visible = visible_department_ids(db.session, current_user)
    n = _names()
    start, end = kpis.month_bounds(year, month, zone)
    table = assessment_table(result, n, Links(p, start, end, zone), visible)
    if fmt == "json":
        return jsonify(assessment_json(result, n, visible))
    title = _("Department assessment %(month)s", month=result.label)
    if fmt in ("csv", "xlsx"):
        return _send(fmt, f"assessment-{result.label}",
                     heading_lines(title, start, end, zone, utcnow()), [table])
    return render_template("sla/assessment.html", result=result, table=table, title=title,
                           shown=shown, endpoint="sla_reports.department_assessment",
                           **_nav(year, month))


def assessment_json(result, n: reports.Names, visible: set[int] | None) -> dict:
    return {"month": result.label, "available": result.available,
            "ranked": result.ranked_count,
            "departments": [{
                "department": n.department_code(s.department_id), "rank": s.rank,
                "score": s.score, "score_change": s.score_change,
                "rank_change": s.rank_change, "received": s.counts.received,
                "acceptance_on_time": s.acceptance.rate,
                "completion_on_time": s.completion.rate, "follow_up_rate": s.follow_up_rate,
                "satisfaction_rate": s.satisfaction, "returns": s.counts.returns,
                "return_rate": s.return_rate,
                "previous": None if s.previous is None else {
                    "rank": s.previous.rank, "score": s.previous.score}}
                for s in result.ranked if visible is None or s.department_id in visible]}

