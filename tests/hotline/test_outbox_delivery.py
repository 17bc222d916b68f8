"""The delivery worker: claims (two workers never send one message twice, a dead worker's
claim lapses), no transaction or lock held while Twilio is called, a hanging Twilio port
timed out and retried, failures logged, supervisors told, re-sending from the console and
the CLI, the worker loop, PostgreSQL's NOTIFY on commit, the clock's safety net."""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.logging import JsonFormatter
from hotline.notifications.models import Notification
from hotline.telephony import worker
from hotline.telephony.adapter import DeliveryError
from hotline.telephony.delivery import claim_next, deliver_due, record_sent
from hotline.telephony.models import OutboxMessage
from hotline.telephony.outbox import queue_sms
from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.hotline.twilio_port import LocalTwilioHttpClient, TwilioPort

# The delivery worker claims and records in transactions of its own (other connections,
# threads): these tests commit for real.
pytestmark = pytest.mark.commits

CALLER = "+8613912345678"
LEASE = timedelta(seconds=120)


class ScriptedAdapter:
    """Sends by recording; `failures` are raised first, in order; `during_send` runs inside
    each network call."""

    name = "twilio"

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.failures: list[Exception] = []
        self.during_send = None
        self.lock = threading.Lock()

    def send_sms(self, to: str, body: str) -> str:
        if self.during_send:
            self.during_send(to, body)
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((to, body))
            return f"SM{len(self.sent)}"

    def place_call(self, to: str, url: str) -> str:
        return self.send_sms(to, url)


@pytest.fixture
def adapter():
    return ScriptedAdapter()


@pytest.fixture
def app_config(adapter):
    return {"TELEPHONY_ADAPTER": adapter, "OUTBOX_POLL_SECONDS": 0.05}


@pytest.fixture
def json_log():
    """What the app's JSON log handler writes for the `hotline` loggers."""
    lines: list[dict] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(json.loads(self.format(record)))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("hotline")
    assert any(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    root.addHandler(handler)
    yield lines
    root.removeHandler(handler)


def _queue(session, clock, n=1, to=CALLER):
    messages = [queue_sms(session, to, f"hello {i}", now=clock.now()) for i in range(n)]
    session.commit()
    return [m.id for m in messages]


def test_two_workers_at_once_never_send_one_message_twice(app, session, clock, adapter):
    _queue(session, clock, 24)
    both_sending = threading.Barrier(2, timeout=20)
    first = threading.local()

    def during_send(to, body):
        if not getattr(first, "done", False):  # each worker's first message: both in flight
            first.done = True
            both_sending.wait()

    adapter.during_send = during_send
    start = threading.Barrier(2)
    counts = [0, 0]

    def run(i):
        start.wait()
        counts[i] = deliver_due(app, worker=f"w{i}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(body for _, body in adapter.sent) == sorted(f"hello {i}" for i in range(24))
    assert sum(counts) == 24 and min(counts) >= 1
    session.expire_all()
    assert {m.status for m in session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_claim_is_exclusive_until_it_lapses(app, session, clock, adapter):
    [message_id] = _queue(session, clock)
    now = clock.now()
    with app.app_context():
        with Session(db.engine) as one, Session(db.engine) as two:
            first = claim_next(one, "dead-worker:1", now, LEASE)
            one.commit()
            assert first.id == message_id and first.attempts == 1
            assert claim_next(two, "w2:1", now + timedelta(seconds=119), LEASE) is None
            two.commit()
            # The first worker died: its claim lapses and another worker takes over.
            second = claim_next(two, "w2:2", now + LEASE, LEASE)
            two.commit()
            assert (second.id, second.attempts) == (message_id, 2)
            # A late outcome from the dead claim changes nothing.
            assert record_sent(one, first, "twilio", "SMlate", now + LEASE) is False
            one.commit()
    stored = session.get(OutboxMessage, message_id)
    session.refresh(stored)
    assert (stored.status, stored.claimed_by, stored.provider_sid) == ("pending", "w2:2", "")


def test_a_dead_workers_claim_is_sent_after_the_lease(app, session, clock, adapter):
    [message_id] = _queue(session, clock)
    with app.app_context():
        with Session(db.engine) as dead:
            claim_next(dead, "dead-worker:1", clock.now(), LEASE)
            dead.commit()
    assert deliver_due(app) == 0 and adapter.sent == []
    clock.advance(seconds=app.config["OUTBOX_CLAIM_SECONDS"])
    assert deliver_due(app) == 1
    stored = session.get(OutboxMessage, message_id)
    session.refresh(stored)
    assert (stored.status, stored.attempts, stored.claimed_by) == ("sent", 2, None)


def test_twilio_is_called_with_no_transaction_open_and_no_lock_held(app, session, clock,
                                                                    adapter, backend):
    """While the message is being sent, another connection that will not wait for locks
    can update the message row and commit."""
    [message_id] = _queue(session, clock)
    outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    writes = []

    def during_send(to, body):
        with outside.begin() as conn:
            if backend == "postgresql":
                conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            else:
                conn.exec_driver_sql("PRAGMA busy_timeout = 200")
            conn.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                         .values(body=OutboxMessage.body))
            writes.append(conn.scalar(select(OutboxMessage.claimed_by)
                                      .where(OutboxMessage.id == message_id)))

    adapter.during_send = during_send
    try:
        assert deliver_due(app, worker="w") == 1
    finally:
        outside.dispose()
    assert len(writes) == 1 and writes[0].startswith("w:")  # the claim was committed
    assert adapter.sent == [(CALLER, "hello 0")]


@pytest.fixture
def port():
    fake = TwilioPort()
    yield fake
    fake.close()


class TestHangingTwilio:
    @pytest.fixture
    def app_config(self, port):
        return {"HOTLINE_TELEPHONY": "twilio", "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
                "TWILIO_PHONE_NUMBER": "+861088886666",
                "TWILIO_HTTP_CLIENT": LocalTwilioHttpClient(port.port, timeout=0.5)}

    def test_a_timeout_is_a_logged_transient_failure_retried_later(self, app, session,
                                                                    clock, port, json_log):
        [message_id] = _queue(session, clock)
        assert deliver_due(app) == 1  # returns: the timeout bounds the hanging request
        assert port.accepted == 1 and port.requests == []
        message = session.get(OutboxMessage, message_id)
        session.refresh(message)
        assert (message.status, message.attempts, message.claimed_by) == ("pending", 1, None)
        assert "timed out" in message.last_error
        assert message.next_attempt_at == clock.now() + timedelta(seconds=30)
        [line] = [x for x in json_log if x["logger"] == "hotline.telephony.outbox"]
        assert line["level"] == "WARNING" and line["message_id"] == str(message_id)
        assert (line["channel"], line["to"], line["attempt"]) == ("sms", "+86139****5678", "1")
        assert "timed out" in line["error"] and CALLER not in json.dumps(line)

        port.answer(held="drop")  # Twilio answers again; the timed-out request is gone
        assert deliver_due(app) == 0  # backing off
        clock.advance(seconds=30)
        assert deliver_due(app) == 1
        session.refresh(message)
        assert (message.status, message.attempts) == ("sent", 2)
        assert message.provider_sid.startswith("SM")
        assert [(m, form["To"], form["Body"]) for m, _, form in port.requests] == [
            ("POST", CALLER, "hello 0")]


def test_failing_for_good_logs_an_error_and_tells_supervisors(app, session, clock, adapter,
                                                              json_log):
    adapter.failures.append(DeliveryError("The 'To' number is not valid", permanent=True,
                                          code=21211))
    [message_id] = _queue(session, clock)
    assert deliver_due(app) == 1
    levels = [(x["level"], x["message_id"]) for x in json_log
              if x["logger"] == "hotline.telephony.outbox"]
    assert levels == [("WARNING", str(message_id)), ("ERROR", str(message_id))]
    notice = session.scalar(select(Notification).where(Notification.kind == "outbox"))
    assert notice.recipient_role == "supervisor" and str(message_id) in notice.title


def _csrf(client):
    return csrf_token_from(client.get("/telephony/outbox").get_data(as_text=True))


def test_resend_from_the_messages_page(app, client, session, clock, adapter, login_as):
    adapter.failures.append(DeliveryError("blocked", permanent=True, code=30004))
    [message_id] = _queue(session, clock)
    deliver_due(app)
    agent = make_user(session, role="agent")
    staff = make_user(session, role="staff")
    session.commit()
    login_as(agent)
    page = client.get("/telephony/outbox").get_data(as_text=True)
    assert f"/telephony/outbox/{message_id}/resend" in page and "30004 blocked" in page
    url = f"/telephony/outbox/{message_id}/resend"
    assert client.post(url).status_code == 400  # no CSRF token: refused
    session.refresh(session.get(OutboxMessage, message_id))
    assert session.get(OutboxMessage, message_id).status == "failed"
    assert client.post("/telephony/outbox/999/resend",
                       data={"csrf_token": _csrf(client)}).status_code == 404
    response = client.post(url, data={"csrf_token": _csrf(client)}, follow_redirects=True)
    assert f"消息 #{message_id} 将重新发送。" in response.get_data(as_text=True)
    message = session.get(OutboxMessage, message_id)
    session.refresh(message)
    assert (message.status, message.attempts, message.next_attempt_at) == (
        "pending", 0, clock.now())
    assert deliver_due(app) == 1 and adapter.sent == [(CALLER, "hello 0")]
    again = client.post(url, data={"csrf_token": _csrf(client)})
    assert again.status_code == 409  # sent already
    client.post("/logout", data={"csrf_token": _csrf(client)})
    login_as(staff)
    assert client.post(url, data={"csrf_token": csrf_token_from(
        client.get("/").get_data(as_text=True))}).status_code == 403


def test_resend_from_the_command_line(app, session, clock, adapter):
    adapter.failures += [DeliveryError("blocked", permanent=True)] * 2
    first, second, third = _queue(session, clock, 3)
    assert deliver_due(app) == 3  # two fail for good, the third is sent
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["telephony", "resend", str(first), "999"])
    assert bad.exit_code == 1 and "#999" in bad.output
    sent = runner.invoke(args=["telephony", "resend", str(third)])
    assert sent.exit_code == 1 and f"id: 消息 #{third} 已经发送" in sent.output  # zh_CN
    typo = runner.invoke(args=["telephony", "resend", "x1"])
    assert typo.exit_code == 2 and "x1" in typo.output
    session.expire_all()
    assert [m.status for m in session.scalars(select(OutboxMessage).order_by(
        OutboxMessage.id))] == ["failed", "failed", "sent"]  # nothing changed
    good = runner.invoke(args=["telephony", "resend", str(first), str(second)])
    assert good.exit_code == 0, good.output
    assert f"#{first}, #{second}" in good.output
    assert deliver_due(app) == 2
    assert sorted(body for _, body in adapter.sent) == ["hello 0", "hello 1", "hello 2"]


def test_the_worker_process_sends_what_is_committed(app, session, clock, adapter):
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(app, stop), kwargs={"name": "t"})
    thread.start()
    try:
        _queue(session, clock, 2)
        for _ in range(400):  # the worker polls (SQLite) or is notified (PostgreSQL)
            if len(adapter.sent) == 2:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert sorted(body for _, body in adapter.sent) == ["hello 0", "hello 1"]


@pytest.mark.postgres_only
def test_postgresql_notifies_the_worker_on_commit_only(app, session, clock):
    waiter = worker.NotifyWaiter(app)
    stop = threading.Event()
    try:
        queue_sms(session, CALLER, "hello", now=clock.now())
        session.flush()
        assert waiter.wait_for_notify(0.3, stop) is False  # not before the commit
        session.rollback()
        assert waiter.wait_for_notify(0.3, stop) is False  # nor after a rollback
        queue_sms(session, CALLER, "hello", now=clock.now())
        session.commit()
        assert waiter.wait_for_notify(10, stop) is True
    finally:
        waiter.close()


def test_the_clock_sends_only_what_no_worker_picked_up(app, session, clock, adapter):
    from sla.jobs import deliver_outbox

    _queue(session, clock)
    with app.app_context():
        assert deliver_outbox(db.session, app, clock.now()) == {"attempted": 0}
        clock.advance(seconds=61)
        assert deliver_outbox(db.session, app, clock.now()) == {"attempted": 1}
    assert adapter.sent == [(CALLER, "hello 0")]


def test_the_messages_page_shows_a_claimed_message_as_sending(app, client, session, clock,
                                                              login_as):
    _queue(session, clock)
    with app.app_context():
        with Session(db.engine) as other:
            claim_next(other, "w:1", clock.now(), LEASE)
            other.commit()
    login_as(make_user(session, role="supervisor"))
    page = client.get("/telephony/outbox").get_data(as_text=True)
    assert "发送中" in page and "/resend" not in page
