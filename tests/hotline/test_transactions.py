"""The transaction boundary: console forms (`hotline.web.transactions`) and API writes
(`hotline.api.transaction`) commit once, after the answer is complete, so a request that
committed never answers 500 when the database goes away right after the commit; a refusal
rolls back and is shown. Savepoints stay inside the request's transaction on SQLite too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.directory.models import Area
from hotline.extensions import db
from hotline.outages.models import OutageNotice
from tests.conftest import csrf_token_from
from tests.databases import unavailable_after_commit
from tests.factories import make_area, make_token, make_user

H = timedelta(hours=1)


@pytest.fixture
def people(session):
    area = make_area(session, code="CD")
    supervisor = make_user(session, role="supervisor", username="boss")
    session.commit()
    return {"area": area, "supervisor": supervisor}


def count(session, model) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_a_savepoint_after_reads_commits_nothing_by_itself(session):
    # Python's sqlite3 opens a transaction only at the first write: a SAVEPOINT after mere
    # reads would start one of its own, and releasing it would commit (hotline.db).
    before = count(session, Area)
    session.execute(select(1))
    with session.begin_nested():
        session.add(Area(code="SP", name_zh="保存点", name_en="Savepoint", kind="urban"))
    session.rollback()
    assert count(session, Area) == before


def test_api_write_that_committed_answers_201_when_the_database_then_goes_away(
        app, client, session, people, clock):
    token = make_token(session, people["supervisor"], clock.now())
    session.commit()
    start = clock.now() + 30 * H
    body = {"kind": "planned", "areas": ["CD"], "start_at": start.isoformat(),
            "expected_end_at": (start + 4 * H).isoformat(), "cause": "管网改造"}
    with unavailable_after_commit(db.engine) as outage:
        response = client.post("/api/v1/outages", json=body,
                               headers={"Authorization": f"Bearer {token}"})
    assert outage["committed"]
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "scheduled" and created["areas"][0]["code"] == "CD"
    assert count(session, OutageNotice) == 1  # the client must not retry: it was saved


def test_api_refusal_rolls_back_and_answers_its_status(client, session, people, clock):
    token = make_token(session, people["supervisor"], clock.now())
    session.commit()
    start = clock.now() + 2 * H  # R25: a planned outage needs 24 h notice
    response = client.post("/api/v1/outages", headers={"Authorization": f"Bearer {token}"},
                           json={"kind": "planned", "areas": ["CD"],
                                 "start_at": start.isoformat(),
                                 "expected_end_at": (start + H).isoformat(), "cause": "x"})
    assert response.status_code == 422
    assert set(response.get_json()["error"]) >= {"code", "message", "fields"}
    assert count(session, OutageNotice) == 0


def test_console_form_that_committed_redirects_when_the_database_then_goes_away(
        app, client, session, people, login_as):
    login_as(people["supervisor"])
    token = csrf_token_from(client.get("/outages/new").get_data(as_text=True))
    form = {"csrf_token": token, "kind": "planned", "areas": [str(people["area"].id)],
            "start_at": "2026-11-25T15:00", "expected_end_at": "2026-11-25T18:00",
            "cause": "更换水表", "extent": "", "approver_id": "0"}
    with unavailable_after_commit(db.engine) as outage:
        response = client.post("/outages/new", data=form)
    assert outage["committed"]
    assert response.status_code == 302
    saved = session.scalar(select(OutageNotice))
    assert response.headers["Location"].endswith(f"/outages/{saved.id}")


def test_console_refusal_is_shown_on_the_form_and_writes_nothing(
        client, session, people, login_as):
    login_as(people["supervisor"])
    token = csrf_token_from(client.get("/outages/new").get_data(as_text=True))
    response = client.post("/outages/new", data={
        "csrf_token": token, "kind": "planned", "areas": [str(people["area"].id)],
        "start_at": "2026-11-24T15:00", "expected_end_at": "2026-11-24T18:00",
        "cause": "更换水表", "extent": "", "approver_id": "0"})
    assert response.status_code == 422
    assert "R25" in response.get_data(as_text=True)
    assert count(session, OutageNotice) == 0
