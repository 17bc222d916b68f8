"""The console's call list (`/calls/`): the calls behind a service-level figure, with the
API's filters, local times in and out, customer data only for those with a need (R27)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ivr.models import Call
from tests.conftest import SHANGHAI
from tests.factories import make_department, make_user


@pytest.fixture
def calls(session, clock):
    nine = clock.now().astimezone(SHANGHAI).replace(hour=9, minute=0)
    agent = make_user(session, "agent", username="answerer")
    rows = []
    for i, (minute, outcome) in enumerate([(0, "answered"), (10, "abandoned"),
                                           (20, "answered"), (50, "self_served")]):
        entered = nine + timedelta(minutes=minute)
        rows.append(Call(
            call_sid=f"CA{i:032d}", from_number=f"+861391234567{i}",
            started_at=entered - timedelta(minutes=1),
            entered_queue_at=entered if outcome != "self_served" else None,
            answered_at=entered + timedelta(seconds=5) if outcome == "answered" else None,
            answer_seconds=5.0 if outcome == "answered" else None,
            agent_id=agent.id if outcome == "answered" else None,
            ended_at=entered + timedelta(minutes=2), outcome=outcome))
    session.add_all(rows)
    session.commit()
    return rows


def _rows(html: str) -> int:
    """Call rows: each starts with its local start time (a <time> element since times
    carry their zone on hover)."""
    return len(re.findall(r"<tr><td>(?:<time[^>]*>)?2026-11-24 ", html))


def test_filters_by_queue_time_outcome_and_agent(app, session, calls, login_as):
    client = login_as(make_user(session, "supervisor"))
    page = client.get("/calls/?since=2026-11-24T09:00&until=2026-11-24T09:15&queued=1")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _rows(html) == 2
    assert "+8613912345670" in html  # supervisors talk to customers: whole numbers
    # by start time instead, the 09:00 call started at 08:59 and drops out
    assert _rows(client.get("/calls/?since=2026-11-24T09:00&until=2026-11-24T09:15")
                 .get_data(as_text=True)) == 1
    assert _rows(client.get("/calls/?outcome=answered").get_data(as_text=True)) == 2
    assert _rows(client.get("/calls/?agent=answerer").get_data(as_text=True)) == 2
    assert _rows(client.get("/calls/?agent=nobody").get_data(as_text=True)) == 0
    assert _rows(client.get("/calls/?phone=13912345673").get_data(as_text=True)) == 1


def test_admins_see_masked_numbers_and_staff_none(app, session, calls, login_as):
    html = login_as(make_user(session, "admin")).get("/calls/").get_data(as_text=True)
    assert _rows(html) == 4 and "+8613912345670" not in html and "+86139****5670" in html
    staff = make_user(session, "staff", department=make_department(session))
    assert login_as(staff).get("/calls/").status_code == 403  # R27


@pytest.mark.parametrize("query,field", [("outcome=lost", "outcome"), ("since=yesterday", "since"),
                                         ("since=2026-11-24T10:00&until=2026-11-24T09:00",
                                          "since"), ("phone=abc", "phone")])
def test_bad_filters_are_refused(app, session, login_as, query, field):
    client = login_as(make_user(session, "agent"))
    response = client.get(f"/calls/?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
