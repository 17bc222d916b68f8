"""What schemathesis found (tests/hotline/test_api_schemathesis.py), one regression test
each: balances documented as numbers but sent as strings, the X-Pagination header declared
as an object in the `simple` style, TRACE answered 405 without Allow, a page number past
PostgreSQL's OFFSET range (500), NUL characters in schema-valid strings (500 on
PostgreSQL, now refused and documented), a valid service-level query refused with 422."""

import json
from decimal import Decimal

import pytest

from tests.factories import make_area, make_customer, make_token, make_user


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


@pytest.fixture
def agent(session, clock):
    token = make_token(session, make_user(session, role="supervisor"), clock.now())
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_balances_are_strings_in_the_answer_and_the_document(client, session, spec, agent):
    make_customer(session, account_number="11000001", balance_due=Decimal("-12.50"),
                  last_bill_amount=Decimal("88.20"))
    session.commit()
    customer = spec["components"]["schemas"]["Customer"]["properties"]
    assert customer["balance_due"]["type"] == "string"
    assert customer["last_bill_amount"]["type"] == "string"
    body = client.get("/api/v1/customers/11000001", headers=agent).get_json()
    assert body["balance_due"] == "-12.50" and body["last_bill_amount"] == "88.20"


def test_the_pagination_header_is_declared_as_json(client, session, spec, agent):
    header = spec["components"]["headers"]["PAGINATION"]
    assert "schema" not in header
    assert header["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginationMetadata"}
    make_customer(session)
    session.commit()
    response = client.get("/api/v1/customers", headers=agent)
    assert json.loads(response.headers["X-Pagination"])["total"] == 1


@pytest.mark.parametrize("path", ["/api/v1/workorders", "/api/v1/customers/1",
                                  "/api/v1/outages"])
def test_undeclared_methods_get_405_with_allow(client, agent, path):
    for method in ("TRACE", "PUT", "DELETE"):
        response = client.open(path, method=method, headers=agent)
        assert response.status_code == 405
        assert "GET" in response.headers["Allow"]
        assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_page_past_every_row_is_empty_not_an_error(client, session, agent):
    make_area(session, code="CD")
    session.commit()
    for path in ("/api/v1/customers?page=999999999999999999",
                 "/api/v1/outages?page=999999999999999999&page_size=100",
                 "/api/v1/workorders?page=999999999999999999&per_page=200"):
        response = client.get(path, headers=agent)
        assert response.status_code == 200, path
        body = response.get_json()
        assert (body["items"] if isinstance(body, dict) else body) == []


def test_every_string_is_documented_free_of_nul(spec):
    # (The error body is registered before the API's own schemas; it describes answers.)
    strings = [prop for name, schema in spec["components"]["schemas"].items()
               if not name.startswith("Error")
               for prop in schema.get("properties", {}).values()
               if prop.get("type") == "string" and not {"enum", "format"} & set(prop)]
    assert strings and all("pattern" in prop for prop in strings)
    assert spec["components"]["schemas"]["Customer"]["properties"]["name"]["pattern"] == \
        r"^[^\x00]*$"


def test_service_level_from_a_start_alone_is_one_day(client, agent):
    response = client.get("/api/v1/metrics/service-level",
                          query_string={"start": "2000-01-01T00:00:00Z"}, headers=agent)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["start"][:10], body["end"][:10]) == ("2000-01-01", "2000-01-02")
    too_long = client.get("/api/v1/metrics/service-level", headers=agent, query_string={
        "start": "2000-01-01T00:00:00Z", "end": "2000-03-01T00:00:00Z"})
    assert too_long.status_code == 422 and too_long.get_json()["error"]["fields"] == {
        "end": "too far"}
