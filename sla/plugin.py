"""SLA wiring: CLI (calendar, sla due, clock), console pages, nav items, home panels."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hotline import api
from hotline.clock import utcnow
from hotline.extensions import db
from hotline.auth import roles
from hotline.registry import HomePanel, NavItem, registry
from sla import calendar_admin, labels
from sla import models  # noqa: F401 (tables)
from sla.api import bp as api_bp
from sla.chart_views import bp as charts_bp
from sla.cli import calendar_cli, clock_command, sla_cli
from sla.clusters import open_clusters
from sla.report_api import bp as report_api_bp
from sla.report_views import bp as reports_bp
from sla.settings import current_context
from sla.views import bp
from sla.watch import count_breached_open


def init_app(app: Flask) -> None:
    for blueprint in (bp, reports_bp, charts_bp):
        app.register_blueprint(blueprint)
    api.register_blueprint(api_bp)
    api.register_blueprint(report_api_bp)
    labels.init_app(app)
    for command in (calendar_cli, sla_cli, clock_command):
        app.cli.add_command(command)
    reg = registry(app)
    reg.nav += [
        NavItem("sla.dashboard", _l("SLA"), roles.SUPERVISION, 40),
        NavItem("sla.wallboard", _l("Wallboard"), roles.HOTLINE, 41),
        NavItem("sla_charts.page", _l("Charts"), roles.SUPERVISION, 42),
        NavItem("sla_reports.monthly", _l("Monthly report"), roles.SUPERVISION, 43),
        # Supervisors reach the assessment from the report and the charts.
        NavItem("sla_reports.department_assessment", _l("Assessment"), (roles.STAFF,), 44),
        NavItem("sla.policies", _l("SLA policies"), roles.SUPERVISION, 80),
        NavItem("sla.calendar", _l("Calendar"), roles.SUPERVISION, 81),
    ]
    reg.home_panels.append(HomePanel("sla/_panel_supervision.html", supervision_panel,
                                     roles.SUPERVISION, 20))


def supervision_panel(user) -> dict:
    ctx = current_context(db.session)
    today = utcnow().astimezone(ctx.zone).date()
    return {"breaches": count_breached_open(db.session),
            "clusters": len(open_clusters(db.session)),
            "calendar_warning": calendar_admin.next_year_warning(db.session, ctx.calendar,
                                                                 today)}
