"""Opening a work order (console, API, voicemail, …): R4 details, the household (R30), the
work location (R27), the owner (R20), the number, routing and dispatch (R7–R11), repeated
complaints (R13), the SLA clocks and the caller's SMS confirmation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import Area, CustomerAccount, Department
from hotline.directory.phones import try_e164
from hotline.directory.services import accounts_by_phone
from hotline.errors import ValidationFailed
from hotline.telephony.outbox import queue_sms
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import CHANNELS, Category, WorkOrder
from workorders.rules import sms
from workorders.rules.catalog import COMPLAINT_CATEGORIES
from workorders.rules.details import missing_details
from workorders.services.citations import cite, revision_for_answer
from workorders.services.common import notify_order, record, refresh_due, start_clocks
from workorders.services.dispatch import dispatch_by_route, dispatch_to, merge_into
from workorders.services.numbering import next_number
from workorders.services.repeats import REPEAT_DAYS, earlier_order, mark_repeat
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
    # R27: where the work is, when not at the complainant's address.
    work_street: str = ""
    work_house_number: str = ""
    work_landmark: str = ""
    call_sid: str = ""
    recording_url: str = ""
    confidential: bool = False
    subject_user_id: int | None = None
    subject_department_id: int | None = None  # R10: the unit a complaint is about
    department_id: int | None = None  # the agent's choice (R10); else routing decides
    answer: str = ""  # answered on the call (R5/R6): close at once, no dispatch
    article_id: int | None = None  # P1: the knowledge-base article the answer came from
    master_number: str = ""  # report of a known problem: merge into this order at once
    small_repair: bool = False  # R16: a leak fixed the same day (due 24:00 today)
    extra: dict = field(default_factory=dict)


def open_work_order(session: Session, data: NewOrder, *, actor: User | None, channel: str,
                    now: datetime, ctx: SlaContext, allow_incomplete: bool = False,
                    repeat_days: int = REPEAT_DAYS) -> WorkOrder:
    """`ctx` is the utility's zone (the number's day) and working calendar (the clocks);
    `repeat_days` the R13 window after an earlier order's closing
    (HOTLINE_REPEAT_COMPLAINT_DAYS)."""
    order = _open(session, data, actor=actor, channel=channel, now=now, ctx=ctx,
                  allow_incomplete=allow_incomplete, repeat_days=repeat_days)
    refresh_due(session, order)
    session.flush()
    return order


def _open(session: Session, data: NewOrder, *, actor: User | None, channel: str,
          now: datetime, ctx: SlaContext, allow_incomplete: bool,
          repeat_days: int) -> WorkOrder:
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
    household = _household_by_phone(session, data, account)
    account = account or (household[0] if len(household) == 1 else None)
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
    revision = revision_for_answer(session, data.article_id, data.answer)
    chosen = None
    if data.department_id is not None:
        chosen = session.get(Department, data.department_id)
        if chosen is None:
            raise ValidationFailed(_("No such department."), fields={"department_id": "unknown"})
    if data.subject_user_id is not None and session.get(User, data.subject_user_id) is None:
        raise ValidationFailed(_("No such user."), fields={"subject_user_id": "unknown"})
    _check_subject_department(session, data, category)
    work = _work_location(data)

    order = WorkOrder(
        number=next_number(session, now, ctx.zone), channel=channel,
        category_code=category.code, category=category, priority=category.priority,
        status="new", contact_name=data.contact_name.strip(), contact_phone=phone,
        account_id=account.id if account else None, area_id=area.id if area else None,
        area=area, street=data.street.strip(), house_number=data.house_number.strip(),
        landmark=data.landmark.strip(), work_street=work[0], work_house_number=work[1],
        work_landmark=work[2], missing_details=",".join(missing),
        description=data.description.strip(), call_sid=data.call_sid.strip(),
        recording_url=data.recording_url.strip(),
        owner_id=actor.id if actor and actor.role in roles.HOTLINE else None,
        subject_user_id=data.subject_user_id,
        subject_department_id=data.subject_department_id, confidential=bool(data.confidential),
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
                    # R30: linked by the caller's number, or how many households share it
                    # (the agent chooses); never which ones (R27: events reach staff).
                    "household": "phone" if account is not None and data.account_id is None
                    else None, "household_candidates": len(household),
                    "small_repair": bool(data.small_repair)})
    if phone and try_e164(phone):
        message = queue_sms(session, phone, sms.confirmation(order.number), now=now,
                            dedupe_key=f"wo-confirm-{order.number}",
                            subject=order.subject)
        record(session, order, "sms_queued", now=now, actor=actor,
               payload={"purpose": "confirmation", "outbox_id": message.id})
    if missing:
        notify_order(session, order, dedupe_key=f"wo-incomplete-{order.number}", kind="work_order",
                     title=_("%(number)s: caller details missing, please complete",
                             number=order.number),
                     link=f"/workorders/{order.number}", now=now, role="agent", severity="warning")

    if data.answer.strip():
        _close_on_call(session, order, data.answer, actor, now, revision)
        return order
    start_clocks(session, order, "open", now, actor, ctx=ctx)
    if data.small_repair:
        start_small_repair(session, order, actor, now, ctx)
    if data.master_number.strip():
        merge_into(session, order, data.master_number, actor=actor, now=now)
        return order
    earlier = earlier_order(session, order, now=now, days=repeat_days)
    if earlier is not None:
        mark_repeat(session, order, earlier, actor=actor, now=now, ctx=ctx)
    if chosen is not None:
        order.routing_rule_id = None
        order.routed_by = "agent's choice"
        dispatch_to(session, order, chosen, actor=actor, now=now, from_status="new", ctx=ctx)
        return order
    if order.area_id is not None and not dispatch_by_route(
            session, order, actor=actor, now=now, from_status="new", ctx=ctx):
        notify_order(session, order, dedupe_key=f"wo-unrouted-{order.number}", kind="work_order",
                     title=_("%(number)s: no department found, dispatch by hand",
                             number=order.number),
                     link=f"/workorders/{order.number}", now=now, role="supervisor",
                     severity="warning")
    return order


def _household_by_phone(session: Session, data: NewOrder,
                        account: CustomerAccount | None) -> list[CustomerAccount]:
    """R30: the households whose file holds the caller's number, when no account was given:
    exactly one is linked automatically; several are the agent's to choose from."""
    if account is not None or not try_e164(data.contact_phone):
        return []
    return accounts_by_phone(session, data.contact_phone)


def households_to_choose(session: Session, order: WorkOrder) -> list[CustomerAccount]:
    """R30: the households sharing an unlinked order's number, when there are several."""
    if order.account_id is not None or not try_e164(order.contact_phone):
        return []
    found = accounts_by_phone(session, order.contact_phone)
    return found if len(found) > 1 else []


def _check_subject_department(session: Session, data: NewOrder, category: Category) -> None:
    if data.subject_department_id is None:
        return
    if session.get(Department, data.subject_department_id) is None:
        raise ValidationFailed(_("No such department."),
                               fields={"subject_department_id": "unknown"})
    if category.code not in COMPLAINT_CATEGORIES:
        raise ValidationFailed(_("R10: only a complaint names the unit it is about."),
                               fields={"subject_department_id": "only for complaints"})


def _work_location(data: NewOrder) -> tuple[str, str, str]:
    """R27: where the work is. Without one, the complainant's address, unless they asked for
    confidentiality: departments must never learn where a confidential complainant lives."""
    work = (data.work_street.strip(), data.work_house_number.strip(),
            data.work_landmark.strip())
    if any(work) or data.confidential:
        return work
    return (data.street.strip(), data.house_number.strip(), data.landmark.strip())


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
                   now: datetime, revision) -> None:
    order.status = "closed"
    order.result = answer.strip()
    order.closed_at = now
    cited = cite(order, revision)  # P1
    session.flush()
    record(session, order, "close_on_call", now=now, actor=actor, from_status="new",
           to_status="closed", note=order.result, payload={"rule": "R5 R6", **cited})
