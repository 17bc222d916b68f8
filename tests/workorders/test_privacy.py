"""Who sees what of an order (issue 14 items 9, 10, 13): the work location kept apart from a
confidential complainant's address (R27), the household found from the caller's number
(R30), a theft report's reward shown to enforcement and supervisors only (R11). Through the
API and the console, with the fixed clock."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token_from
from tests.factories import make_customer, make_token
from workorders.models import WorkOrder, WorkOrderEvent

THEFT = {"category": "water_theft", "contact_name": "周八", "contact_phone": "13700000005",
         "area": "north", "street": "幸福里", "house_number": "3栋502",
         "landmark": "菜市场北门", "work_street": "幸福里", "work_house_number": "5栋底商",
         "work_landmark": "洗车店", "confidential": True, "description": "洗车店私接水管"}


@pytest.fixture
def bearer(session, clock):
    def _bearer(user):
        token = make_token(session, user, clock.now())
        session.commit()
        return {"Authorization": f"Bearer {token}"}

    return _bearer


def _act(client, headers, number, **body):
    version = client.get(f"/api/v1/workorders/{number}", headers=headers).json["version"]
    return client.post(f"/api/v1/workorders/{number}/actions", headers=headers,
                       json={"version": version, **body})


def test_departments_see_the_work_location_never_a_confidential_address(
        client, session, world, bearer, login_as):  # R27
    agent, warden = bearer(world.agent), bearer(world.warden)
    number = client.post("/api/v1/workorders", json=THEFT, headers=agent).json["number"]
    seen = client.get(f"/api/v1/workorders/{number}", headers=warden).json
    assert (seen["street"], seen["house_number"], seen["landmark"]) == ("***",) * 3
    assert (seen["work_street"], seen["work_house_number"], seen["work_landmark"]) == (
        "幸福里", "5栋底商", "洗车店")
    assert seen["contact_name"] == "***"
    hotline = client.get(f"/api/v1/workorders/{number}", headers=agent).json
    assert hotline["house_number"] == "3栋502" and hotline["work_house_number"] == "5栋底商"
    # Nowhere else either: list, events, search by the complainant's address, console, export.
    for response in (client.get("/api/v1/workorders", headers=warden),
                     client.get(f"/api/v1/workorders/{number}/events", headers=warden)):
        assert "3栋502" not in response.get_data(as_text=True)
        assert "菜市场北门" not in response.get_data(as_text=True)
    assert client.get("/api/v1/workorders?text=菜市场", headers=warden).json["total"] == 0
    assert client.get("/api/v1/workorders?text=洗车店", headers=warden).json["total"] == 1
    login_as(world.warden)
    for page in (f"/workorders/{number}", "/workorders/", "/workorders/export.csv?view=queue"):
        html = client.get(page).get_data(as_text=True)
        assert number in html and "洗车店" in html or page == "/workorders/"
        assert "3栋502" not in html and "菜市场北门" not in html


def test_work_location_defaults_to_the_address_unless_confidential(
        client, session, world, bearer):  # R27
    agent, fixer = bearer(world.agent), bearer(world.fixer)
    plain = client.post("/api/v1/workorders", headers=agent, json={
        "category": "leak", "contact_name": "李四", "contact_phone": "13700000006",
        "area": "north", "street": "人民路", "house_number": "8号", "landmark": "公园东门"}).json
    assert (plain["work_street"], plain["work_house_number"], plain["work_landmark"]) == (
        "人民路", "8号", "公园东门")
    secret = client.post("/api/v1/workorders", headers=agent, json={
        **THEFT, "category": "complaint", "work_street": "", "work_house_number": "",
        "work_landmark": ""}).json
    assert (secret["work_street"], secret["work_house_number"]) == ("", "")
    clerk = bearer(world.clerk)
    assert "幸福里" not in client.get(f"/api/v1/workorders/{secret['number']}",
                                      headers=clerk).get_data(as_text=True)
    # The agent completes the work location later; departments see it then.
    moved = _act(client, agent, secret["number"], action="update_details",
                 work_street="建设路", work_house_number="营业厅")
    assert moved.status_code == 200, moved.json
    assert client.get(f"/api/v1/workorders/{secret['number']}",
                      headers=clerk).json["work_street"] == "建设路"
    assert client.get(f"/api/v1/workorders/{plain['number']}",
                      headers=fixer).json["street"] == "人民路"


def test_a_number_of_one_household_links_it_and_several_let_the_agent_choose(
        client, session, world, bearer):  # R30
    agent = bearer(world.agent)
    body = {"category": "leak", "contact_name": "王小明", "area": "north",
            "street": "解放路", "house_number": "12号", "landmark": "邮局对面"}
    one = client.post("/api/v1/workorders", headers=agent,
                      json={**body, "contact_phone": "139 1234 5678"}).json
    assert one["account_number"] == "880001" and one["household_candidates"] == []
    events = client.get(f"/api/v1/workorders/{one['number']}/events", headers=agent).json
    assert events[0]["payload"]["household"] == "phone"
    shared = "+8613700000077"
    for account in ("880002", "880003"):
        make_customer(session, area=world.north, phones=(shared,), account_number=account,
                      name=f"户主{account}")
    session.commit()
    two = client.post("/api/v1/workorders", headers=agent,
                      json={**body, "contact_phone": shared}).json
    assert two["account_number"] is None
    assert [c["account_number"] for c in two["household_candidates"]] == ["880002", "880003"]
    assert two["household_candidates"][0]["name"] == "户主880002"
    chosen = _act(client, agent, two["number"], action="update_details",
                  account_number="880003")
    assert chosen.status_code == 200 and chosen.json["account_number"] == "880003"
    bad = _act(client, agent, two["number"], action="update_details", account_number="999")
    assert bad.status_code == 422 and "account_number" in bad.json["error"]["fields"]


def test_the_console_offers_the_households_of_a_shared_number(
        client, session, world, login_as):  # R30
    for account in ("880002", "880003"):
        make_customer(session, area=world.north, phones=("+8613700000077",),
                      account_number=account)
    session.commit()
    login_as(world.agent)
    html = client.get("/workorders/new?from=%2B8613700000077").get_data(as_text=True)
    assert html.count('type="radio" name="account_number"') == 3  # two, or none of them
    response = client.post("/workorders/new?from=%2B8613700000077", data={
        "csrf_token": csrf_token_from(html), "category": "leak", "contact_name": "户主",
        "contact_phone": "+8613700000077", "account_number": "880003", "area": "north",
        "street": "解放路", "house_number": "1号", "landmark": "邮局"})
    assert response.status_code == 302, response.get_data(as_text=True)
    order = session.scalar(select(WorkOrder))
    assert order.account.account_number == "880003"


def test_a_confirmed_theft_report_records_a_reward_for_enforcement_and_supervisors(
        client, session, world, bearer, login_as):  # R11
    agent, warden, boss = bearer(world.agent), bearer(world.warden), bearer(world.supervisor)
    number = client.post("/api/v1/workorders", json=THEFT, headers=agent).json["number"]
    assert _act(client, warden, number, action="accept").status_code == 200
    assert _act(client, agent, number, action="confirm_theft",
                text="x").status_code == 403  # enforcement confirms, not the hotline
    assert _act(client, boss, number, action="decide_reward",
                amount=500).status_code == 409  # not confirmed yet
    confirmed = _act(client, warden, number, action="confirm_theft", text="现场查实私接")
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["reward"]["finding"] == "现场查实私接"
    assert _act(client, warden, number, action="decide_reward",
                amount=500).status_code == 403  # a supervisor approves
    before = session.scalar(select(WorkOrder.version).where(WorkOrder.number == number))
    for bad in (-1, "abc", "0.001", 2000000):
        response = _act(client, boss, number, action="decide_reward", amount=bad)
        assert response.status_code == 422 and "amount" in response.json["error"]["fields"]
    assert session.scalar(select(WorkOrder.version).where(WorkOrder.number == number)) == before
    decided = _act(client, boss, number, action="decide_reward", amount="500",
                   text="按举报奖励办法")
    assert decided.status_code == 200, decided.json
    assert _act(client, boss, number, action="decide_reward",
                amount=100).status_code == 409  # decided once
    for headers in (warden, boss):
        reward = client.get(f"/api/v1/workorders/{number}", headers=headers).json["reward"]
        assert reward["amount"] == "500.00" and reward["approver"] == "boss"
    # The hotline sees neither the decision nor the amount, in the order or its events.
    assert client.get(f"/api/v1/workorders/{number}", headers=agent).json["reward"] is None
    events = client.get(f"/api/v1/workorders/{number}/events", headers=agent)
    assert "500" not in events.get_data(as_text=True)
    assert "现场查实" not in events.get_data(as_text=True)
    assert [e.payload for e in session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.action == "decide_reward"))] == [{"rule": "R11"}]
    login_as(world.agent)
    assert "500.00" not in client.get(f"/workorders/{number}").get_data(as_text=True)
    login_as(world.supervisor)
    assert "500.00" in client.get(f"/workorders/{number}").get_data(as_text=True)
    # A report of another kind has no reward to confirm.
    leak = client.post("/api/v1/workorders", headers=agent, json={
        **THEFT, "category": "leak", "confidential": False}).json["number"]
    assert _act(client, bearer(world.fixer), leak, action="accept").status_code == 200
    assert _act(client, boss, leak, action="confirm_theft", text="x").status_code == 409
