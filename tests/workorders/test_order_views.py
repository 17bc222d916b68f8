"""A page of orders is presented in a handful of queries (issue 13: each row ran its own
clock query and lazy loads), and reads exactly as one order at a time does."""

from __future__ import annotations

from sqlalchemy import event

from hotline.extensions import db
from workorders.services.present import order_view, order_views


def test_a_page_reads_as_each_order_alone(session, world, create, act):
    orders = [create(account_id=world.customer.id), create(), create(confidential=True)]
    act(world.fixer, orders[1], "accept")
    act(world.fixer, orders[1], "resolve", result="修好了")  # its follow-up clock is not shown
    for viewer in (world.supervisor, world.clerk):
        session.expire_all()
        batch = order_views(session, orders, viewer)
        session.expire_all()
        assert batch == [order_view(session, o, viewer) for o in orders]
    assert batch[0]["next_due_at"] is not None and batch[1]["next_due_at"] is None


def test_a_page_costs_the_same_queries_however_long(session, world, create):
    orders = [create(account_id=world.customer.id) for _ in range(6)]
    statements = []

    def count(*args):
        statements.append(1)

    def cost(page):
        session.expire_all()
        page = [session.get(type(o), o.id) for o in page]
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            order_views(session, page, world.supervisor)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    assert cost(orders) == cost(orders[:2])
