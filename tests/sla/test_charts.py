"""Chart data over real orders and calls: every figure carries the link to the calls or
orders behind it, and the linked lists hold exactly the counted orders (R1, R2, R12, R14,
R18, R23)."""

from __future__ import annotations

import re

import pytest


def _data(client, name, **args):
    response = client.get(f"/sla/charts/data/{name}", query_string=args,
                          headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _count(client, link) -> int:
    html = client.get(link).get_data(as_text=True)
    return int(re.search(r"(\d+) ?(?:张工单|orders)", html).group(1))


def test_service_level_by_interval_links_to_the_calls(app, session, month, login_as, world):
    client = login_as(world.supervisor)
    spec = _data(client, "intervals", day="2026-11-24")
    assert len(spec["categories"]) == 96 and spec["categories"][36] == "09:00"
    offered, level, answer = spec["series"]
    assert offered["data"][36:40] == [4, 1, 3, 0] and sum(offered["data"]) == 8
    assert level["target"] == 0.8 and answer["target"] == 0.98
    assert level["data"][36] == 0.5  # 5 s and 8 s within 12 s, 20 s late, one abandoned
    assert answer["data"][36] == 0.75 and level["data"][0] is None
    link = offered["links"][36]
    assert link == "/calls/?since=2026-11-24T09:00&until=2026-11-24T09:15&queued=1"
    calls = client.get(link).get_data(as_text=True)
    # the four calls of that interval (each row starts with its local start time)
    assert len(re.findall(r"<tr><td>(?:<time[^>]*>)?2026-11-24 ", calls)) == 4
    assert level["links"][36].endswith("&outcome=answered&queued=1")
    days = _data(client, "days", month="2026-11")
    assert len(days["categories"]) == 30 and days["categories"][23] == "11-24"
    assert days["series"][0]["data"][23] == 8 and days["series"][2]["data"][23] == 0.75
    assert days["series"][0]["links"][23] == \
        "/calls/?since=2026-11-24T00:00&until=2026-11-25T00:00&queued=1"


def test_on_time_categories_and_satisfaction_link_to_orders(app, session, month, login_as,
                                                           world):
    world.supervisor.locale = "en"
    session.commit()
    client = login_as(world.supervisor)
    on_time = _data(client, "on-time", month="2026-11")
    assert on_time["horizontal"] and on_time["series"][0]["target"] == 0.99
    by_name = dict(zip(on_time["categories"], range(len(on_time["categories"]))))
    accept = next(s for s in on_time["series"] if s["name"] == "Acceptance")
    north = by_name[world.maint_north.name_en]
    assert accept["data"][north] == 0.5  # R14: one of two accepted in time
    assert accept["links"][north] == ("/workorders/?view=all&opened_from=2026-11-01"
                                      "&opened_to=2026-11-30&department=maint-north")
    assert _count(client, accept["links"][north]) == 2

    categories = _data(client, "categories", month="2026-11")
    leak = categories["categories"].index("Leak or burst")
    (north_area,) = [s for s in categories["series"] if s["name"] == "North"]
    assert north_area["data"][leak] == 2 and north_area["stack"] == "areas"
    assert _count(client, north_area["links"][leak]) == 2

    satisfaction = _data(client, "satisfaction", month="2026-11")
    row = satisfaction["categories"].index(world.maint_north.name_en)
    follow_up, satisfied, reopened = satisfaction["series"]
    assert (follow_up["data"][row], satisfied["data"][row]) == (1.0, 0.5)
    assert reopened["data"][row] == 0.5 and reopened["links"][row].endswith(
        "&department=maint-north&status=reopened")
    assert _count(client, reopened["links"][row]) == 1


def test_backlog_points_equal_the_linked_lists(app, session, month, login_as, world, act,
                                               clock):
    clock.advance(days=2)  # Thu 26 Nov
    act(world.supervisor, month.pending, "cancel", reason="客户撤回")  # ...then cancelled
    clock.advance(minutes=1)
    client = login_as(world.supervisor)
    spec = _data(client, "backlog", month="2026-11")
    assert spec["categories"][-1] == "11-26"  # up to now, no future days
    opened, still_open, overdue = spec["series"]
    assert opened["data"][23] == 6 and sum(opened["data"]) == 6
    # 24 Nov: 6 opened; the enquiry answered on the call and the quick leak (satisfied
    # follow-up) closed. Overdue at the end of the 24th: the reopened leak (its new accept
    # clock, R12 R14), the returned sample (on site within 4 h, R17) and the enquiry nobody
    # accepted (R14); on the 25th also the complaint's follow-up call (R23); now, the
    # enquiry is cancelled and its clocks stopped.
    assert still_open["data"][22:26] == [0, 4, 4, 3]
    assert overdue["data"][22:26] == [0, 3, 4, 3]
    for day in (23, 24):
        assert _count(client, still_open["links"][day]) == still_open["data"][day]
        assert _count(client, overdue["links"][day]) == overdue["data"][day]
    assert overdue["links"][25] == "/workorders/?view=all&overdue=1"  # the point is now
    assert _count(client, overdue["links"][25]) == 3


@pytest.mark.parametrize("role", ["agent", "staff"])
def test_charts_are_for_supervisors(app, session, login_as, world, role):
    user = world.agent if role == "agent" else world.fixer
    client = login_as(user)
    assert client.get("/sla/charts/").status_code == 403
    assert client.get("/sla/charts/data/intervals",
                      headers={"Accept": "application/json"}).status_code == 403


def test_charts_page_hands_urls_to_the_script(app, session, login_as, world):
    client = login_as(world.supervisor)
    html = client.get("/sla/charts/?day=2026-11-24").get_data(as_text=True)
    assert 'data-chart-url="/sla/charts/data/on-time?day=2026-11-24&amp;month=2026-11"' in html
    assert "/static/sla/vendor/echarts-6.1.0.min.js" in html and "<script>" not in html
    assert client.get("/static/sla/vendor/echarts-6.1.0.min.js").status_code == 200
    bad = client.get("/sla/charts/data/intervals?day=24.11.2026",
                     headers={"Accept": "application/json"})
    assert bad.status_code == 422 and bad.get_json()["error"]["fields"] == {
        "day": "24.11.2026"}
    assert client.get("/sla/charts/?month=2026-13").status_code == 422
