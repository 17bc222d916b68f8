"""Lists and searches of orders, always scoped to what the viewer may see: their departments'
orders (R29), those their department oversees (R10), never a complaint about themselves
(R28)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.auth.permissions import scope_to_departments, visible_department_ids
from hotline.db import LIKE_ESCAPE, contains_pattern, safe_offset
from hotline.directory.models import Area, CustomerAccount, Department
from hotline.directory.phones import try_e164
from sla.models import Deadline
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.rules.numbers import normalise
from workorders.rules.states import OPEN, TERMINAL

DUPLICATE_WINDOW = timedelta(hours=48)
COUNT_CAP = 10000


@dataclass
class Filters:
    status: str | None = None
    department: str | None = None  # department code
    area: str | None = None  # area code
    category: str | None = None
    overdue: bool | None = None
    owner: str | None = None  # username
    phone: str | None = None
    account: str | None = None  # account number
    text: str | None = None
    open_only: bool = False
    opened_since: datetime | None = None  # [since, until): charts and reports link here
    opened_until: datetime | None = None
    open_at: datetime | None = None  # still open at that moment (the backlog trend)
    overdue_at: datetime | None = None  # open with a clock past due at that moment
    overseen: bool = False  # R10: the complaints the viewer's department oversees
    repeated: bool | None = None  # R13: repeated complaints (重复投诉) only


def _capped_count(session: Session, stmt) -> int:
    # The count stops at COUNT_CAP so a list over a million orders stays cheap; the console
    # shows "10000+".
    return session.scalar(select(func.count()).select_from(
        stmt.with_only_columns(WorkOrder.id).limit(COUNT_CAP + 1).subquery())) or 0


def _id_of(session: Session, column, condition) -> int:
    """The id a code names, or -1 (matches nothing) for an unknown code."""
    found = session.scalar(select(column).where(condition))
    return found if found is not None else -1


def not_about(stmt, viewer: User):
    """R28: the staff member a complaint is about never sees it listed."""
    return stmt.where(or_(WorkOrder.subject_user_id.is_(None),
                          WorkOrder.subject_user_id != viewer.id))


def _scoped(session: Session, viewer: User, overseen: bool):
    if not overseen:
        return scope_to_departments(select(WorkOrder), session, viewer,
                                    WorkOrder.department_id)
    ids = visible_department_ids(session, viewer)
    column = WorkOrder.overseer_department_id
    return select(WorkOrder).where(column.is_not(None) if ids is None
                                   else column.in_(ids or [-1]))


def search(session: Session, viewer: User, filters: Filters, *, now: datetime,
           page: int = 1, per_page: int = 25, order: str = "newest", count: bool = True
           ) -> tuple[list[WorkOrder], int]:
    """One page of the orders `viewer` may see and their count, capped at COUNT_CAP + 1
    (0 when `count` is False: an export's later chunks need no count)."""
    stmt = not_about(_scoped(session, viewer, filters.overseen), viewer)
    if filters.status:
        stmt = stmt.where(WorkOrder.status == filters.status)
    if filters.open_only and not filters.overdue:
        # (an overdue order is open: closing, merging or cancelling stops its clocks)
        stmt = stmt.where(WorkOrder.status.in_(OPEN))
    # Codes become ids first, so each filter is a plain equality the indexes can serve.
    if filters.department:
        stmt = stmt.where(WorkOrder.department_id == _id_of(
            session, Department.id, Department.code == filters.department))
    if filters.area:
        stmt = stmt.where(WorkOrder.area_id == _id_of(session, Area.id,
                                                      Area.code == filters.area))
    if filters.category:
        stmt = stmt.where(WorkOrder.category_code == filters.category)
    if filters.opened_since is not None:
        stmt = stmt.where(WorkOrder.opened_at >= filters.opened_since)
    if filters.opened_until is not None:
        stmt = stmt.where(WorkOrder.opened_at < filters.opened_until)
    if filters.open_at is not None:
        stmt = stmt.where(*open_at(filters.open_at))
    if filters.overdue_at is not None:
        stmt = stmt.where(*open_at(filters.overdue_at), overdue_at(filters.overdue_at))
    if filters.repeated is not None:
        stmt = stmt.where(WorkOrder.repeat_of_id.is_not(None) if filters.repeated
                          else WorkOrder.repeat_of_id.is_(None))
    if filters.owner:
        stmt = stmt.where(WorkOrder.owner_id == _id_of(session, User.id,
                                                       User.username == filters.owner))
    if filters.overdue:
        stmt = stmt.where(WorkOrder.next_due_at < now)
        order = "due" if order == "newest" else order  # most overdue first, on its index
    elif filters.overdue is False:
        stmt = stmt.where(or_(WorkOrder.next_due_at.is_(None), WorkOrder.next_due_at >= now))
    hide_confidential = viewer.role == "staff"  # R27: no finding complainants by phone
    if filters.phone:
        stmt = stmt.where(WorkOrder.contact_phone == (try_e164(filters.phone)
                                                      or filters.phone.strip()))
        if hide_confidential:
            stmt = stmt.where(WorkOrder.confidential.is_(False))
    if filters.account:
        stmt = stmt.where(WorkOrder.account_id == _id_of(
            session, CustomerAccount.id,
            CustomerAccount.account_number == filters.account.strip()))
        if hide_confidential:
            stmt = stmt.where(WorkOrder.confidential.is_(False))
    if filters.text:
        number = normalise(filters.text)
        if number:  # a number is looked up on its unique index, not by scanning text
            stmt = stmt.where(WorkOrder.number == number)
        else:
            like = contains_pattern(filters.text.strip())  # % and _ typed are literal
            # R27: staff search the work location, never the complainant's address.
            columns = [WorkOrder.description, WorkOrder.work_street, WorkOrder.work_landmark]
            if not hide_confidential:
                columns += [WorkOrder.street, WorkOrder.landmark]
            stmt = stmt.where(or_(*(c.ilike(like, escape=LIKE_ESCAPE) for c in columns)))
    total = _capped_count(session, stmt) if count else 0
    page = max(page, 1)
    offset = safe_offset((page - 1) * per_page)
    if order != "due":
        newest = stmt.order_by(WorkOrder.opened_at.desc(), WorkOrder.id.desc())
        return list(session.scalars(newest.offset(offset).limit(per_page))), total
    # Soonest deadline first, then the orders with no running clock (e.g. waiting for the
    # customer). Two queries, so that each walks an index in order instead of sorting.
    timed = stmt.where(WorkOrder.next_due_at.is_not(None))
    rows = list(session.scalars(timed.order_by(WorkOrder.next_due_at, WorkOrder.id)
                                .offset(offset).limit(per_page)))
    if len(rows) < per_page:
        timed_count = offset + len(rows) if rows else _capped_count(session, timed)
        untimed = stmt.where(WorkOrder.next_due_at.is_(None)).order_by(
            WorkOrder.opened_at.desc(), WorkOrder.id.desc())
        rows += session.scalars(untimed.offset(max(offset - timed_count, 0))
                                .limit(per_page - len(rows)))
    return rows, total


def open_at(moment: datetime) -> tuple:
    """Opened before `moment` and not closed, merged or cancelled by then."""
    return (WorkOrder.opened_at < moment,
            or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at > moment))


def overdue_at(moment: datetime):
    """A clock of the order was past due and not met at `moment` (as `stats.order_backlog`
    counts: paused clocks and clocks cancelled while the order stayed open do not count)."""
    return exists().where(
        Deadline.subject_type == "work_order", Deadline.subject_id == WorkOrder.id,
        Deadline.due_at < moment, Deadline.state != "paused",
        or_(Deadline.met_at.is_(None), Deadline.met_at > moment),
        or_(Deadline.state != "cancelled", WorkOrder.closed_at.is_not(None)))


def my_orders(session: Session, user: User, *, now: datetime, page: int = 1):
    """R20: the orders this agent owns, open first."""
    return search(session, user, Filters(owner=user.username, open_only=True), now=now,
                  page=page, order="due")


def department_queue(session: Session, user: User, *, now: datetime, page: int = 1):
    """Staff: their departments' open orders, the soonest deadline first."""
    return search(session, user, Filters(open_only=True), now=now, page=page, order="due")


def _follow_up_stmt(session: Session, viewer: User):
    # R28: never a complaint about the viewer.
    return not_about(scope_to_departments(
        select(WorkOrder).where(WorkOrder.status == "resolved"), session, viewer,
        WorkOrder.department_id), viewer)


def follow_up_count(session: Session, viewer: User) -> int:
    """R23: how many resolved orders wait for their follow-up call, capped at COUNT_CAP + 1
    (the home page shows "10000+"), counted on the (status, resolved_at) index."""
    return _capped_count(session, _follow_up_stmt(session, viewer))


def follow_up_page(session: Session, viewer: User, *, after: int | None = None,
                   per_page: int = 25) -> tuple[list[WorkOrder], int | None]:
    """R23: one page of the resolved orders waiting for their follow-up call, the longest
    waiting first, and the cursor of the next page (None on the last). Keyset on
    (resolved_at, id), the cursor being the last order's id, so page 1,000 costs what page 1
    does. A resolved order's `next_due_at` is its follow-up clock's due time."""
    stmt = _follow_up_stmt(session, viewer)
    if after is not None:
        seen = session.scalar(select(WorkOrder.resolved_at).where(WorkOrder.id == after))
        if seen is not None:
            stmt = stmt.where(tuple_(WorkOrder.resolved_at, WorkOrder.id) > tuple_(seen, after))
    rows = list(session.scalars(stmt.order_by(WorkOrder.resolved_at, WorkOrder.id)
                                .limit(per_page + 1)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].id if more else None)


def duplicates(session: Session, *, category: str | None, area_id: int | None,
               account_id: int | None, phone: str | None, now: datetime,
               exclude_id: int | None = None, limit: int = 20,
               viewer: User | None = None) -> list[WorkOrder]:
    """Open orders from the last 48 h: same category in the same area, or the same account
    or phone — candidates to merge a new report into."""
    clauses = []
    if category and area_id:
        clauses.append(and_(WorkOrder.category_code == category, WorkOrder.area_id == area_id))
    if account_id:
        clauses.append(WorkOrder.account_id == account_id)
    e164 = try_e164(phone) if phone else None
    if e164:
        clauses.append(WorkOrder.contact_phone == e164)
    if not clauses:
        return []
    stmt = select(WorkOrder).where(or_(*clauses), WorkOrder.status.not_in(TERMINAL),
                                   WorkOrder.opened_at >= now - DUPLICATE_WINDOW)
    if exclude_id:
        stmt = stmt.where(WorkOrder.id != exclude_id)
    if viewer is not None:
        stmt = not_about(stmt, viewer)
    return list(session.scalars(stmt.order_by(WorkOrder.opened_at.desc()).limit(limit)))


def events_of(session: Session, order: WorkOrder) -> list[WorkOrderEvent]:
    return list(session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id).order_by(WorkOrderEvent.id)))


def orders_of_account(session: Session, account_id: int, limit: int = 10,
                      viewer: User | None = None) -> list[WorkOrder]:
    """R30: the household file lists its orders (R28: not those about the viewer)."""
    stmt = select(WorkOrder).where(WorkOrder.account_id == account_id)
    if viewer is not None:
        stmt = not_about(stmt, viewer)
    return list(session.scalars(stmt.order_by(WorkOrder.opened_at.desc()).limit(limit)))


# The statuses a crew works on: waiting for the department to accept (R14) and held by it.
CREW_STATUSES = ("dispatched", "reopened", "accepted", "in_progress", "awaiting_customer")


def crew_queue(session: Session, viewer: User, *, mine: bool = False,
               after: int | None = None, per_page: int = 20
               ) -> tuple[list[WorkOrder], int | None]:
    """The crew's queue on a phone: its departments' orders waiting for or with the
    department (only those it accepted itself when `mine`), the next deadline first, then
    those without a running clock. Keyset pages: `after` is the last order's id of the page
    before; the second value is the cursor of the next page (None on the last)."""
    stmt = not_about(scope_to_departments(
        select(WorkOrder).where(WorkOrder.status.in_(CREW_STATUSES)), session, viewer,
        WorkOrder.department_id), viewer)
    if mine:
        stmt = stmt.where(WorkOrder.assignee_id == viewer.id)
    timed = stmt.where(WorkOrder.next_due_at.is_not(None))
    untimed = stmt.where(WorkOrder.next_due_at.is_(None))
    rows: list[WorkOrder] = []
    seen = session.scalar(select(WorkOrder.next_due_at).where(WorkOrder.id == after)) \
        if after is not None else None
    if after is None or seen is not None:
        if seen is not None:
            timed = timed.where(tuple_(WorkOrder.next_due_at, WorkOrder.id) > tuple_(seen, after))
        rows = list(session.scalars(timed.order_by(WorkOrder.next_due_at, WorkOrder.id)
                                    .limit(per_page + 1)))
    else:
        untimed = untimed.where(WorkOrder.id > after)
    if len(rows) <= per_page:
        rows += session.scalars(untimed.order_by(WorkOrder.id).limit(per_page + 1 - len(rows)))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return rows, (rows[-1].id if more else None)


def next_clocks(session: Session, ids: list[int]) -> dict[int, tuple[str, datetime]]:
    """Each order's earliest running clock, kind and due time (a page in one query): the
    crew reads which deadline comes next, acceptance (R14) or on site (R16, R17)."""
    found: dict[int, tuple[str, datetime]] = {}
    if not ids:
        return found
    rows = session.execute(select(Deadline.subject_id, Deadline.kind, Deadline.due_at).where(
        Deadline.subject_type == "work_order", Deadline.subject_id.in_(ids),
        Deadline.state == "running").order_by(Deadline.due_at))
    for order_id, kind, due in rows:
        found.setdefault(order_id, (kind, due))
    return found
