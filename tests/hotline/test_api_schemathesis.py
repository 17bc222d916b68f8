"""schemathesis against the whole API, with every check (server errors, status codes,
content types, response bodies and headers against the document, valid data accepted,
invalid data refused, auth ignored, undeclared methods answered 405 with Allow, …), through
all its phases (examples, coverage, fuzzing, stateful links) with a bounded number of
examples, as an administrator and as department staff. It must find nothing.

In-process: the app is served from a thread of this test process (werkzeug's server), and
schemathesis calls it over loopback. (Its WSGI transport passes socket options to
werkzeug's test client in the `ignored_auth` check and errors; HTTP exercises the same
code as production.) On PostgreSQL when the run has one, where a NUL character used to
be a 500.

Regression tests for what it found are in tests/hotline/test_openapi_document.py,
test_malformed_input.py and tests/workorders/test_malformed_input.py.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from hotline.auth.services import create_token
from tests.conftest import PG_URL
from tests.factories import make_area, make_customer, make_department, make_user

schemathesis = pytest.importorskip("schemathesis")
from schemathesis import engine as st_engine  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from schemathesis.engine import events  # noqa: E402

# One run per test session, on the stricter database.
pytestmark = [pytest.mark.commits, pytest.mark.postgres_only if PG_URL else pytest.mark.sqlite_only]
# A fixed seed keeps `make test` repeatable; set these to explore further.
MAX_EXAMPLES = int(os.environ.get("HOTLINE_SCHEMATHESIS_EXAMPLES", 5))
SEED = int(os.environ.get("HOTLINE_SCHEMATHESIS_SEED", 20261124))
# Requests the document cannot describe as invalid: they name records that must exist (area,
# category, department codes) or break a rule over several fields (R25 notice periods; a
# service-level window of at most 31 days; a calls window whose `since` is before `until`;
# a caller's number that parses as a phone number; a report month that exists). The API
# answers those with 422 and the field.
DATA_DEPENDENT = ["GET /api/v1/outages", "POST /api/v1/outages", "POST /api/v1/workorders",
                  "GET /api/v1/workorders/duplicates", "POST /api/v1/workorders/{number}/actions",
                  "GET /api/v1/metrics/service-level", "GET /api/v1/calls",
                  "GET /api/v1/reports/monthly", "GET /api/v1/reports/assessment"]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # thousands of request lines
        pass


@pytest.fixture
def base_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def tokens(session, clock, ctx):
    """Something to read: an area, departments, a household with a balance and a bill, an
    outage and an order in the staff's department."""
    from hotline.outages.services import create_outage
    from workorders.services.create import NewOrder, open_work_order

    area = make_area(session, code="CD")
    crew = make_department(session, "maintenance", area, code="MNT-CD")
    make_department(session, "customer_service", None, code="CS")
    admin = make_user(session, role="admin", username="st-admin")
    staff = make_user(session, role="staff", department=crew, username="st-staff")
    agent = make_user(session, role="agent", username="st-agent")
    customer = make_customer(session, area=area, account_number="11000001",
                             phones=("+8613800138000",), balance_due=Decimal("-12.50"),
                             last_bill_amount=Decimal("88.20"),
                             last_bill_date=clock.now().date())
    create_outage(session, admin, kind="emergency", area_ids=[area.id],
                  start_at=clock.now() - timedelta(hours=1),
                  expected_end_at=clock.now() + timedelta(hours=5), cause="爆管", extent="",
                  approver_id=None, urgent=False, now=clock.now())
    open_work_order(session, NewOrder(category="leak", description="路面冒水",
                                      contact_name="王建国", contact_phone="+8613800138000",
                                      account_id=customer.id, area_id=area.id, street="解放路",
                                      house_number="12号", landmark="邮局对面", call_sid="CA1"),
                    actor=agent, channel="phone", now=clock.now(), ctx=ctx)
    made = {name: create_token(session, user.username, now=clock.now())
            for name, user in (("admin", admin), ("staff", staff))}
    session.commit()
    return made


def run(base_url: str, token: str) -> tuple[list[str], int]:
    config = SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES},
        "headers": {"Authorization": f"Bearer {token}"},
        "checks": {"enabled": True},
        "operations": [{"include-name": name, "checks": {"positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}}}
            for name in DATA_DEPENDENT],
    })
    schema = schemathesis.openapi.from_url(f"{base_url}/api/v1/openapi.json", config=config)
    failures, cases = [], 0
    for event in st_engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                cases += 1
                for check in checks:
                    if check.status == st_engine.Status.FAILURE:
                        failures.append(f"{event.label}: {check.name}: "
                                        f"{check.failure_info.failure.title}\n"
                                        f"    {check.failure_info.code_sample}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"error: {event.info.message}")
    return sorted(set(failures)), cases


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_the_api_matches_its_document(base_url, tokens, role):
    failures, cases = run(base_url, tokens[role])
    assert cases > 200  # every operation was exercised
    assert failures == [], "\n".join(failures)
