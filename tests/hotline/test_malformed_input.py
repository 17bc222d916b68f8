"""Malformed input is a 400 (a body that is not JSON too: issue 15 item 2) with the JSON error body on the
API and an error page in the console; it changes nothing and never reaches the database (a
NUL character made PostgreSQL fail with a 500). The role is checked before the body."""

import pytest

from hotline.outages.models import OutageNotice
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_customer, make_department, make_token, make_user


@pytest.fixture
def tokens(session, clock):
    area = make_area(session, code="CD")
    dept = make_department(session, area=area, code="MNT")
    made = {role: make_token(session, make_user(session, role=role, department=dept
                                                if role == "staff" else None), clock.now())
            for role in ("agent", "staff", "supervisor", "admin")}
    session.commit()
    return {role: {"Authorization": f"Bearer {token}"} for role, token in made.items()}


def error(response, status, code=None):
    body = response.get_json()
    assert response.status_code == status, body
    assert set(body["error"]) >= {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_invalid_json_is_a_400_not_a_500(client, tokens, session):
    response = client.post("/api/v1/outages", data="{not json", headers={
        **tokens["supervisor"], "Content-Type": "application/json"})
    assert error(response, 400, "invalid_json")["fields"] == {"json": "not valid JSON"}
    assert session.query(OutageNotice).count() == 0


def test_the_role_is_checked_before_the_body(client, tokens):
    # A token that may not announce outages learns nothing about the body's fields.
    for body in ("{not json", "{}"):
        response = client.post("/api/v1/outages", data=body, headers={
            **tokens["staff"], "Content-Type": "application/json"})
        assert error(response, 403, "forbidden")["fields"] == {}
    response = client.post("/api/v1/outages", json={}, headers=tokens["supervisor"])
    assert set(error(response, 422, "validation_failed")["fields"]) >= {"kind", "areas"}


def test_a_body_that_is_not_json_is_refused(client, tokens):
    response = client.post("/api/v1/outages", data="kind=planned", headers={
        **tokens["supervisor"], "Content-Type": "text/plain"})
    assert error(response, 400, "unsupported_media_type")["fields"] == {
        "Content-Type": "text/plain"}


@pytest.mark.parametrize("url", [
    "/api/v1/customers?q=%00", "/api/v1/customers?phone=1%0038",
    "/api/v1/customers/%00", "/api/v1/outages?area=%00", "/api/v1/outages?%00=1",
])
def test_nul_in_the_path_or_query_is_a_400(client, tokens, url):
    assert error(client.get(url, headers=tokens["agent"]), 400, "malformed_request")


def test_nul_in_a_json_body_is_a_400(client, tokens, session):
    body = {"kind": "emergency", "areas": ["CD"], "start_at": "2026-11-24T02:00:00Z",
            "expected_end_at": "2026-11-24T08:00:00Z", "cause": "爆管\u0000"}
    response = client.post("/api/v1/outages", json=body, headers=tokens["supervisor"])
    assert error(response, 400, "malformed_request")
    response = client.post("/api/v1/outages", json={**body, "cause": "爆管", "x\u0000": 1},
                           headers=tokens["supervisor"])
    assert error(response, 400, "malformed_request")
    deep = {"kind": "emergency", "cause": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]
                                                    ]]]]]]]]]]]]]]]]]]]}
    response = client.post("/api/v1/outages", json=deep, headers=tokens["supervisor"])
    assert error(response, 400, "malformed_request")
    assert session.query(OutageNotice).count() == 0


def test_console_gets_an_error_page(client, session, login_as):
    login_as(make_user(session, role="supervisor", locale="en"))
    response = client.get("/customers?q=%00")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "The request contains a NUL character." in response.get_data(as_text=True)
    page = client.get("/outages/new").get_data(as_text=True)
    response = client.post("/outages/new", data={"csrf_token": csrf_token_from(page),
                                                 "cause": "a\x00b"})
    assert response.status_code == 400
    assert session.query(OutageNotice).count() == 0


def test_login_form_with_nul_is_refused(client, session):
    make_user(session, username="li")
    session.commit()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": "li\x00", "password": "password123",
                                           "csrf_token": token})
    assert response.status_code == 400


def test_search_wildcards_are_literal(client, session, tokens):
    make_customer(session, name="百分百", street="100%路", phones=("+8613900000001",))
    make_customer(session, name="千路", street="1000路", phones=("+8613900000002",))
    make_customer(session, name="下划", street="A_B街", phones=("+8613900000003",))
    make_customer(session, name="无", street="AXB街", phones=("+8613900000004",))
    session.commit()

    def streets(q):
        response = client.get("/api/v1/customers", query_string={"q": q},
                              headers=tokens["agent"])
        return sorted(c["street"] for c in response.get_json())

    assert streets("100%") == ["100%路"]
    assert streets("%") == ["100%路"]
    assert streets("A_B") == ["A_B街"]
    assert streets("_") == ["A_B街"]
    assert streets("\\") == []
