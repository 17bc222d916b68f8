"""Work-order API and lists: NUL characters and invalid JSON are 400s (PostgreSQL answered
them with a 500), the role is checked before the body, and `%` / `_` typed into the search
are literal characters."""

import pytest

from tests.factories import make_token
from workorders.models import WorkOrder


@pytest.fixture
def headers(session, world, clock):
    def _headers(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _headers


@pytest.mark.parametrize("query", ["owner=%00", "text=%00", "phone=%00", "department=%00",
                                   "account=1%002"])
def test_nul_in_a_filter_is_a_400(client, world, headers, query):
    response = client.get(f"/api/v1/workorders?{query}", headers=headers(world.supervisor))
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "malformed_request"


def test_nul_in_an_order_number_is_a_400(client, world, headers):
    for path in ("/api/v1/workorders/WO%00", "/api/v1/workorders/WO%00/events"):
        assert client.get(path, headers=headers(world.agent)).status_code == 400


def test_console_list_with_nul_is_a_400(client, world, login_as):
    login_as(world.supervisor)
    assert client.get("/workorders/?text=%00").status_code == 400
    assert client.get("/workorders/export.csv?owner=%00").status_code == 400


def test_invalid_json_and_role_before_body(client, world, headers, session):
    bad = {"Content-Type": "application/json"}
    response = client.post("/api/v1/workorders", data="{", headers={
        **headers(world.agent), **bad})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    # Department staff do not open orders: 403 whatever the body, no field list.
    for body in ("{", "{}", '{"category": "leak"}'):
        response = client.post("/api/v1/workorders", data=body, headers={
            **headers(world.fixer), **bad})
        assert response.status_code == 403 and response.get_json()["error"]["fields"] == {}
        response = client.get("/api/v1/workorders/duplicates?category=%00",
                              headers=headers(world.fixer))
        assert response.status_code == 403
    assert session.query(WorkOrder).count() == 0


def test_text_search_takes_wildcards_literally(client, world, create, headers):
    create(description="阀门_A漏水")
    create(description="阀门BA漏水")
    create(description="水费100%多收")
    create(description="水费1000元")

    def found(text):
        response = client.get("/api/v1/workorders", query_string={"text": text},
                              headers=headers(world.supervisor))
        return sorted(o["description"] for o in response.get_json()["items"])

    assert found("门_A") == ["阀门_A漏水"]
    assert found("100%") == ["水费100%多收"]
    assert found("%") == ["水费100%多收"]
    assert found("_") == ["阀门_A漏水"]
