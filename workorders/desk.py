"""The work-order desk the IVR talks to (it implements `ivr.ports.OrderDesk` by shape; this
package never imports ivr). `ivr.plugin.wire` can plug in `WorkOrderDesk()` as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy.orm import Session

from sla.settings import SlaContext, current_context
from workorders.services.common import can_view, sees_complainant
from workorders.services.lookup import (CallerStatus, add_spoken_draft, caller_is_holder,
                                       open_from_voicemail, orders_of_call,
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
        """A voicemail's late transcription: a draft description until an agent confirms."""
        return add_spoken_draft(session, number, text, now=now, source="transcription")

    def add_spoken_draft(self, session: Session, number: str, text: str, *,
                         now: datetime) -> bool:
        """The caller's spoken sentence (SpeechResult): a draft description."""
        return add_spoken_draft(session, number, text, now=now, source="speech")

    def may_hear(self, session: Session, call_sid: str, user) -> bool | None:
        """Whether `user` may play the recording of the call `call_sid`: one who may see an
        order opened from it (department staff only their department's) and from whom R27
        does not hide the complainant (a recording is the complainant's voice). None when
        no order was opened from the call."""
        orders = orders_of_call(session, call_sid)
        if not orders:
            return None
        return any(can_view(session, user, o) and sees_complainant(user, o) for o in orders)
