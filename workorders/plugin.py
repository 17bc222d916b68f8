"""Wiring of the work-order package into the app: pages, API, nav, home panels, the
household file's orders, demo orders."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hotline import api
from hotline.auth import roles
from hotline.registry import CustomerSection, HomePanel, NavItem, registry
from workorders import models  # noqa: F401 (tables)
from workorders import labels, panels
from workorders.api import bp as api_bp
from workorders.crew import bp as crew_bp
from workorders.demo import load_demo_orders
from workorders.views import bp

def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(crew_bp)
    api.register_blueprint(api_bp)
    labels.init_app(app)
    reg = registry(app)
    reg.add_demo_loader("workorders", load_demo_orders)
    reg.customer_sections.append(CustomerSection("workorders/_household_orders.html",
                                                 panels.household_orders, order=20))
    reg.nav += [
        NavItem("crew.queue", _l("My queue"), (roles.STAFF,), order=19),
        NavItem("workorders.index", _l("Work orders"), roles.EVERYONE, order=20),
        NavItem("workorders.create", _l("New work order"), roles.HOTLINE, order=21),
        NavItem("workorders.follow_ups", _l("Follow-ups"), roles.HOTLINE, order=22),
        NavItem("workorders.routing_rules", _l("Routing rules"), (roles.ADMIN,), order=80),
        NavItem("workorders.categories", _l("Categories"), (roles.ADMIN,), order=81),
    ]
    reg.home_panels += [
        HomePanel("workorders/panel.html", panels.agent_panel, (roles.AGENT,), 10),
        HomePanel("workorders/panel.html", panels.staff_panel, (roles.STAFF,), 10),
        HomePanel("workorders/panel.html", panels.supervisor_panel, roles.SUPERVISION,
                  10),
    ]
