"""R23: the follow-up list pages by keyset and counts with a cap, and shows each order's
follow-up due time (issue 13: it loaded every resolved order, and its column was always "—")."""

from __future__ import annotations

import re

from workorders.services import queries


def _resolved(create, act, world, clock, count: int):
    orders = []
    for _ in range(count):
        order = create()
        act(world.fixer, order, "accept")
        act(world.fixer, order, "resolve", result="修好了")
        orders.append(order)
        clock.advance(minutes=10)
    return orders


def test_follow_up_pages_follow_each_other_oldest_first(session, world, create, act, clock):
    orders = _resolved(create, act, world, clock, 5)
    first, cursor = queries.follow_up_page(session, world.agent, per_page=2)
    assert [o.number for o in first] == [o.number for o in orders[:2]]
    second, cursor2 = queries.follow_up_page(session, world.agent, after=cursor, per_page=2)
    assert [o.number for o in second] == [o.number for o in orders[2:4]]
    last, end = queries.follow_up_page(session, world.agent, after=cursor2, per_page=2)
    assert [o.number for o in last] == [orders[4].number] and end is None
    assert queries.follow_up_count(session, world.agent) == 5


def test_follow_up_count_stops_at_the_cap(session, world, create, act, clock, monkeypatch,
                                          login_as, client):
    _resolved(create, act, world, clock, 3)
    monkeypatch.setattr(queries, "COUNT_CAP", 2)
    assert queries.follow_up_count(session, world.agent) == 3  # the cap + 1: "2+"
    login_as(world.agent)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r"<b>2\+</b>", home)


def test_follow_up_page_shows_the_follow_up_due_and_a_next_link(
        session, world, create, act, clock, login_as, client, monkeypatch):
    orders = _resolved(create, act, world, clock, 3)
    login_as(world.agent)
    monkeypatch.setattr(queries, "follow_up_page", _two_per_page(queries.follow_up_page))
    html = client.get("/workorders/follow-ups").get_data(as_text=True)
    assert orders[0].number in html and orders[2].number not in html
    assert "—" not in html.split("<tbody>")[1]  # every row shows its follow-up due time
    cursor = re.search(NEXT, html).group(1)
    rest = client.get(f"/workorders/follow-ups?after={cursor}").get_data(as_text=True)
    assert orders[2].number in rest and orders[0].number not in rest
    assert not re.search(NEXT, rest)  # the last page


NEXT = r'<a href="/workorders/follow-ups\?after=(\d+)">'


def _two_per_page(real):
    def page(session, viewer, *, after=None, per_page=25):
        return real(session, viewer, after=after, per_page=2)
    return page
