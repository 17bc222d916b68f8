"""Wiring of the work-order package into the app."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from hotline import api as hotline_api
    from hotline.demo import add_demo_loader
    from hotline.directory.views import CustomerSection, add_customer_section
    from workorders.demo import load_demo_orders
    from hotline.web.nav import HomePanel, NavItem, add_home_panel, add_nav
    from workorders import models  # noqa: F401
    from workorders import panels
    from workorders.api import bp as api_bp
    from workorders.views import bp

    app.register_blueprint(bp)
    hotline_api.register_blueprint(api_bp)
    add_demo_loader(app, "workorders", load_demo_orders)
    add_customer_section(app, CustomerSection("workorders/_household_orders.html",
                                              panels.household_orders, order=20))
    everyone = ("agent", "staff", "supervisor", "admin")
    add_nav(app, NavItem("workorders.index", _l("Work orders"), everyone, order=20))
    add_nav(app, NavItem("workorders.create", _l("New work order"),
                         ("agent", "supervisor", "admin"), order=21))
    add_nav(app, NavItem("workorders.follow_ups", _l("Follow-ups"),
                         ("agent", "supervisor", "admin"), order=22))
    add_nav(app, NavItem("workorders.routing_rules", _l("Routing rules"), ("admin",),
                         order=80))
    add_nav(app, NavItem("workorders.categories", _l("Categories"), ("admin",), order=81))
    add_home_panel(app, HomePanel("workorders/panel.html", panels.agent_panel, ("agent",), 10))
    add_home_panel(app, HomePanel("workorders/panel.html", panels.staff_panel, ("staff",), 10))
    add_home_panel(app, HomePanel("workorders/panel.html", panels.supervisor_panel,
                                  ("supervisor", "admin"), 10))


def wire(app: Flask) -> None:
    from sla import ports
    from workorders.rules.catalog import CATEGORY_CODES
    from workorders.sla_ports import SUBJECT_TYPE, cluster_candidates, describe_orders
    from workorders.stats import order_figures

    ports.register_subject(app, SUBJECT_TYPE, describe_orders)
    ports.register_cluster_source(app, cluster_candidates)
    ports.register_order_stats(app, order_figures)
    ports.register_categories(app, CATEGORY_CODES)
