"""Action handlers that end an order's round: resolve (the result goes back to every caller,
R10, R23), the follow-up call that closes or reopens it (R12, R23), closing on the call (R6),
cancelling and merging."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.phones import try_e164
from hotline.telephony.outbox import queue_sms
from sla import clocks
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import FollowUp, WorkOrder
from workorders.rules import sms
from workorders.rules.states import SCORE_FIELDS, follow_up_decision
from workorders.services.citations import cite, revision_for_answer
from workorders.services.common import clock_op, notify_order, record, start_clocks
from workorders.services.dispatch import merge_into


def resolve(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
            ctx: SlaContext) -> None:
    order.status = "resolved"
    order.result = params["result"].strip()
    order.resolved_at = now
    order.extension_kind = order.extension_due = order.extension_requested_at = None
    order.extension_reason = ""
    open_kinds = [r.kind for r in clocks.active_clocks(session, order.subject)]
    if open_kinds:
        clock_op(session, order, "met", now, user, kinds=open_kinds)
    start_clocks(session, order, "resolve", now, user, ctx=ctx)  # R23: follow-up in 24 h
    # R10/R23: the result goes back to the customer, and to everyone whose report was
    # merged into this order.
    callers = [order] + list(session.scalars(select(WorkOrder).where(
        WorkOrder.master_id == order.id)))
    for each in callers:
        if try_e164(each.contact_phone):
            message = queue_sms(session, each.contact_phone,
                                sms.resolved(each.number, order.result), now=now,
                                dedupe_key=f"wo-resolved-{each.number}-{order.reopen_count}",
                                subject=each.subject)
            record(session, order, "sms_queued", now=now, actor=user,
                   payload={"purpose": "result", "outbox_id": message.id,
                            "for": each.number})
    # R10/R23: the result goes back to the hotline, which asks the customer whether they are
    # satisfied: the first-contact owner, else every agent; and to the overseeing centre.
    followup = {"user_id": order.owner_id} if order.owner_id else {"role": "agent"}
    notify_order(session, order, dedupe_key=f"wo-followup-{order.number}-{order.reopen_count}",
                 kind="follow_up", title=_("%(number)s: resolved, follow-up call due",
                                           number=order.number),
                 body=order.result, link=f"/workorders/{order.number}", now=now, **followup)
    if order.overseer_department_id is not None:
        notify_order(session, order,
                     dedupe_key=f"wo-oversee-result-{order.number}-{order.reopen_count}",
                     kind="work_order", title=_("%(number)s: the unit resolved the complaint "
                                                "you oversee (R10)", number=order.number),
                     body=order.result, link=f"/workorders/{order.number}", now=now,
                     department_id=order.overseer_department_id)


def follow_up(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
              ctx: SlaContext) -> None:
    outcome = params["outcome"]
    decision = follow_up_decision(outcome)
    scores = {name: params.get(name) for name in SCORE_FIELDS}
    if outcome == "unreachable":
        scores = dict.fromkeys(SCORE_FIELDS)
    text = (params.get("text") or "").strip()
    session.add(FollowUp(order_id=order.id, at=now, actor_id=user.id, outcome=outcome,
                         attitude=scores["attitude"], quality=scores["quality"],
                         timeliness=scores["timeliness"], result_score=scores["result_score"],
                         comment=text))
    before = order.status
    order.follow_up_attempts += 1
    if outcome != "unreachable":
        order.satisfaction = outcome
        clock_op(session, order, "met", now, user, kinds=["follow_up"])
    order.status = decision.status
    if decision.close:
        order.closed_at = now
        clock_op(session, order, "cancelled", now, user)
    if decision.reopen:
        # R12: back to the same department with the customer's words, through the same flow.
        order.reopen_count += 1
        order.resolved_at = None
        order.assignee_id = None
        order.dispatched_at = now
        notify_order(session, order, dedupe_key=f"wo-reopened-{order.number}-{order.reopen_count}",
                     kind="work_order", title=_("%(number)s: reopened, customer not satisfied",
                                                number=order.number),
                     body=text, link=f"/workorders/{order.number}", now=now,
                     department_id=order.department_id, severity="warning")
    session.flush()
    record(session, order, "follow_up", now=now, actor=user, from_status=before,
           to_status=order.status if order.status != before else None, note=text,
           payload={"outcome": outcome, **{k: v for k, v in scores.items() if v is not None},
                    "attempt": order.follow_up_attempts})
    if decision.reopen:
        start_clocks(session, order, "open", now, user, ctx=ctx)
        start_clocks(session, order, "dispatch", now, user, ctx=ctx)


def close_on_call(session: Session, order: WorkOrder, user: User, params: dict,
                  now: datetime, ctx: SlaContext) -> None:
    revision = revision_for_answer(session, params.get("article_id"), params["result"])
    order.status = "closed"
    order.result = params["result"].strip()
    order.closed_at = now
    cite(order, revision)  # P1: the event's payload names it (actions.SIMPLE_EVENTS)
    clock_op(session, order, "cancelled", now, user)


def cancel(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
           ctx: SlaContext) -> None:
    order.status = "cancelled"
    order.closed_at = now
    clock_op(session, order, "cancelled", now, user)


def merge(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
          ctx: SlaContext) -> None:
    merge_into(session, order, params["master_number"], actor=user, now=now)
