"""Home-page panels: the agent's own orders and follow-ups, the staff member's queue, the
supervisor's overdue orders and extension requests."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from hotline.auth.permissions import scope_to_departments
from hotline.clock import utcnow
from hotline.extensions import db
from workorders.models import WorkOrder
from workorders.rules.states import OPEN
from workorders.services import queries
from workorders.services.present import order_view, order_views


def shown(count: int) -> str | int:
    """A capped count as the console shows it: "10000+" past the cap."""
    return f"{queries.COUNT_CAP}+" if count > queries.COUNT_CAP else count


def agent_panel(user) -> dict:
    now = utcnow()
    mine, total = queries.my_orders(db.session, user, now=now)
    follow = queries.follow_up_count(db.session, user)
    return {"stats": [
        (_("My open orders"), shown(total), url_for("workorders.index", view="mine")),
        (_("Follow-up calls due"), shown(follow), url_for("workorders.follow_ups")),
    ], "orders": order_views(db.session, mine[:5], user)}


def staff_panel(user) -> dict:
    now = utcnow()
    rows, total = queries.department_queue(db.session, user, now=now)
    _rows, overdue = queries.search(db.session, user, queries.Filters(open_only=True,
                                                                      overdue=True),
                                    now=now, per_page=1)
    return {"stats": [
        (_("Open in my department"), shown(total), url_for("workorders.index", view="queue")),
        (_("Overdue"), shown(overdue), url_for("workorders.index", view="queue", overdue="1")),
    ], "orders": order_views(db.session, rows[:5], user)}


def supervisor_panel(user) -> dict:
    now = utcnow()
    _rows, overdue = queries.search(db.session, user, queries.Filters(open_only=True,
                                                                      overdue=True),
                                    now=now, per_page=1)
    pending = db.session.scalar(queries.not_about(scope_to_departments(
        select(func.count()).select_from(WorkOrder).where(WorkOrder.extension_due.is_not(None)),
        db.session, user, WorkOrder.department_id), user)) or 0
    repeats = db.session.scalar(queries.not_about(
        select(func.count()).select_from(WorkOrder).where(
            WorkOrder.repeat_of_id.is_not(None), WorkOrder.repeat_reviewed_at.is_(None),
            WorkOrder.status.in_(OPEN)), user)) or 0
    # Counted with the cap, on the (status, opened_at) index, like the list it links to.
    _rows, returned = queries.search(db.session, user, queries.Filters(status="returned"),
                                     now=now, per_page=1)
    return {"stats": [
        (_("Overdue"), shown(overdue), url_for("workorders.index", view="all", overdue="1")),
        (_("Extension requests"), pending, url_for("workorders.index", view="all")),
        (_("Returned, to re-dispatch"), shown(returned),
         url_for("workorders.index", view="all", status="returned")),
        (_("Repeated complaints to review (R13)"), repeats,
         url_for("workorders.index", view="all", repeated="1")),
    ], "orders": []}


def household_orders(account, user) -> dict:
    """R30: the household file lists the household's work orders."""
    from flask_babel import get_locale

    locale = str(get_locale())
    orders = queries.orders_of_account(db.session, account.id, limit=20, viewer=user)
    return {"orders": [dict(order_view(db.session, o, user),
                            category_name=o.category.name(locale)) for o in orders]}


def household_orders_api(session, account, user) -> list[dict]:
    """R30, for the API's household file: the latest 50 orders, no complainant details
    (the account is the complainant here; R27 is the endpoint's role check), none about the
    viewer (R28)."""
    return [{"number": o.number, "status": o.status, "category": o.category_code,
             "priority": o.priority,
             "department": o.department.code if o.department else None,
             "opened_at": o.opened_at.isoformat(),
             "closed_at": o.closed_at.isoformat() if o.closed_at else None}
            for o in queries.orders_of_account(session, account.id, limit=50, viewer=user)]
