"""`GET /api/v1/calls` (issue 11 item 8): real calls through the IVR, then listed by the
roles that may see customer data (R27), newest first, with keyset pages."""

from __future__ import annotations

import pytest

from tests.factories import make_customer, make_department, make_token, make_user


@pytest.fixture
def headers(session, clock):
    def _headers(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers


def _calls(make_caller, clock):
    """Three calls: a known caller served by the balance menu, a stranger who asks for an
    agent, and a second call of the known caller."""
    known = make_caller("+8613912345678")
    known.dial()
    known.press("1")
    clock.advance(seconds=30)
    stranger = make_caller("+8613800000001")
    stranger.request("/ivr/voice?lang=en")
    queue = stranger.press("0")
    clock.advance(seconds=4)  # the hold prompt is spoken, then Twilio queues the caller
    stranger.request(queue["waitUrl"], QueueTime="0", QueuePosition="1")
    clock.advance(seconds=26)
    again = make_caller("+8613912345678")
    again.dial()
    return known, stranger, again


def test_agents_list_calls_newest_first_with_filters(client, session, clock, make_caller,
                                                     headers):
    make_customer(session, phones=("+8613912345678",), account_number="100777")
    agent = make_user(session, role="agent", username="li")
    session.commit()
    known, stranger, again = _calls(make_caller, clock)
    auth = headers(agent)

    page = client.get("/api/v1/calls", headers=auth)
    assert page.status_code == 200, page.json
    sids = [c["call_sid"] for c in page.json["items"]]
    assert sids == [again.sid, stranger.sid, known.sid] and page.json["next"] is None
    first = page.json["items"][2]
    assert first["from_number"] == "+8613912345678" and first["account_number"] == "100777"
    assert first["started_at"].endswith("+00:00")

    mine = client.get("/api/v1/calls?account=100777", headers=auth).json["items"]
    assert [c["call_sid"] for c in mine] == [again.sid, known.sid]
    by_phone = client.get("/api/v1/calls?phone=139-1234-5678", headers=auth).json["items"]
    assert [c["call_sid"] for c in by_phone] == [again.sid, known.sid]
    queued = client.get("/api/v1/calls?phone=%2B8613800000001", headers=auth).json["items"]
    assert queued[0]["entered_queue_at"] is not None and queued[0]["outcome"] is None

    one = client.get("/api/v1/calls?limit=1", headers=auth).json
    assert [c["call_sid"] for c in one["items"]] == [again.sid]
    rest = client.get(f"/api/v1/calls?limit=2&before={one['next']}", headers=auth).json
    assert [c["call_sid"] for c in rest["items"]] == [stranger.sid, known.sid]
    assert rest["next"] is None


def test_staff_get_403_and_admins_see_masked_numbers_r27(client, session, clock,
                                                          make_caller, headers):
    staff = make_user(session, role="staff", department=make_department(session))
    admin = make_user(session, role="admin")
    session.commit()
    _calls(make_caller, clock)
    refused = client.get("/api/v1/calls", headers=headers(staff))
    assert refused.status_code == 403 and refused.json["error"]["code"]
    numbers = {c["from_number"] for c in
               client.get("/api/v1/calls", headers=headers(admin)).json["items"]}
    assert numbers == {"+86139****5678", "+86138****0001"}
    assert client.get("/api/v1/calls").status_code == 401


@pytest.mark.parametrize("query,field", [("phone=abc", "phone"), ("outcome=lost", "outcome"),
                                         ("since=2026-11-24T10:00", "since"),
                                         ("limit=0", "limit"), ("before=-1", "before")])
def test_bad_filters_are_422_naming_the_field(client, session, headers, query, field):
    agent = make_user(session, role="agent")
    session.commit()
    response = client.get(f"/api/v1/calls?{query}", headers=headers(agent))
    assert response.status_code == 422, response.json
    assert field in str(response.json["error"]), response.json


def test_unknown_account_or_agent_is_an_empty_page(client, session, headers):
    agent = make_user(session, role="agent")
    session.commit()
    for query in ("account=nope", "agent=nobody"):
        assert client.get(f"/api/v1/calls?{query}", headers=headers(agent)).json == {
            "items": [], "next": None}


def test_one_call_by_sid_with_its_ivr_path_r27(client, session, clock, make_caller, headers):
    """`GET /api/v1/calls/{sid}`: the same record as in the list, role-checked the same way;
    an unknown CallSid is a 404 with the JSON error body."""
    make_customer(session, phones=("+8613912345678",), account_number="100777")
    agent = make_user(session, role="agent", username="li")
    staff = make_user(session, role="staff", department=make_department(session))
    admin = make_user(session, role="admin")
    session.commit()
    known, stranger, _ = _calls(make_caller, clock)

    one = client.get(f"/api/v1/calls/{known.sid}", headers=headers(agent))
    assert one.status_code == 200, one.json
    listed = client.get("/api/v1/calls?account=100777", headers=headers(agent)).json["items"]
    assert one.json == listed[-1]
    assert one.json["ivr_path"] == "voice>main:1>balance"  # the known caller's look-up
    assert one.json["account_number"] == "100777"
    queued = client.get(f"/api/v1/calls/{stranger.sid}", headers=headers(agent)).json
    assert queued["account_number"] is None and queued["ivr_path"] == "voice>main:0"
    # R1 runs from the real queue entry, 4 s after the caller asked (the hold prompt).
    assert (queued["asked_at"], queued["entered_queue_at"]) == (
        "2026-11-24T02:00:30+00:00", "2026-11-24T02:00:34+00:00")

    masked = client.get(f"/api/v1/calls/{known.sid}", headers=headers(admin)).json
    assert masked["from_number"] == "+86139****5678"
    refused = client.get(f"/api/v1/calls/{known.sid}", headers=headers(staff))
    assert refused.status_code == 403 and refused.json["error"]["code"]
    assert client.get(f"/api/v1/calls/{known.sid}").status_code == 401
    missing = client.get("/api/v1/calls/CAnope", headers=headers(agent))
    assert missing.status_code == 404
    assert missing.json["error"]["fields"] == {"sid": "CAnope"}


def test_the_call_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "get" in paths["/api/v1/calls"]
    assert "get" in paths["/api/v1/calls/{sid}"]
