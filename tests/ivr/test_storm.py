"""The call generator behind benchmarks/call_storm.py (ivr.storm): its callers walk every
path through real HTTP with valid signatures, and its record check finds a wrong record.
(Speed is measured by the benchmark, not here.)"""

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from hotline.clock import SystemClock
from ivr.models import Call
from ivr.storm import MIX, Storm, StormData, summarise
from ivr.storm_check import check_records
from tests.conftest import TWILIO_TOKEN
from tests.factories import make_area, make_customer, make_user

# Each webhook is checked from a connection of its own (committed before the answer):
# these tests commit for real.
pytestmark = pytest.mark.commits


@pytest.fixture
def clock():
    # The check compares each record's start with the wall clock of the first request.
    return SystemClock()


@pytest.fixture
def app_config():
    return {"HOTLINE_PUBLIC_URL": ""}


@pytest.fixture
def server(app):
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture
def data(session, desk):
    from ivr.ports import OrderStatus

    areas = [make_area(session, code=code) for code in ("A1", "A2", "A3")]
    known = [make_customer(session, area=areas[n % 3], phones=(f"+861390000{n:04d}",))
             for n in range(4)]
    make_user(session, role="agent", username="agent")
    session.commit()
    desk.orders["202611240001"] = OrderStatus("WO-20261124-0001", "dispatched", "维修部",
                                              "Maintenance", None)
    desk.contacts["202611240001"] = "+8613900000042"  # no caller's number: R27 asks
    return StormData(known_callers=[(a.phones[0].e164, a.id) for a in known],
                     account_numbers=[a.account_number for a in known],
                     order_numbers=["WO-20261124-0001"], area_codes=["A1", "A2", "A3"],
                     account_areas={a.id: a.area.code for a in known},
                     holder_digits={**{a.account_number: a.phones[0].e164[-4:] for a in known},
                                    "202611240001": "0042"})


def test_every_path_is_walked_and_every_record_checks_out(server, data, session):
    storm = Storm(server, TWILIO_TOKEN, data, rate=24, seconds=1, pace=0.002, threads=4)
    sent = storm.run()
    assert {c.scenario for c in storm.calls} == set(MIX)
    assert all(c.finished and not c.failed for c in storm.calls)
    summary = summarise(sent)
    assert summary.errors == 0 and summary.count == len(sent)
    assert {"voice", "menu", "lookup", "main", "queue-wait", "connect", "queue-done",
            "status"} <= set(summary.by_kind)
    session.expire_all()
    assert check_records(session, storm.calls) == []


def test_the_check_finds_a_missing_or_wrong_record(server, data, session):
    storm = Storm(server, TWILIO_TOKEN, data, rate=8, seconds=1, pace=0.002, threads=2,
                  mix={"balance": 1, "queue": 1})
    storm.run()
    session.expire_all()
    rows = session.scalars(select(Call).order_by(Call.id)).all()
    rows[0].ivr_path = "voice"
    rows[1].answered_at = None
    rows[1].outcome = None
    gone = rows[2].call_sid
    session.delete(rows[2])
    session.commit()
    problems = check_records(session, storm.calls)
    assert any(rows[0].call_sid in p and "ivr_path" in p for p in problems)
    assert any(rows[1].call_sid in p and "outcome" in p for p in problems)
    assert f"{gone}: no record" in problems
    assert len(problems) >= 3


def test_a_call_the_app_answers_unexpectedly_ends_and_is_reported(server, data, session):
    """An order number the desk does not know: the app asks again instead of answering, so
    the script stops that call (the storm still ends) and the check names it."""
    from dataclasses import replace

    unknown = replace(data, order_numbers=["WO-20990101-0009"])
    storm = Storm(server, TWILIO_TOKEN, unknown, rate=4, seconds=1, pace=0.002, threads=2,
                  mix={"order_status": 1})
    storm.run()
    assert all("expected redirect" in call.failed for call in storm.calls)
    problems = check_records(session, storm.calls)
    assert len(problems) == len(storm.calls) == 4
    assert all("did not finish" in p for p in problems)
