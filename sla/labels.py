"""Wording of the SLA engine's codes in zh-CN and English (the charters' terms: 签收, 响应,
到达现场, 答复, 办结, 回访, 督办), registered with the console's label tables."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_pgettext as _lp

from hotline.web.labels import register

# A clock on its own (a table column, a heading).
CLOCK_KIND = {
    "accept": _lp("clock", "Acceptance"), "respond": _lp("clock", "Response"),
    "on_site": _lp("clock", "On site"), "reply": _lp("clock", "Reply"),
    "resolve": _lp("clock", "Resolution"), "follow_up": _lp("clock", "Follow-up call"),
    "survey": _lp("clock", "Site survey"), "design": _lp("clock", "Design"),
    "construction": _lp("clock", "Construction"),
    "escalate_cluster": _lp("clock", "Cluster escalation"),
    "escalate_repeat": _lp("clock", "Repeated-complaint escalation"),
    "visit": _lp("clock", "Home visit"),
}
# A clock inside a sentence ("WO-…: acceptance deadline missed").
CLOCK_PHRASE = {
    "accept": _lp("clock phrase", "acceptance"), "respond": _lp("clock phrase", "response"),
    "on_site": _lp("clock phrase", "arrival on site"), "reply": _lp("clock phrase", "reply"),
    "resolve": _lp("clock phrase", "resolution"),
    "follow_up": _lp("clock phrase", "follow-up call"),
    "survey": _lp("clock phrase", "site survey"), "design": _lp("clock phrase", "design"),
    "construction": _lp("clock phrase", "construction"),
    "escalate_cluster": _lp("clock phrase", "cluster escalation"),
    "escalate_repeat": _lp("clock phrase", "repeated-complaint escalation"),
    "visit": _lp("clock phrase", "home visit"),
}
# When a policy's clock starts.
STARTS_ON = {"open": _lp("clock starts", "When the order is opened"),
             "dispatch": _lp("clock starts", "When it is dispatched"),
             "resolve": _lp("clock starts", "When it is resolved"),
             "cluster": _lp("clock starts", "When a cluster forms"),
             "repeat": _lp("clock starts", "When a repeated complaint is logged"),
             "small_repair": _lp("clock starts", "When marked a small repair"),
             "special": _lp("clock starts", "When marked a special enquiry"),
             "survey_done": _lp("clock starts", "When the site survey is done"),
             "design_done": _lp("clock starts", "When the design is done")}
CALENDAR_DAY = {"holiday": _lp("calendar", "Holiday"),
                "adjusted_workday": _lp("calendar", "Adjusted working day"),
                "override_holiday": _lp("calendar", "Holiday (override)"),
                "override_workday": _lp("calendar", "Working day (override)"),
                "workday": _lp("calendar", "Working day")}
LINE = {"hotline": _lp("line", "Customer hotline")}
CLUSTER_STATUS = {"open": _lp("cluster", "Open"), "closed": _lp("cluster", "Closed")}


def init_app(app: Flask) -> None:
    for kind, table in (("clock_kind", CLOCK_KIND), ("clock_phrase", CLOCK_PHRASE),
                        ("starts_on", STARTS_ON), ("calendar_day", CALENDAR_DAY),
                        ("cluster_status", CLUSTER_STATUS), ("line", LINE)):
        register(app, kind, table)
