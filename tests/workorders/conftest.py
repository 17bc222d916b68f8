"""A small utility: two areas, their departments and people, one customer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.factories import make_area, make_customer, make_department, make_token, make_user
from tests.workorders.api_client import ORDER
from workorders.services.actions import perform
from workorders.services.create import NewOrder, open_work_order

CALLER = "+8613912345678"


@pytest.fixture
def world(session):
    north = make_area(session, code="north", kind="urban", name_zh="城北", name_en="North")
    east = make_area(session, code="east", kind="suburban", name_zh="城东", name_en="East")
    d = SimpleNamespace(north=north, east=east)
    d.maint_north = make_department(session, "maintenance", north, code="maint-north")
    d.maint_city = make_department(session, "maintenance", None, code="maint-city")
    d.billing_north = make_department(session, "billing", north, code="billing-north")
    d.billing_city = make_department(session, "billing", None, code="billing-city")
    d.lab = make_department(session, "water_quality", None, code="lab")
    d.enforcement = make_department(session, "enforcement", None, code="enforcement")
    d.cs = make_department(session, "customer_service", None, code="cs")
    d.agent = make_user(session, "agent", username="agent")
    d.agent2 = make_user(session, "agent", username="agent2")
    d.supervisor = make_user(session, "supervisor", username="boss")
    d.fixer = make_user(session, "staff", d.maint_north, username="fixer")
    d.fixer2 = make_user(session, "staff", d.maint_north, username="fixer2")
    d.city_fixer = make_user(session, "staff", d.maint_city, username="cityfixer")
    d.biller = make_user(session, "staff", d.billing_north, username="biller")
    d.chemist = make_user(session, "staff", d.lab, username="chemist")
    d.warden = make_user(session, "staff", d.enforcement, username="warden")
    d.clerk = make_user(session, "staff", d.cs, username="clerk")
    d.clerk2 = make_user(session, "staff", d.cs, username="clerk2")
    d.customer = make_customer(session, area=north, phones=(CALLER,), account_number="880001",
                               name="王小明", street="解放路", house_number="12号",
                               landmark="邮局对面")
    session.commit()
    return d


def details(world, **kw) -> NewOrder:
    base = dict(category="leak", description="路面冒水", contact_name="李四",
                contact_phone=CALLER, area_id=world.north.id, street="人民路",
                house_number="8号", landmark="人民公园东门", call_sid="CA123")
    base.update(kw)
    return NewOrder(**base)


@pytest.fixture
def create(session, world, clock, ctx):
    def _create(actor=None, channel="phone", **kw):
        order = open_work_order(session, details(world, **kw), actor=actor or world.agent,
                                channel=channel, now=clock.now(), ctx=ctx)
        session.commit()
        return order

    return _create


@pytest.fixture
def act(session, clock, ctx):
    def _act(user, order, action, version=None, **params):
        result = perform(session, user=user, number=order.number, action=action,
                         version=order.version if version is None else version,
                         params=params, now=clock.now(), ctx=ctx)
        session.commit()
        return result

    return _act


@pytest.fixture
def api(client, session, clock):
    """post(user, path, body) / get(user, path) with a bearer token per user."""
    tokens = {}

    def headers(user):
        if user.id not in tokens:
            tokens[user.id] = make_token(session, user, clock.now())
            session.commit()
        return {"Authorization": f"Bearer {tokens[user.id]}"}

    class Api:
        def post(self, user, path, body):
            return client.post(f"/api/v1{path}", json=body, headers=headers(user))

        def get(self, user, path):
            return client.get(f"/api/v1{path}", headers=headers(user))

        def create(self, user, **body):
            response = self.post(user, "/workorders", {**ORDER, "description": "x", **body})
            assert response.status_code == 201, response.json
            return response.json

        def act(self, user, number, action, **params):
            version = self.get(user, f"/workorders/{number}").json["version"]
            return self.post(user, f"/workorders/{number}/actions",
                             {"action": action, "version": version, **params})

    return Api()
