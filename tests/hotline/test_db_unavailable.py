"""A database that does not answer gives 503 with Retry-After (JSON for the API and
Twilio's endpoints, a page for the console), logged once per outage, not per request.
(benchmarks/db_outage_drill.py stops a real PostgreSQL cluster under load.)"""

import logging
from contextlib import nullcontext

import pytest
from flask import has_app_context
from sqlalchemy import event

from hotline.extensions import db
from hotline.telephony.signature import sign
from hotline.web import unavailable
from tests.conftest import PUBLIC_URL, TWILIO_TOKEN
from tests.factories import make_token, make_user

# Other connections, threads or processes see its rows: it commits for real.
pytestmark = pytest.mark.commits


@pytest.fixture
def outage(app):
    """`outage.down = True` makes every new connection fail the way a stopped server
    does; pooled connections are dropped when it changes."""

    class Switch:
        down = False

        def set(self, down: bool) -> None:
            self.down = down
            # In the test's app context, which requests share: its session gives back the
            # connection it holds.
            with nullcontext() if has_app_context() else app.app_context():
                db.session.remove()
                db.engine.dispose()

    switch = Switch()
    with app.app_context():
        engine = db.engine

    def refuse(dialect, conn_rec, cargs, cparams):
        if switch.down:
            raise dialect.dbapi.OperationalError("connection refused (test outage)")
        return None

    event.listen(engine, "do_connect", refuse)
    yield switch
    event.remove(engine, "do_connect", refuse)


@pytest.fixture
def logged(app):
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("hotline.database")
    logger.addHandler(handler)
    yield records
    logger.removeHandler(handler)


def test_api_console_and_twilio_get_503_and_it_is_logged_once(
        app, client, session, outage, logged):
    user = make_user(session, role="agent", locale="en")
    token = make_token(session, user, app.extensions["hotline.clock"].now())
    session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = str(user.id), True
    outage.set(True)
    for _ in range(5):
        api = client.get("/api/v1/workorders", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 503 and api.headers["Retry-After"] == "10"
        assert api.get_json()["error"]["code"] == "database_unavailable"
    page = client.get("/workorders/", headers={"Accept-Language": "en"})
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert page.headers["Retry-After"] == "10"
    assert "The database is not answering" in page.get_data(as_text=True)
    params = {"CallSid": "CA-outage", "From": "+8613912345678", "To": "+861012345"}
    voice = client.post("/ivr/voice", data=params, headers={
        "X-Twilio-Signature": sign(TWILIO_TOKEN, PUBLIC_URL + "/ivr/voice", params)})
    assert voice.status_code == 503 and voice.is_json
    errors = [r for r in logged if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "database unavailable" in errors[0].getMessage()
    assert "(test outage)" in errors[0].getMessage()

    outage.set(False)
    assert client.get("/workorders/").status_code == 200
    recovered = [r.getMessage() for r in logged if r.levelno == logging.WARNING]
    assert len(recovered) == 1 and "7 requests got 503" in recovered[0]


def test_the_page_speaks_chinese_by_default(client, session, outage):
    user = make_user(session, role="agent")
    session.commit()
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = str(user.id), True
    outage.set(True)
    page = client.get("/")
    assert page.status_code == 503
    assert "数据库暂时无响应" in page.get_data(as_text=True)


def test_a_new_outage_after_a_quiet_window_is_logged_again(monkeypatch, logged):
    now = [1000.0]
    monkeypatch.setattr(unavailable.time, "monotonic", lambda: now[0])
    log = unavailable.OutageLog(window=60)
    for step in (0, 5, 30, 59):  # failures less than a window apart: one outage
        now[0] += step
        log.failure(OSError("refused"))
    now[0] += 61
    log.failure(OSError("refused"))  # quiet for longer than the window: a new one
    assert [r.getMessage().split(":")[0] for r in logged] == [
        "database unavailable, answering 503 until it is back"] * 2


def test_a_server_going_away_after_the_answer_is_not_a_500(app, client):
    """The server stops between the view's answer and the session's teardown rollback (seen
    in benchmarks/db_outage_drill.py): the connection is dropped, the answer stands. (No
    `session` fixture: the request must pop its own app context to run the teardown.)"""
    with app.app_context():
        user_id = make_user(db.session, role="agent").id
        db.session.commit()
        engine = db.engine
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = str(user_id), True
    failing = {"on": False}

    def refuse_rollback(connection):
        if failing["on"]:
            raise connection.dialect.dbapi.OperationalError("terminating connection (test)")

    event.listen(engine, "rollback", refuse_rollback)
    try:
        failing["on"] = True
        response = client.get("/workorders/")
    finally:
        failing["on"] = False
        event.remove(engine, "rollback", refuse_rollback)
    assert response.status_code == 200
