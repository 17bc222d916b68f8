"""The charts page (supervisors and administrators) and its JSON data, drawn by the vendored
Apache ECharts (`static/vendor/echarts-6.1.0.min.js`, from the npm registry, Apache-2.0) and
`static/charts.js`. No inline script: the page hands the data URLs over in data- attributes."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.errors import ValidationFailed
from hotline.extensions import db
from sla import charts, kpis, reports
from sla.jobs import level_settings
from sla.ports import SlaPorts, ports

# No URL prefix, so that the static files are at /static/sla/… (the routes carry /sla/charts).
bp = Blueprint("sla_charts", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/sla")

SUPERVISION = ("supervisor", "admin")
ECHARTS = "vendor/echarts-6.1.0.min.js"
CHARTS = ("intervals", "days", "on-time", "categories", "backlog", "satisfaction")


def _today() -> date:
    return utcnow().astimezone(level_settings(current_app).zone).date()


def _day() -> date:
    value = request.args.get("day")
    if not value:
        return _today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Dates look like 2026-11-24."), fields={"day": value}) from None


def _links(p: SlaPorts, year: int, month: int) -> dict:
    """Order-list links, within the month unless the point names its own dates."""
    zone = level_settings(current_app).zone
    start, end = kpis.month_bounds(year, month, zone)
    first, last = start.date(), (end - timedelta(days=1)).date()

    def orders(**filters):
        if p.orders_link is None:
            return None
        if not {"opened_from", "opened_to", "open_on", "overdue_on", "overdue"} & set(filters):
            filters = {"opened_from": first, "opened_to": last, **filters}
        return p.orders_link(**filters)

    return {"orders": orders}


@bp.route("/sla/charts/")
@login_required
@require_role(*SUPERVISION)
def page():
    day = _day()
    year, month = reports.parse_month(request.args.get("month"), day)
    label = f"{year:04d}-{month:02d}"
    urls = {name: url_for("sla_charts.data", name=name, day=day.isoformat(), month=label)
            for name in CHARTS}
    return render_template("sla/charts.html", day=day, month=label, urls=urls,
                           echarts=ECHARTS,
                           chart_locale="EN" if str(get_locale()).startswith("en") else "ZH")


@bp.route("/sla/charts/data/<any(intervals, days, 'on-time', categories, backlog, "
          "satisfaction):name>")
@login_required
@require_role(*SUPERVISION)
def data(name: str):
    session, p = db.session, ports()
    settings = level_settings(current_app)
    zone = settings.zone
    if name == "intervals":
        return jsonify(charts.intervals_of_day(session, p, _day(), settings))
    year, month = reports.parse_month(request.args.get("month"), _today())
    label = f"{year:04d}-{month:02d}"
    if name == "days":
        return jsonify(charts.days_of_month(session, p, year, month, settings))
    n = reports.names(session, str(get_locale() or "zh_CN"))
    links = _links(p, year, month)
    if name == "on-time":
        return jsonify(charts.on_time_by_department(session, p, year, month, zone, n, links))
    if name == "backlog":
        return jsonify(charts.backlog_trend(session, p, year, month, zone, utcnow(), links))
    start, end = kpis.month_bounds(year, month, zone)
    figures = p.order_report(session, start, end) if p.order_report else None
    if name == "categories":
        return jsonify(charts.categories_by_area(figures, n, links, label))
    return jsonify(charts.satisfaction_by_department(figures, n, links, label))
