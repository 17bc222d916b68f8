"""Opening a work order (console, API, voicemail, …): R4 details, the owner (R20), the number,
routing and dispatch (R7–R11), the SLA clocks and the caller's SMS confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import Area, CustomerAccount, Department
from hotline.directory.phones import try_e164
from hotline.errors import ValidationFailed
from hotline.notifications.services import notify
from hotline.telephony.outbox import queue_sms
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import CHANNELS, Category, WorkOrder
from workorders.rules import sms
from workorders.rules.details import missing_details
from workorders.services.common import record, refresh_due, start_clocks
from workorders.services.dispatch import dispatch_by_route, dispatch_to, merge_into
from workorders.services.numbering import next_number
from workorders.services.practice import check_small_repair, start_small_repair


@dataclass
class NewOrder:
    category: str
    description: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    account_id: int | None = None
    area_id: int | None = None
    street: str = ""
    house_number: str = ""
    landmark: str = ""
    call_sid: str = ""
    recording_url: str = ""
    confidential: bool = False
    subject_user_id: int | None = None
    department_id: int | None = None  # the agent's choice (R10); else routing decides
    answer: str = ""  # answered on the call (R5/R6): close at once, no dispatch
    master_number: str = ""  # report of a known problem: merge into this order at once
    small_repair: bool = False  # R16: a leak fixed the same day (due 24:00 today)
    extra: dict = field(default_factory=dict)


def open_work_order(session: Session, data: NewOrder, *, actor: User | None, channel: str,
                    now: datetime, ctx: SlaContext, allow_incomplete: bool = False
                    ) -> WorkOrder:
    """`ctx` is the utility's zone (the number's day) and working calendar (the clocks)."""
    order = _open(session, data, actor=actor, channel=channel, now=now, ctx=ctx,
                  allow_incomplete=allow_incomplete)
    refresh_due(session, order)
    session.flush()
    return order


def _open(session: Session, data: NewOrder, *, actor: User | None, channel: str,
          now: datetime, ctx: SlaContext, allow_incomplete: bool) -> WorkOrder:
    """Create, route and (unless answered on the call) dispatch an order. With
    `allow_incomplete` (voicemail, R4 cannot be met by a machine) the order is saved with
    what is known, `missing_details` names the gaps and agents are notified to complete it;
    it is dispatched only when the area is known."""
    if channel not in CHANNELS:
        raise ValidationFailed(_("Unknown channel %(channel)s.", channel=channel),
                               fields={"channel": "unknown"})
    category = session.scalar(select(Category).where(Category.code == data.category,
                                                     Category.active.is_(True)))
    if category is None:
        raise ValidationFailed(_("Unknown category %(code)s.", code=data.category),
                               fields={"category": "unknown"})
    account = session.get(CustomerAccount, data.account_id) if data.account_id else None
    if data.account_id and account is None:
        raise ValidationFailed(_("No such customer account."), fields={"account_id": "unknown"})
    _fill_from_account(data, account)
    phone = try_e164(data.contact_phone) or data.contact_phone.strip()
    area = session.get(Area, data.area_id) if data.area_id else None
    if data.area_id and area is None:
        raise ValidationFailed(_("No such area."), fields={"area_id": "unknown"})
    missing = missing_details(data, has_account=account is not None)
    if data.contact_phone.strip() and try_e164(data.contact_phone) is None \
            and not allow_incomplete:
        raise ValidationFailed(_("The caller's phone number is not valid."),
                               fields={"contact_phone": "not a valid phone number"})
    if missing and not allow_incomplete:
        raise ValidationFailed(_("R4: the caller's name, phone and address are required."),
                               fields={name: "required" for name in missing})
    if category.department_kind is None and not data.answer.strip():
        raise ValidationFailed(
            _("R6: a general enquiry is answered on the call; enter the answer."),
            fields={"answer": "required for a general enquiry"})
    if data.small_repair:
        check_small_repair(category.code)
    chosen = None
    if data.department_id is not None:
        chosen = session.get(Department, data.department_id)
        if chosen is None:
            raise ValidationFailed(_("No such department."), fields={"department_id": "unknown"})
    if data.subject_user_id is not None and session.get(User, data.subject_user_id) is None:
        raise ValidationFailed(_("No such user."), fields={"subject_user_id": "unknown"})

    order = WorkOrder(
        number=next_number(session, now, ctx.zone), channel=channel,
        category_code=category.code, category=category, priority=category.priority,
        status="new", contact_name=data.contact_name.strip(), contact_phone=phone,
        account_id=account.id if account else None, area_id=area.id if area else None,
        area=area, street=data.street.strip(), house_number=data.house_number.strip(),
        landmark=data.landmark.strip(), missing_details=",".join(missing),
        description=data.description.strip(), call_sid=data.call_sid.strip(),
        recording_url=data.recording_url.strip(),
        owner_id=actor.id if actor and actor.role in roles.HOTLINE else None,
        subject_user_id=data.subject_user_id, confidential=bool(data.confidential),
        opened_at=now, updated_at=now, reopen_count=0, follow_up_attempts=0,
        result="", return_reason="", extension_reason="", routed_by="",
    )
    session.add(order)
    session.flush()
    record(session, order, "created", now=now, actor=actor, to_status="new",
           note=order.description,
           payload={"channel": channel, "category": category.code,
                    "call_sid": order.call_sid, "missing_details": missing,
                    "confidential": order.confidential,
                    "small_repair": bool(data.small_repair)})
    if phone and try_e164(phone):
        message = queue_sms(session, phone, sms.confirmation(order.number), now=now,
                            dedupe_key=f"wo-confirm-{order.number}",
                            subject=order.subject)
        record(session, order, "sms_queued", now=now, actor=actor,
               payload={"purpose": "confirmation", "outbox_id": message.id})
    if missing:
        notify(session, dedupe_key=f"wo-incomplete-{order.number}", kind="work_order",
               title=_("%(number)s: caller details missing, please complete", number=order.number),
               link=f"/workorders/{order.number}", now=now, role="agent", severity="warning")

    if data.answer.strip():
        _close_on_call(session, order, data.answer, actor, now)
        return order
    start_clocks(session, order, "open", now, actor, ctx=ctx)
    if data.small_repair:
        start_small_repair(session, order, actor, now, ctx)
    if data.master_number.strip():
        merge_into(session, order, data.master_number, actor=actor, now=now)
        return order
    if chosen is not None:
        order.routing_rule_id = None
        order.routed_by = "agent's choice"
        dispatch_to(session, order, chosen, actor=actor, now=now, from_status="new", ctx=ctx)
        return order
    if order.area_id is not None and not dispatch_by_route(
            session, order, actor=actor, now=now, from_status="new", ctx=ctx):
        notify(session, dedupe_key=f"wo-unrouted-{order.number}", kind="work_order",
               title=_("%(number)s: no department found, dispatch by hand",
                       number=order.number),
               link=f"/workorders/{order.number}", now=now, role="supervisor",
               severity="warning")
    return order


def _fill_from_account(data: NewOrder, account: CustomerAccount | None) -> None:
    if account is None:
        return
    data.contact_name = data.contact_name or account.name
    data.street = data.street or account.street
    data.house_number = data.house_number or account.house_number
    data.landmark = data.landmark or account.landmark
    data.area_id = data.area_id or account.area_id
    if not data.contact_phone and account.phones:
        data.contact_phone = account.phones[0].e164


def _close_on_call(session: Session, order: WorkOrder, answer: str, actor: User | None,
                   now: datetime) -> None:
    order.status = "closed"
    order.result = answer.strip()
    order.closed_at = now
    session.flush()
    record(session, order, "close_on_call", now=now, actor=actor, from_status="new",
           to_status="closed", note=order.result, payload={"rule": "R5 R6"})
