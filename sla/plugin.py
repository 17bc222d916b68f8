"""SLA wiring: models, configuration defaults, CLI (calendar, sla due, clock), console
pages, nav items, home panels, and the cluster subject describer."""

from __future__ import annotations

import os

from flask import Flask
from flask_babel import lazy_gettext as _l

# Defaults; the HOTLINE_CLOCK_* ones may also come from the environment (the Procfile's
# clock process and the two-clock test set them there).
DEFAULTS = {
    "HOTLINE_CLUSTER_SIZE": 3,  # R13
    "HOTLINE_CLUSTER_WINDOW_MINUTES": 120,
    "HOTLINE_ANSWER_SECONDS": 12,  # R1
    "HOTLINE_SHORT_ABANDON_SECONDS": 5,  # R2
    "HOTLINE_SERVICE_LEVEL_TARGET": 0.8,
    "HOTLINE_ANSWER_RATE_TARGET": 0.98,  # R2
    "HOTLINE_WALLBOARD_REFRESH_SECONDS": 10,
    "HOTLINE_CLOCK_TICK_SECONDS": 15,
    "HOTLINE_CLOCK_ROLLUP_SECONDS": 60,
    # A standby takes over within lease + lease/4 seconds of the active clock's death
    # (sla.clock_process): 12.5 s.
    "HOTLINE_CLOCK_LEASE_SECONDS": 10,
}
FROM_ENV = ("HOTLINE_CLOCK_TICK_SECONDS", "HOTLINE_CLOCK_ROLLUP_SECONDS",
            "HOTLINE_CLOCK_LEASE_SECONDS", "HOTLINE_CLUSTER_SIZE",
            "HOTLINE_CLUSTER_WINDOW_MINUTES")


def init_app(app: Flask) -> None:
    from hotline.web.nav import HomePanel, NavItem, add_home_panel, add_nav
    from sla import models  # noqa: F401
    from sla.cli import calendar_cli, clock_command, sla_cli
    from sla.views import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    for key in FROM_ENV:
        if os.environ.get(key):
            app.config[key] = float(os.environ[key])
    app.register_blueprint(bp)
    from hotline.api import register_blueprint
    from sla.api import bp as api_bp

    register_blueprint(api_bp)
    app.cli.add_command(calendar_cli)
    app.cli.add_command(sla_cli)
    app.cli.add_command(clock_command)
    add_nav(app, NavItem("sla.dashboard", _l("SLA"), ("supervisor", "admin"), 40))
    add_nav(app, NavItem("sla.wallboard", _l("Wallboard"), ("agent", "supervisor", "admin"), 41))
    add_nav(app, NavItem("sla.report", _l("Monthly report"), ("supervisor", "admin"), 43))
    add_nav(app, NavItem("sla.policies", _l("SLA policies"), ("supervisor", "admin"), 80))
    add_nav(app, NavItem("sla.calendar", _l("Calendar"), ("supervisor", "admin"), 81))
    add_home_panel(app, HomePanel("sla/_panel_supervision.html", supervision_panel,
                                  ("supervisor", "admin"), 20))


def wire(app: Flask) -> None:
    from sla.clusters import describe_clusters
    from sla.ports import register_subject

    register_subject(app, "cluster", describe_clusters)


def supervision_panel(user) -> dict:
    from hotline.clock import utcnow
    from hotline.extensions import db
    from sla import calendar_admin
    from sla.clusters import open_clusters
    from sla.settings import current_context
    from sla.watch import count_breached_open

    ctx = current_context(db.session)
    today = utcnow().astimezone(ctx.zone).date()
    return {"breaches": count_breached_open(db.session),
            "clusters": len(open_clusters(db.session)),
            "calendar_warning": calendar_admin.next_year_warning(db.session, ctx.calendar,
                                                                 today)}
