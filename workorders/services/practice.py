"""Action handlers that change an order's clocks by what it turns out to be: a small repair
finished the same day (R16), a special enquiry with 3 working days to reply (R19), and the
stages of a connection application (R24). Each takes (session, order, user, params, now,
ctx); `actions.perform` has checked the state machine and recorded the action's event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.errors import Conflict, ValidationFailed
from sla import clocks
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.labels import STAGE, label
from workorders.models import WorkOrder
from workorders.rules.practice import SMALL_REPAIR_CATEGORIES, stage_started_by, stages_of
from workorders.services.common import clock_op, start_clocks


def check_small_repair(category: str) -> None:
    if category not in SMALL_REPAIR_CATEGORIES:
        raise ValidationFailed(_("R16: only a leak can be marked a small repair."),
                               fields={"small_repair": "only for leaks"})


def start_small_repair(session: Session, order: WorkOrder, user: User | None, now: datetime,
                       ctx: SlaContext) -> None:
    """R16 (小修不过夜): the order is due at 24:00 local of the day it was opened; its
    resolve clock is replaced. After that day has ended the mark would only record a
    breach, so it is refused."""
    check_small_repair(order.category_code)
    opened_day = order.opened_at.astimezone(ctx.zone).date()
    if now.astimezone(ctx.zone).date() != opened_day:
        raise ValidationFailed(
            _("R16: a small repair is due by 24:00 of the day the order was opened "
              "(%(day)s); that day is over.", day=opened_day.isoformat()),
            fields={"small_repair": "opened on " + opened_day.isoformat()})
    order.small_repair = True
    start_clocks(session, order, "small_repair", now, user, ctx=ctx, since=order.opened_at)


def mark_small_repair(session: Session, order: WorkOrder, user: User, params: dict,
                      now: datetime, ctx: SlaContext) -> None:
    start_small_repair(session, order, user, now, ctx)


def mark_special(session: Session, order: WorkOrder, user: User, params: dict, now: datetime,
                 ctx: SlaContext) -> None:
    """R19: a supervisor marks an enquiry special before its 24-hour reply deadline; the
    reply is then due 3 working days after the clock started (the opening, or the reopen)."""
    running = [r for r in clocks.active_clocks(session, order.subject, kinds=["reply"])
               if r.state == "running"]
    if not running:
        raise ValidationFailed(_("R19: the enquiry has no running reply deadline to change."),
                               fields={"special": "no reply clock"})
    reply = running[0]
    if now > reply.due_at:
        raise ValidationFailed(
            _("R19: an enquiry must be marked special before its reply deadline passes."),
            fields={"special": "deadline passed at " + reply.due_at.isoformat()})
    order.special = True
    start_clocks(session, order, "special", now, user, ctx=ctx, since=reply.started_at)


def complete_stage(session: Session, order: WorkOrder, user: User, params: dict,
                   now: datetime, ctx: SlaContext) -> None:
    """R24: the department completes the running stage (survey, design, construction); the
    next stage's clock starts now."""
    stages = stages_of(order.category_code)
    stage = (params.get("stage") or "").strip()
    if stage not in stages:
        raise ValidationFailed(_("R24: the stage must be one of %(stages)s.",
                                 stages=", ".join(stages)),
                               fields={"stage": "one of " + ", ".join(stages)})
    running = clocks.active_clocks(session, order.subject, kinds=stages)
    current = min((r.kind for r in running), key=stages.index, default=None)
    if current != stage:
        raise Conflict(
            _("R24: the %(stage)s stage is not running (running: %(current)s).",
              stage=label(STAGE, stage), current=label(STAGE, current)),
            fields={"stage": f"running: {current or 'none'}"}, code="wrong_stage")
    order.status = "in_progress"
    clock_op(session, order, "met", now, user, kinds=[stage])
    start_clocks(session, order, stage_started_by(stage), now, user, ctx=ctx)
