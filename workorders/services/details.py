"""Action handler for completing an order's caller details (R4): an order saved incomplete
(a voicemail) names its gaps; once they are filled a new order is routed and dispatched. The
agent may also correct the work location (R27) and link the household (R30)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import Area, CustomerAccount
from hotline.directory.phones import try_e164
from hotline.errors import ValidationFailed
from sla.settings import SlaContext
from workorders.i18n import gettext as _
from workorders.models import WorkOrder
from workorders.rules.details import (DETAIL_FIELDS, missing_details, needs_listening, present,
                                      with_listen)
from workorders.services.common import record
from workorders.services.dispatch import dispatch_by_route


def update_details(session: Session, order: WorkOrder, user: User, params: dict,
                   now: datetime, ctx: SlaContext) -> None:
    changes = {}
    for name in DETAIL_FIELDS:
        if name not in params or params[name] is None:
            continue
        value = params[name]
        if name == "area_id":
            if session.get(Area, value) is None:
                raise ValidationFailed(_("No such area."), fields={"area_id": "unknown"})
        elif name == "account_id":
            if session.get(CustomerAccount, value) is None:
                raise ValidationFailed(_("No such customer account."),
                                       fields={"account_id": "unknown"})
        elif name == "contact_phone":
            value = try_e164(value)
            if value is None:
                raise ValidationFailed(_("The caller's phone number is not valid."),
                                       fields={"contact_phone": "not a valid phone number"})
        else:
            value = str(value).strip()
        if getattr(order, name) != value:
            changes[name] = value
    listening = needs_listening(order.missing_details)
    # "Listen and complete": the agent's description (typed, or the machine's draft kept
    # as it is) clears the flag.
    confirmed = listening and present(params.get("description"))
    if not changes and not confirmed:
        raise ValidationFailed(_("Nothing to change."), fields={"fields": "no change"})
    for name, value in changes.items():
        setattr(order, name, value)
    if "area_id" in changes:
        order.area = session.get(Area, changes["area_id"])
    if "account_id" in changes:
        order.account = session.get(CustomerAccount, changes["account_id"])
    still = missing_details(order, has_account=order.account_id is not None)
    shown = with_listen(still) if listening and not confirmed else still
    order.missing_details = ",".join(shown)
    session.flush()
    # R27: the event names the fields that changed, never the complainant's data.
    record(session, order, "update_details", now=now, actor=user,
           payload={"fields": sorted(changes), "missing_details": shown,
                    **({"description_confirmed": True} if confirmed else {})})
    if order.status == "new" and order.area_id is not None and not still:
        dispatch_by_route(session, order, actor=user, now=now, from_status="new", ctx=ctx)
