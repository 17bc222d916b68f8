"""Helpers of the work-order API tests (the `api` fixture lives in conftest.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from sla.models import Deadline
from workorders.models import WorkOrder

SH = ZoneInfo("Asia/Shanghai")
ORDER = {"contact_name": "李四", "contact_phone": "13912345678", "area": "north",
         "street": "人民路", "house_number": "8号", "landmark": "公园东门"}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def clocks_of(session, number):
    """The order's clocks by (kind, state)."""
    session.expire_all()
    order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
    return {(d.kind, d.state): d for d in session.scalars(
        select(Deadline).where(Deadline.subject_type == "work_order",
                               Deadline.subject_id == order.id).order_by(Deadline.id))}
