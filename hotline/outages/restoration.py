"""Callers' no-water reports recorded against a running outage, and what they get when it is
restored (issue 11 item 7): one SMS in their language, plus an outbound call if they asked
for one (keypad 1 in the IVR, or the agent's tick). Both go through the outbox; the call's
TwiML is `hotline.outages.voice`. Services: `session, now`, never commit."""

from __future__ import annotations

from datetime import datetime, tzinfo

from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import add_once
from hotline.directory.phones import try_e164
from hotline.errors import Conflict, ValidationFailed
from hotline.i18n import N_
from hotline.i18n import tr as _
from hotline.outages.models import REPORT_LANGUAGES, OutageNotice, OutageReport
from hotline.telephony.outbox import queue_call, queue_sms

BABEL_LOCALES = {"zh": "zh_CN", "en": "en"}
# Open outages a report can join: running ones, and scheduled ones whose start has come
# (before the clock job marks them active).
OPEN = ("scheduled", "active")


def in_language(language: str, message: str, **params: object) -> str:
    """`message` in a caller's language (not the reader's: SMS and calls are for callers)."""
    with force_locale(BABEL_LOCALES.get(language, "zh_CN")):
        return gettext(message, **params)


def local_time(moment: datetime, zone: tzinfo, language: str) -> str:
    """A time as a caller reads it in an SMS: 11月30日 18:05 / Nov 30, 18:05 (local)."""
    local = moment.astimezone(zone)
    if language == "en":
        return local.strftime("%b %d, %H:%M")
    return f"{local.month}月{local.day}日 {local.hour:02d}:{local.minute:02d}"


def is_running(outage: OutageNotice, now: datetime) -> bool:
    return outage.status in OPEN and outage.start_at <= now


def record_report(session: Session, outage: OutageNotice, *, phone: str, language: str,
                  source: str, now: datetime, wants_call: bool = False, call_sid: str = "",
                  account_id: int | None = None, actor: User | None = None) -> OutageReport:
    """Record a caller's report against `outage` (no work order, no crew). One per phone
    and outage: a second report from the same phone keeps the first, takes the newer
    language and keeps any wish for a call."""
    fields = {}
    e164 = try_e164(phone)
    if e164 is None:
        fields["phone"] = _("Give a valid phone number.")
    if language not in REPORT_LANGUAGES:
        fields["language"] = _("Choose Chinese or English.")
    if fields:
        raise ValidationFailed(_("The report was not recorded."), fields=fields)
    if not is_running(outage, now):
        raise Conflict(_("Only a running outage takes callers' reports."))
    report, created = add_once(session, OutageReport(
        outage_id=outage.id, phone=e164, language=language, wants_call=bool(wants_call),
        source=source, call_sid=call_sid[:64], account_id=account_id,
        reported_by_id=actor.id if actor else None, created_at=now), OutageReport,
        outage_id=outage.id, phone=e164)
    if not created:
        report.language = language
        report.wants_call = report.wants_call or bool(wants_call)
    session.flush()
    return report


def ask_for_call(session: Session, outage_id: int, phone: str) -> OutageReport | None:
    """The caller pressed 1: call them as well when water is back."""
    report = session.scalar(select(OutageReport).where(
        OutageReport.outage_id == outage_id, OutageReport.phone == try_e164(phone)))
    if report is not None:
        report.wants_call = True
        session.flush()
    return report


def report_counts(session: Session, outage_id: int) -> dict[str, int]:
    """How many reports an outage holds, and how many of them asked for a call."""
    total, calls = session.execute(select(
        func.count(OutageReport.id),
        func.count(OutageReport.id).filter(OutageReport.wants_call.is_(True)))
        .where(OutageReport.outage_id == outage_id)).one()
    return {"reports": total or 0, "calls": calls or 0}


def restored_sms(outage: OutageNotice, language: str, zone: tzinfo) -> str:
    return in_language(language, N_("Water hotline: water supply in your area was restored at "
                       "%(time)s. Thank you for your patience."),
                       time=local_time(outage.restored_at, zone, language))


def restored_speech(outage: OutageNotice, language: str, zone: tzinfo) -> str:
    return in_language(language, N_("Hello, this is the water supply customer service hotline. "
                       "The water outage you reported was restored at %(time)s. Thank you "
                       "for your patience. Goodbye."),
                       time=local_time(outage.restored_at, zone, language))


def call_path(outage_id: int, language: str) -> str:
    return f"/outage-calls/{outage_id}/restored?lang={language}"


def notify_reporters(session: Session, outage: OutageNotice, *, now: datetime,
                     zone: tzinfo | None, public_base: str) -> int:
    """Restoration: each reporter not yet told gets one SMS, and a call if they asked.
    Outbox dedupe keys (per outage and phone) make a repeat harmless. Returns how many."""
    reports = list(session.scalars(select(OutageReport).where(
        OutageReport.outage_id == outage.id, OutageReport.notified_at.is_(None))
        .order_by(OutageReport.id)))
    if reports and zone is None:
        raise TypeError("telling callers the restoration time needs the utility's zone")
    for report in reports:
        key = f"outage:{outage.id}:restored:{report.phone}"
        queue_sms(session, report.phone, restored_sms(outage, report.language, zone), now=now,
                  dedupe_key=f"{key}:sms", subject=("outage_report", report.id))
        if report.wants_call:
            queue_call(session, report.phone,
                       public_base + call_path(outage.id, report.language),
                       f"outage #{outage.id} restored", now=now, dedupe_key=f"{key}:call",
                       subject=("outage_report", report.id))
        report.notified_at = now
    session.flush()
    return len(reports)
