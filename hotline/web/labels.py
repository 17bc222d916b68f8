"""Translated labels of stored codes (statuses, kinds), for templates."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

OUTAGE_STATUS = {"scheduled": _l("Scheduled"), "active": _l("Active"),
                 "restored": _l("Restored"), "cancelled": _l("Cancelled")}
OUTAGE_KIND = {"planned": _l("Planned outage"), "emergency": _l("Emergency outage")}
AREA_KIND = {"urban": _l("Urban"), "suburban": _l("Suburban")}
DEPARTMENT_KIND = {"maintenance": _l("Maintenance"), "water_quality": _l("Water quality"),
                   "enforcement": _l("Enforcement"), "billing": _l("Billing"),
                   "customer_service": _l("Customer service")}


def init_app(app: Flask) -> None:
    for name, table in (("outage_status_label", OUTAGE_STATUS),
                        ("outage_kind_label", OUTAGE_KIND), ("area_kind_label", AREA_KIND),
                        ("department_kind_label", DEPARTMENT_KIND)):
        app.jinja_env.globals[name] = (lambda t: lambda code: t.get(code, code))(table)
    app.jinja_env.globals["list_sep"] = list_separator


def list_separator() -> str:
    """How a list of names is joined: 城东区、城西区 / Chengdong, Chengxi."""
    from flask_babel import get_locale

    return ", " if str(get_locale()).startswith("en") else "、"
