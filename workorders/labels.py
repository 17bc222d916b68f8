"""Translated labels of codes (statuses, actions, outcomes), using the charters' terms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "new": _l("New"), "dispatched": _l("Dispatched"), "accepted": _l("Accepted"),
    "in_progress": _l("In progress"), "awaiting_customer": _l("Awaiting customer"),
    "resolved": _l("Resolved"), "closed": _l("Closed"), "returned": _l("Returned"),
    "merged": _l("Merged"), "cancelled": _l("Cancelled"), "reopened": _l("Reopened"),
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
    "mark_small_repair": _l("Mark as small repair (same day)"),
    "mark_special": _l("Mark as special enquiry"), "complete_stage": _l("Complete stage"),
    "book_visit": _l("Book a visit"), "rebook_visit": _l("Move the visit"),
    "cancel_visit": _l("Call off the visit"), "dispute_return": _l("Dispute the return"),
    "review_return": _l("Review the return"),
    # events that are not actions
    "created": _l("Created"), "sms_queued": _l("SMS queued"), "deadline": _l("Deadline"),
    "merged_in": _l("Duplicate merged in"),
}
OUTCOME = {"satisfied": _l("Satisfied"), "unsatisfied": _l("Not satisfied"),
           "unreachable": _l("Unreachable")}
PRIORITY = {"urgent": _l("Urgent"), "high": _l("High"), "normal": _l("Normal"),
            "low": _l("Low")}
DEPARTMENT_KIND = {"maintenance": _l("Maintenance"), "water_quality": _l("Water quality lab"),
                   "enforcement": _l("Enforcement"), "billing": _l("Billing"),
                   "customer_service": _l("Customer service")}
CLOCK_OP = {"started": _l("started"), "met": _l("met"), "cancelled": _l("cancelled"),
            "paused": _l("paused"), "resumed": _l("resumed"), "extended": _l("extended"),
            "breached": _l("breached")}
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
         "landmark": _l("Nearby landmark"), "area_id": _l("Area")}


def label(table: dict, code) -> str:
    return str(table.get(code, code)) if code is not None else "—"
