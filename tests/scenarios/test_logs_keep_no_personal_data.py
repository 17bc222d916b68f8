"""A call becomes a work order over real HTTP (the development server, which logs every
request line), with every logger captured at DEBUG: the caller's number in none of its
encodings, and the caller's name neither as text nor URL-encoded, appears in any log line,
although both travel in query strings, paths, forms and JSON bodies."""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import quote

import pytest
import requests
from werkzeug.serving import make_server

from hotline.logging import JsonFormatter
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_customer, make_department, make_token, make_user

# What is logged does not depend on the database; a live server sees the rows (commits).
pytestmark = [pytest.mark.commits, pytest.mark.sqlite_only]
NAME = "王建国"
SECRETS = [NAME, quote(NAME), quote(NAME).lower(), "13800138000", "138 0013 8000",
           "138-0013-8000", "0013", "%2B86138", "%2b86138"]


@pytest.fixture
def captured():
    lines: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record):
            if not record.name.startswith("urllib3"):  # the test's own HTTP client
                lines.append(self.format(record))

    json_capture, plain_capture = Capture(), Capture()
    json_capture.setFormatter(JsonFormatter())
    plain_capture.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    targets = [(logging.getLogger("hotline"), json_capture),
               (logging.getLogger("werkzeug"), plain_capture),
               (logging.getLogger(), plain_capture)]
    levels = [(logger, logger.level) for logger, _ in targets]
    for logger, handler in targets:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield lines
    for logger, handler in targets:
        logger.removeHandler(handler)
    for logger, level in levels:
        logger.setLevel(level)


@pytest.fixture
def server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_a_call_to_an_order_logs_no_number_and_no_name(app, session, clock, server,
                                                        captured):
    north = make_area(session, code="north")
    make_department(session, "maintenance", north, code="maint-north")
    make_department(session, "customer_service", None, code="cs")
    agent = make_user(session, "agent", username="wang", locale="en")
    token = make_token(session, agent, clock.now())
    make_customer(session, area=north, phones=("+8613800138000",), name=NAME,
                  account_number="11000001", street="解放路", house_number="12号")
    session.commit()

    http = requests.Session()
    page = http.get(f"{server}/login").text
    assert http.post(f"{server}/login", data={"username": "wang", "password": "password123",
                                              "csrf_token": csrf_token_from(page)}).ok
    csrf = {"X-CSRFToken": csrf_token_from(http.get(f"{server}/").text)}
    http.post(f"{server}/softphone/availability", data={"state": "available"}, headers=csrf)

    # The caller dials from a number typed with spaces and asks for an agent.
    call = http.post(f"{server}/simulator/api/start", json={"from": "138 0013 8000"},
                     headers=csrf).json()
    step = http.post(f"{server}/simulator/api/step", headers=csrf, json={
        "call_sid": call["call_sid"], "from": call["from"], "url": call["next"]["action"],
        "digits": "0"}).json()
    assert step["next"]["type"] == "queue"
    assert http.post(f"{server}/softphone/answer-next", headers=csrf).json()["answered"]
    pop = http.get(f"{server}/softphone/current").text
    assert NAME in pop
    link = re.search(r'href="(/workorders/new\?[^"]+)"', pop).group(1).replace("&amp;", "&")
    assert "%2B8613800138000" in link  # the number travels in the query string
    form = http.get(f"{server}{link}").text
    created = http.post(f"{server}{link}", allow_redirects=False, data={
        "csrf_token": csrf_token_from(form), "category": "leak", "description": "门口冒水",
        "contact_name": NAME, "contact_phone": "+86 138 0013 8000",
        "account_number": "11000001", "area": "north", "street": "解放路",
        "house_number": "12号", "call_sid": call["call_sid"]})
    assert created.status_code == 302, created.text[:500]

    # Looking the caller up, in the console and through the API.
    for path in (f"/customers?q={quote(NAME)}", "/customers?phone=138-0013-8000",
                 "/customers?phone=%2B8613800138000", "/customers/13800138000",
                 "/workorders/?phone=%2B86%20138%200013%208000"):
        http.get(f"{server}{path}")
    api = http.get(f"{server}/api/v1/customers", params={"phone": "8613800138000"},
                   headers={"Authorization": f"Bearer {token}"})
    assert api.ok and api.json()[0]["name"] == NAME

    request_lines = [line for line in captured if '"GET ' in line or '"POST ' in line]
    assert len(request_lines) >= 12, captured  # the server did log the requests
    assert any("/customers HTTP/1.1" in line for line in request_lines)
    leaks = [line for line in captured if any(secret in line for secret in SECRETS)]
    assert leaks == []
