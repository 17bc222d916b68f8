"""Translated labels of codes (statuses, actions, outcomes), using the charters' terms,
registered with the console's label tables (`hotline.web.labels`) so that other packages'
pages show them too (a category in an SLA report)."""

from __future__ import annotations

import re

from flask import Flask, g
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp
from markupsafe import Markup, escape

from hotline.web.labels import register

STATUS = {
    "new": _lp("order status", "New"), "dispatched": _lp("order status", "Dispatched"),
    "accepted": _lp("order status", "Accepted"),
    "in_progress": _lp("order status", "In progress"),
    "awaiting_customer": _lp("order status", "Awaiting customer"),
    "resolved": _lp("order status", "Resolved"), "closed": _lp("order status", "Closed"),
    "returned": _lp("order status", "Returned"), "merged": _lp("order status", "Merged"),
    "cancelled": _lp("order status", "Cancelled"),
    "reopened": _lp("order status", "Reopened"),
}
ACTION = {
    "dispatch": _l("Dispatch"), "accept": _l("Accept"), "return": _l("Return"),
    "start": _l("Start work"), "arrive": _l("Arrived on site"),
    "request_info": _l("Ask customer for material"),
    "material_received": _l("Material received"),
    "request_extension": _l("Request extension"),
    "approve_extension": _l("Approve extension"), "reject_extension": _l("Reject extension"),
    "resolve": _l("Resolve"), "follow_up": _l("Record follow-up call"),
    "close_on_call": _l("Close (answered on the call)"), "cancel": _l("Cancel"),
    "merge": _l("Merge into master order"), "chase": _l("Chase department"),
    "note": _l("Add note"), "update_details": _l("Complete caller details"),
    "review_repeat": _l("Manager's review of the repeated complaint"),
    "confirm_theft": _l("Confirm the theft report"),
    "decide_reward": _l("Decide the reporter's reward"),
    "mark_small_repair": _l("Mark as small repair (same day)"),
    "mark_special": _l("Mark as special enquiry"), "complete_stage": _l("Complete stage"),
    "book_visit": _l("Book a visit"), "rebook_visit": _l("Move the visit"),
    "cancel_visit": _l("Call off the visit"), "dispute_return": _l("Dispute the return"),
    "review_return": _l("Review the return"),
    # events that are not actions
    "created": _lp("order event", "Created"), "sms_queued": _l("SMS queued"), "deadline": _l("Deadline"),
    "merged_in": _l("Duplicate merged in"),
    "repeat": _l("Repeated complaint (重复投诉)"), "repeated_by": _l("Complained about again"),
}
OUTCOME = {"satisfied": _l("Satisfied"), "unsatisfied": _l("Not satisfied"),
           "unreachable": _l("Unreachable")}
PRIORITY = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"),
            "low": _l("Low")}
DEPARTMENT_KIND = {"maintenance": _l("Maintenance"), "water_quality": _l("Water quality lab"),
                   "enforcement": _l("Enforcement"), "billing": _l("Billing"),
                   "customer_service": _l("Customer service")}
# A clock's change on the timeline: "Acceptance clock started, due 2026-11-24 21:29".
CLOCK_OP = {"started": _l("%(clock)s clock started, due %(due)s"),
            "met": _l("%(clock)s met in time (due %(due)s)"),
            "cancelled": _l("%(clock)s clock stopped (was due %(due)s)"),
            "paused": _l("%(clock)s clock paused (was due %(due)s)"),
            "resumed": _l("%(clock)s clock resumed, due %(due)s"),
            "extended": _l("%(clock)s deadline extended to %(due)s"),
            "breached": _l("%(clock)s deadline missed (was due %(due)s)")}
# R24: the stages of a connection application.
STAGE = {"survey": _l("Site survey"), "design": _l("Design"),
         "construction": _l("Construction")}
# P3: a supervisor's review of a disputed return.
RETURN_REVIEW = {"disputed": _l("Disputed, under review"), "upheld": _l("Return upheld"),
                 "overruled": _l("Return overruled")}
VISIT_REQUESTER = {"crew": _l("The crew cannot come"), "customer": _l("The customer asked")}
CHANNEL = {"phone": _l("Phone"), "console": _l("Console"), "api": _l("API"),
           "voicemail": _l("Voicemail"), "web": _l("Web"), "sms": _l("SMS")}
FIELD = {"contact_name": _l("Caller name"), "contact_phone": _l("Caller phone"),
         "street": _l("Street"), "house_number": _l("House number"),
         "landmark": _l("Nearby landmark"), "area_id": _l("Area"),
         "work_street": _l("Work location: street"),
         "work_house_number": _l("Work location: house number"),
         "work_landmark": _l("Work location: nearby landmark"),
         "account_number": _l("Account number"),
         # A voicemail's description: an agent listens to the recording and completes it.
         "description": _l("Listen and complete")}


# How the router chose the department (workorders.rules.routing.Route.how).
ROUTE_HOW = {"area": _l("the department of that kind serving the caller's area"),
             "city_wide": _l("the city-wide department of that kind"),
             "fixed": _l("the department the rule names")}
ROUTED_BY = re.compile(r"^(?P<ref>.+?) \((?P<how>area|city_wide|fixed)\)$")


def label(table: dict, code) -> str:
    return str(table.get(code, code)) if code is not None else "—"


def routed_by(text: str | None) -> str:
    """How an order reached its department, as a sentence: the stored "R7 (area)" →
    "Rule R7: the department of that kind serving the caller's area"."""
    from flask_babel import gettext as _

    if not text:
        return ""
    if text == "agent's choice":
        return _("Chosen by the agent")
    match = ROUTED_BY.match(text)
    if match is None:
        return text
    ref, how = match.group("ref"), str(ROUTE_HOW[match.group("how")])
    if ref == "category default":
        return _("The category's default: %(how)s", how=how)
    if ref.startswith("rule "):
        return _("Routing rule %(id)s: %(how)s", id=ref[5:], how=how)
    return _("Rule %(rule)s: %(how)s", rule=ref, how=how)


def category_name(code: str) -> str:
    """A category's name in the reader's language (admin-edited names, read once a
    request or job)."""
    from hotline.extensions import db
    from workorders.services.admin import categories

    locale = str(get_locale() or "zh_CN")
    names = getattr(g, "wo_category_names", None)
    if names is None or names[0] != locale:
        names = g.wo_category_names = (locale, {c.code: c.name(locale)
                                                for c in categories(db.session)})
    return names[1].get(code, code)


def clock_change(op: str, kind: str, due) -> Markup:
    """A timeline line for a clock: "Acceptance clock started, due <time>…</time>"."""
    from hotline.web.formatting import local_time_html
    from hotline.web.labels import label as code_label

    text = CLOCK_OP.get(op)
    if text is None:
        return Markup("{} {}").format(code_label(kind, "clock_kind"), op)
    return Markup(escape(str(text))) % {"clock": code_label(kind, "clock_kind"),
                                         "due": local_time_html(due)}


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(wo_clock_change=clock_change, wo_routed_by=routed_by)
    for kind, table in (("order_status", STATUS), ("order_action", ACTION),
                        ("follow_up_outcome", OUTCOME), ("priority", PRIORITY),
                        ("channel", CHANNEL), ("category", category_name)):
        register(app, kind, table)
