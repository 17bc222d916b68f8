"""What the IVR (and any caller-facing channel) may say about an order, and opening an order
from a voicemail. The IVR's `OrderDesk` adapter (wired by the composition root) calls these;
this package never imports ivr."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.models import CustomerAccount
from hotline.directory.phones import holder_matches, try_e164
from hotline.errors import ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.services.common import next_customer_due, order_by_number, record
from workorders.services.create import NewOrder, open_work_order
from workorders.rules.details import needs_listening, with_listen
from workorders.services.repeats import REPEAT_DAYS

VOICEMAIL_CATEGORIES = ("leak", "no_water")


@dataclass(frozen=True)
class CallerStatus:
    """Nothing about who complained (R27): status, handling department, next due time."""

    number: str
    status: str
    department_name_zh: str | None
    department_name_en: str | None
    due_at: datetime | None


def status_for_caller(session: Session, number: str) -> CallerStatus | None:
    """Look up by what a caller keys in: digits, with or without "WO-" and dashes. A merged
    order answers with its master's progress."""
    order = order_by_number(session, number)
    if order is None:
        return None
    shown = order.master if order.status == "merged" and order.master else order
    dept = shown.department
    return CallerStatus(number=order.number, status=shown.status,
                        department_name_zh=dept.name_zh if dept else None,
                        department_name_en=dept.name_en if dept else None,
                        due_at=next_customer_due(session, shown))


def caller_is_holder(session: Session, number: str, *, caller: str | None = None,
                     last_digits: str = "") -> bool:
    """R27: whether the caller may hear the order's status: the calling number, or the last
    4 digits the caller keyed, belong to the order's contact phone or to a phone registered
    on the order's account. Only the yes/no leaves this function, never the numbers."""
    order = order_by_number(session, number)
    if order is None:
        return False
    phones = [order.contact_phone] + ([p.e164 for p in order.account.phones]
                                      if order.account else [])
    return holder_matches(phones, caller=caller, last_digits=last_digits)


def open_from_voicemail(session: Session, *, caller: str, recording_url: str,
                        transcription: str, category: str, call_sid: str,
                        account_id: int | None, area_id: int | None,
                        now: datetime, ctx: SlaContext,
                        repeat_days: int = REPEAT_DAYS) -> WorkOrder:
    """R4 cannot be met by a machine: the order is saved with what is known (the caller's
    number, the account's name and address when the number or the IVR found one), its
    `missing_details` names the gaps, agents are notified to call back and complete it, and
    it is dispatched at once only when the area is known (a leak must not wait).

    It carries its recording and stays flagged "listen and complete" (LISTEN in
    `missing_details`) until an agent fills in the description; what a machine heard
    (`transcription`, a spoken sentence) is only a draft."""
    if category not in VOICEMAIL_CATEGORIES:
        raise ValidationFailed(_("A voicemail reports a leak or no water."),
                               fields={"category": "leak or no_water"})
    account = session.get(CustomerAccount, account_id) if account_id else None
    data = NewOrder(category=category, description=(transcription or "").strip(),
                    contact_phone=try_e164(caller) or "",
                    account_id=account.id if account else None,
                    area_id=area_id or (account.area_id if account else None),
                    call_sid=call_sid, recording_url=recording_url)
    order = open_work_order(session, data, actor=None, channel="voicemail", now=now, ctx=ctx,
                            allow_incomplete=True, repeat_days=repeat_days)
    order.missing_details = ",".join(with_listen(order.missing_details))
    return order


def add_spoken_draft(session: Session, number: str, text: str, *, now: datetime,
                     source: str = "speech") -> bool:
    """What a machine heard the caller say (`<Gather input="speech">`'s SpeechResult, or a
    late transcription) becomes the description's draft, once, while the order awaits an
    agent and has no description yet: never over an agent's words. The order stays
    flagged until an agent confirms. Returns whether the order changed."""
    text = (text or "").strip()[:2000]
    order = order_by_number(session, number)
    if order is None or not text or not needs_listening(order.missing_details) \
            or order.description.strip():
        return False
    order.description = text
    record(session, order, "note", now=now, payload={"draft": source}, note=text)
    return True


def orders_of_call(session: Session, call_sid: str) -> list[WorkOrder]:
    """The orders opened from a call (an agent's, or its voicemail's)."""
    if not call_sid:
        return []
    return list(session.scalars(select(WorkOrder).where(WorkOrder.call_sid == call_sid)
                                .order_by(WorkOrder.id).limit(10)))
