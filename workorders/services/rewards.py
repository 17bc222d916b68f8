"""R11: a theft report confirmed by enforcement may earn the reporter a reward; a supervisor
decides it (amount, approver). The decision is shown to enforcement and supervisors only
(`present.sees_reward`): its events carry neither the finding nor the amount."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.errors import ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import TheftReward, WorkOrder
from workorders.services.common import notify_order, record

MAX_REWARD = Decimal("1000000")


def confirm_theft(session: Session, order: WorkOrder, user: User, params: dict,
                  now: datetime, ctx: SlaContext) -> None:
    order.reward = TheftReward(order_id=order.id, confirmed_at=now, confirmed_by_id=user.id,
                               finding=params["text"].strip(), note="")
    session.flush()
    record(session, order, "confirm_theft", now=now, actor=user, payload={"rule": "R11"})
    notify_order(session, order, dedupe_key=f"wo-theft-confirmed-{order.number}",
                 kind="work_order",
                 title=_("%(number)s: theft report confirmed, decide the reporter's reward "
                         "(R11)", number=order.number),
                 link=f"/workorders/{order.number}", now=now, role="supervisor")


def decide_reward(session: Session, order: WorkOrder, user: User, params: dict,
                  now: datetime, ctx: SlaContext) -> None:
    reward = order.reward
    reward.amount = amount_of(params["amount"])
    reward.approver_id = user.id
    reward.decided_at = now
    reward.note = (params.get("text") or "").strip()
    session.flush()
    record(session, order, "decide_reward", now=now, actor=user, payload={"rule": "R11"})


def amount_of(value) -> Decimal:
    """A reward in yuan: 0 (no reward) up to 1,000,000, at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or not 0 <= amount <= MAX_REWARD \
            or amount != amount.quantize(Decimal("0.01")):
        raise ValidationFailed(_("The reward must be an amount from 0 to 1000000 yuan."),
                               fields={"amount": "0 to 1000000, two decimals at most"})
    return amount.quantize(Decimal("0.01"))
