"""Wording of stored codes (statuses, kinds, roles…) for people, in zh-CN and English.

Each package registers its tables once (`register(app, kind, table)`): a mapping of code to
lazy string, or a function of the code (names kept in the database, e.g. categories).
Templates read `{{ code|label('outage_status') }}`; a package may show another's codes
without importing it (sla shows work-order categories). Labels carry a gettext context
where one English word means different things (an *Active* outage is 停水中, an *Active*
rule is 启用): the packages' catalogs are merged into one."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from hotline.i18n import Coded

LABELS_KEY = "hotline.labels"
Table = Mapping[str, object] | Callable[[str], object]

OUTAGE_STATUS = {"scheduled": _lp("outage status", "Scheduled"),
                 "active": _lp("outage status", "Active"),
                 "restored": _lp("outage status", "Restored"),
                 "cancelled": _lp("outage status", "Cancelled")}
OUTAGE_KIND = {"planned": _l("Planned outage"), "emergency": _l("Emergency outage")}
AREA_KIND = {"urban": _l("Urban"), "suburban": _l("Suburban")}
DEPARTMENT_KIND = {"maintenance": _l("Maintenance"), "water_quality": _l("Water quality"),
                   "enforcement": _l("Enforcement"), "billing": _l("Billing"),
                   "customer_service": _l("Customer service")}
ROLE = {"agent": _l("Agent"), "staff": _l("Department staff"),
        "supervisor": _l("Supervisor"), "admin": _l("Administrator")}
LOCALE = {"zh_CN": "中文", "en": "English"}  # each language named in itself
SEVERITY = {"info": _lp("severity", "Information"), "warning": _lp("severity", "Warning"),
            "danger": _lp("severity", "Urgent")}
NOTIFICATION_KIND = {
    "outage": _lp("notification", "Outage"), "work_order": _lp("notification", "Work order"),
    "follow_up": _lp("notification", "Follow-up call"),
    "chase": _lp("notification", "Chased by the hotline"),
    "sla_warning": _lp("notification", "Deadline approaching"),
    "sla_breach": _lp("notification", "Deadline missed"),
    "sla_accept_reminder": _lp("notification", "Not accepted in time"),
    "sla_cluster": _lp("notification", "Cluster of complaints"),
    "sla_reminder": _lp("notification", "Reminder: overdue"),
    "sla_escalation": _lp("notification", "Escalated in writing"),
    "service_level": _lp("notification", "Service level"),
}


def register(app: Flask, kind: str, table: Table) -> None:
    app.extensions.setdefault(LABELS_KEY, {})[kind] = table


def label(code, kind: str) -> str:
    """The wording of `code` in the reader's language; "—" for no code; the code itself only
    when nobody registered wording for it (the crawler test finds those)."""
    if code is None or code == "":
        return "—"
    table = current_app.extensions.get(LABELS_KEY, {}).get(kind)
    if table is None:
        return str(code)
    found = table(code) if callable(table) else table.get(code)
    return str(found) if found is not None else str(code)


def coded(kind: str, code: str) -> Coded:
    """A code as a message parameter: its wording now, and shown again in each reader's
    language where the message is stored (notifications)."""
    return Coded(kind, code, label(code, kind) if has_app_context() else code)


def init_app(app: Flask) -> None:
    for kind, table in (("outage_status", OUTAGE_STATUS), ("outage_kind", OUTAGE_KIND),
                        ("area_kind", AREA_KIND), ("department_kind", DEPARTMENT_KIND),
                        ("role", ROLE), ("locale", LOCALE), ("severity", SEVERITY),
                        ("notification_kind", NOTIFICATION_KIND)):
        register(app, kind, table)
    app.add_template_filter(label, "label")
    for name, kind in (("outage_status_label", "outage_status"),
                       ("outage_kind_label", "outage_kind"), ("area_kind_label", "area_kind"),
                       ("department_kind_label", "department_kind"), ("role_label", "role")):
        app.jinja_env.globals[name] = (lambda k: lambda code: label(code, k))(kind)
    app.jinja_env.globals["list_sep"] = list_separator


def list_separator() -> str:
    """How a list of names is joined: 城东区、城西区 / Chengdong, Chengxi."""
    from flask_babel import get_locale

    return ", " if str(get_locale()).startswith("en") else "、"
