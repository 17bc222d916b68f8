"""Nothing waits on Twilio (DESIGN, performance targets; issue 10 "Done when"): with
Twilio's port accepting connections and never answering, sixteen parallel order creations
through a real threaded server each return at once and send nothing; their confirmation
SMS go out, each exactly once, when the port answers again."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from hotline.telephony import worker
from hotline.telephony.delivery import deliver_due
from hotline.telephony.models import OutboxMessage
from tests.factories import make_token
from tests.hotline.twilio_port import LocalTwilioHttpClient, TwilioPort

# The delivery worker claims and records in transactions of its own (other connections,
# threads): these tests commit for real.
pytestmark = pytest.mark.commits

N = 16
# The fake Twilio holds every connection until `port.answer()`, and the Twilio client's
# timeout is far longer than the test client's: a creation that called Twilio could only
# return after `answer()` (or time out on the client side), never before it. No timed
# assertion on a loaded machine decides the test.
TWILIO_TIMEOUT = 600
CLIENT_TIMEOUT = 120
PHONES = [f"+86139000000{i:02d}" for i in range(N)]


@pytest.fixture
def port():
    fake = TwilioPort()
    yield fake
    fake.close()


@pytest.fixture
def app_config(port):
    return {"HOTLINE_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
            "TWILIO_PHONE_NUMBER": "+861088886666", "OUTBOX_POLL_SECONDS": 0.1,
            "TWILIO_HTTP_CLIENT": LocalTwilioHttpClient(port.port, timeout=TWILIO_TIMEOUT)}


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(timeout=10)


def _order(i: int) -> dict:
    return {"category": "leak", "contact_name": f"住户{i}", "contact_phone": PHONES[i],
            "area": "north", "street": "人民路", "house_number": f"{i + 1}号",
            "landmark": "公园东门", "description": f"路面冒水 #{i}", "call_sid": f"CA{i:04d}"}


def test_parallel_orders_never_wait_on_a_hanging_twilio(app, session, world, clock, port,
                                                        server):
    token = make_token(session, world.agent, clock.now())
    session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    stop = threading.Event()
    delivery = threading.Thread(target=worker.run, args=(app, stop), kwargs={"name": "w"})
    delivery.start()
    try:
        start = threading.Barrier(N)
        results: list = [None] * N

        def create(i):
            start.wait()
            began = time.monotonic()
            try:
                response = requests.post(f"{server}/api/v1/workorders", json=_order(i),
                                         headers=headers, timeout=CLIENT_TIMEOUT)
                outcome = response.status_code
            except requests.RequestException as err:
                outcome = repr(err)
            results[i] = (outcome, time.monotonic() - began)

        clients = [threading.Thread(target=create, args=(i,)) for i in range(N)]
        for t in clients:
            t.start()
        for t in clients:
            t.join()
        assert [status for status, _ in results] == [201] * N, results
        slowest = max(seconds for _, seconds in results)
        print(f"\n{N} parallel creations: slowest {slowest:.3f} s, "
              f"mean {sum(s for _, s in results) / N:.3f} s")
        # Every creation returned while Twilio was still hanging: none waited on it.
        assert not port.answering and port.requests == [], results

        # The worker is stuck on the hanging port meanwhile; pages still answer.
        for _ in range(200):
            if port.accepted:
                break
            stop.wait(0.05)
        assert port.accepted >= 1 and port.requests == []
        listed = requests.get(f"{server}/api/v1/workorders", headers=headers, timeout=60)
        assert listed.status_code == 200
        session.expire_all()
        rows = session.scalars(select(OutboxMessage)).all()
        assert sorted(m.to_number for m in rows) == sorted(PHONES)
        assert {m.status for m in rows} == {"pending"}  # nothing sent while Twilio hangs

        port.answer()  # Twilio recovers, and answers the request the worker is waiting on
    finally:
        stop.set()
        delivery.join(timeout=60)
    assert not delivery.is_alive()
    deliver_due(app)  # the worker's delivery step, for whatever it had not reached

    session.expire_all()
    rows = session.scalars(select(OutboxMessage)).all()
    assert [m.status for m in rows] == ["sent"] * N
    assert len({m.provider_sid for m in rows}) == N
    posted = sorted(form["To"] for method, path, form in port.requests
                    if method == "POST" and path.endswith("/Messages.json"))
    assert posted == sorted(PHONES)  # every SMS reached Twilio exactly once
