"""What the SLA engine learns about work orders, through `sla.ports` (registered in
`workorders.plugin.wire`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sla.ports import ClusterCandidate, SubjectInfo, SubjectTable
from workorders.models import WorkOrder
from workorders.rules.states import TERMINAL

SUBJECT_TYPE = "work_order"
# The SLA KPIs count orders' deadlines by department in SQL, joined on the order.
ORDER_TABLE = SubjectTable(WorkOrder, WorkOrder.id, WorkOrder.department_id)


def describe_orders(session: Session, ids: list[int]) -> dict[int, SubjectInfo]:
    if not ids:
        return {}
    rows = session.execute(select(
        WorkOrder.id, WorkOrder.number, WorkOrder.department_id, WorkOrder.owner_id,
        WorkOrder.area_id, WorkOrder.category_code, WorkOrder.status, WorkOrder.subject_user_id,
    ).where(WorkOrder.id.in_(list(ids))))
    return {
        r.id: SubjectInfo(subject_type=SUBJECT_TYPE, subject_id=r.id, label=r.number,
                          link=f"/workorders/{r.number}", department_id=r.department_id,
                          owner_user_id=r.owner_id, area_id=r.area_id,
                          category=r.category_code, closed=r.status in TERMINAL,
                          recused_user_id=r.subject_user_id)
        for r in rows
    }


def cluster_candidates(session: Session, since: datetime, until: datetime
                       ) -> list[ClusterCandidate]:
    """R13: open orders with an area, opened in [since, until)."""
    rows = session.execute(select(
        WorkOrder.id, WorkOrder.category_code, WorkOrder.area_id, WorkOrder.opened_at,
    ).where(WorkOrder.opened_at >= since, WorkOrder.opened_at < until,
            WorkOrder.status.not_in(TERMINAL), WorkOrder.area_id.is_not(None))
        .order_by(WorkOrder.opened_at))
    return [ClusterCandidate(subject_id=r.id, category=r.category_code, area_id=r.area_id,
                             opened_at=r.opened_at) for r in rows]
