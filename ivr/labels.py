"""Wording of the IVR's codes in zh-CN and English: call outcomes, callback reasons and
results, outgoing messages, and the menu path a caller took ("main:1>balance" →
"主菜单 1 › 查询余额"), registered with the console's label tables."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _lp

from hotline.web.labels import register

CALL_OUTCOME = {"self_served": _lp("call", "Self-served"), "answered": _lp("call", "Answered"),
                "abandoned": _lp("call", "Abandoned"),
                "callback": _lp("call", "Callback requested"),
                "voicemail": _lp("call", "Voicemail"),
                "in_progress": _lp("call", "In progress")}
CALLBACK_REASON = {"requested": _lp("callback", "Asked in the queue"),
                   "abandoned": _lp("callback", "Hung up while waiting"),
                   "queue_failed": _lp("callback", "Queue unavailable")}
CALLBACK_RESULT = {"pending": _lp("callback", "Pending"),
                   "reached": _lp("callback", "Reached"),
                   "no_answer": _lp("callback", "No answer"),
                   "cancelled": _lp("callback", "Cancelled")}
OUTBOX_STATUS = {"pending": _lp("outbox", "Waiting to send"), "sent": _lp("outbox", "Sent"),
                 "sending": _lp("outbox", "Sending"),
                 "failed": _lp("outbox", "Failed")}
OUTBOX_CHANNEL = {"sms": _lp("outbox", "SMS"), "call": _lp("outbox", "Call")}
# The steps `ivr.voice` records in `Call.ivr_path`.
MENU_STEP = {"main": _l("Main menu"), "to-agent": _l("To an agent"),
             "balance": _l("Bill balance"), "outages": _l("Outages in the area"),
             "order-status": _l("Work-order status"), "report": _l("Report"),
             "voicemail": _l("Voicemail"), "callback": _l("Callback requested"),
             "outage-report": _l("Recorded against outage"),
             "restoration-call": _l("Asked for a call when water is back"),
             "described": _l("Spoken description")}
REPORTED = {"leak": _l("leak"), "no_water": _l("no water")}


def menu_path(path: str | None) -> str:
    """The menu path as words: "main:0>to-agent" → "Main menu 0 › To an agent"."""
    if not path:
        return "—"
    steps = []
    for step in path.split(">"):
        name, _sep, value = step.partition(":")
        text = str(MENU_STEP.get(name, name))
        if name == "report" and value:
            value = str(REPORTED.get(value, value))
        elif name == "outages" and value:
            value = _area_name(value)
        steps.append(f"{text} {value}".strip() if value and value != "-" else text)
    return " › ".join(steps)


def _area_name(code: str) -> str:
    from flask_babel import get_locale
    from sqlalchemy import select

    from hotline.directory.models import Area
    from hotline.extensions import db

    area = db.session.scalar(select(Area).where(Area.code == code))
    return area.name(str(get_locale() or "zh_CN")) if area else code


def init_app(app: Flask) -> None:
    for kind, table in (("call_outcome", CALL_OUTCOME), ("callback_reason", CALLBACK_REASON),
                        ("callback_result", CALLBACK_RESULT), ("outbox_status", OUTBOX_STATUS),
                        ("outbox_channel", OUTBOX_CHANNEL), ("menu_path", menu_path)):
        register(app, kind, table)
