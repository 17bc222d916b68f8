"""The work-order desk the IVR talks to (it implements `ivr.ports.OrderDesk` by shape; this
package never imports ivr). `ivr.plugin.wire` can plug in `WorkOrderDesk()` as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from sla.settings import SlaContext, current_context
from workorders.services.lookup import (CallerStatus, add_voicemail_transcription,
                                       caller_is_holder, open_from_voicemail,
                                       status_for_caller)


class WorkOrderDesk:
    """An adapter at the request boundary: it gives the services the utility's zone and
    calendar (`context`, by default the running app's) that the IVR does not know."""

    def __init__(self, context: Callable[[Session], SlaContext] = current_context) -> None:
        self.context = context

    def status(self, session: Session, number: str) -> CallerStatus | None:
        """Same fields as `ivr.ports.OrderStatus`: number, status, department names, the
        next running deadline the caller cares about. Never who complained (R27)."""
        return status_for_caller(session, number)

    def is_holder(self, session: Session, number: str, *, caller: str | None = None,
                  last_digits: str = "") -> bool:
        """R27: the caller's number or keyed last 4 digits match the order's contact or its
        account's phones (a yes/no; the numbers stay here)."""
        return caller_is_holder(session, number, caller=caller, last_digits=last_digits)

    def log_voicemail(self, session: Session, report, *, now: datetime) -> str:
        """`report` has the fields of `ivr.ports.VoicemailReport`. Returns the number."""
        order = open_from_voicemail(
            session, caller=report.caller, recording_url=report.recording_url,
            transcription=report.transcription, category=report.category,
            call_sid=report.call_sid, account_id=report.account_id, area_id=report.area_id,
            now=now, ctx=self.context(session),
            repeat_days=current_app.config["HOTLINE_REPEAT_COMPLAINT_DAYS"])
        return order.number

    def add_transcription(self, session: Session, number: str, text: str, *,
                          now: datetime) -> bool:
        """A voicemail's late transcription into its order's description."""
        return add_voicemail_transcription(session, number, text, now=now)
