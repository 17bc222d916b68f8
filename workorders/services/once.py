"""Idempotent console forms: each form carries a random token; the first request with a
token does the action and keeps the token (`Submission`) in the same transaction, and any
later request with it does nothing more. A double tap on "已到达现场", "受理" or "办结", a
resent note or photo upload: one event. (Two different forms asking for a second arrival
are refused by the state machine instead: one arrival per acceptance.)"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import add_once
from sla.settings import SlaContext
from workorders.models import Submission, WorkOrder
from workorders.services.actions import perform
from workorders.services.common import visible_order

TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def first_use(session: Session, token: str, order: WorkOrder, user: User, action: str,
              now: datetime) -> bool:
    """Keep `token`; False when it was kept before. Concurrent requests with one token
    meet at its unique index (`add_once`): the later INSERT waits for the earlier
    transaction and then fails inside a savepoint, leaving the request's transaction
    usable."""
    _row, created = add_once(session, Submission(token=token, order_id=order.id,
                                                 user_id=user.id, action=action, at=now),
                             Submission, token=token)
    return created


def perform_once(session: Session, *, token: str | None, user: User, number: str,
                 action: str, version: int | None, params: dict, now: datetime,
                 ctx: SlaContext) -> tuple[WorkOrder, bool]:
    """`actions.perform` unless this token was used already; the second value says whether
    the action was done now. Without a token (the API, old pages) it always acts."""
    if token:
        order = visible_order(session, user, number)
        if not first_use(session, token, order, user, action, now):
            return order, False
    return perform(session, user=user, number=number, action=action, version=version,
                   params=params, now=now, ctx=ctx), True
