"""The phone simulator in a real browser: the caller presses 0, an agent in another tab
answers and gets the screen-pop. Debian's chromium through Playwright (never downloaded).
The pages work under the Content-Security-Policy (no inline script): chromium reports no
violation."""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.serving import make_server

from tests.conftest import TWILIO_MODE
from tests.factories import make_customer, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

# The live server answers on threads of its own: they see committed rows only.
pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only, pytest.mark.commits]


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password123")
    page.click("form button.primary")
    page.wait_for_url(f"{base}/")


PAGE_START = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def _next_poll(page):
    with page.expect_response(lambda r: r.url.endswith("/simulator/api/wait")):
        page.clock.run_for(1500)


def test_caller_presses_0_and_an_agent_answers_with_the_screen_pop(app, session, live_server,
                                                                    browser):
    make_customer(session, phones=("+8613912345678",), name="赵六", account_number="100888")
    make_user(session, role="agent", username="caller-demo")
    make_user(session, role="agent", username="answering-agent")
    session.commit()
    caller = browser.new_context().new_page()
    agent = browser.new_context().new_page()
    violations = []
    for page in (caller, agent):
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)
    _login(caller, live_server, "caller-demo")
    _login(agent, live_server, "answering-agent")

    # The simulator polls the wait URL on a timer: the page's clock is Playwright's, moved
    # on by hand, so each poll happens when the test says and the test never sleeps.
    caller.clock.install(time=PAGE_START)
    response = caller.goto(f"{live_server}/simulator/")
    # Paused: `install` alone lets the page's time flow, and a poll fired by the real
    # clock (just before the test's own) left `_next_poll` waiting for nothing.
    caller.clock.pause_at(PAGE_START + timedelta(seconds=1))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    caller.fill("#caller", "+8613912345678")
    caller.click("#dial")
    caller.wait_for_selector("#transcript li.said")
    assert "客服热线" in caller.inner_text("#transcript")
    caller.wait_for_selector("#keypad button[data-key='0']:not([disabled])")
    caller.click("#keypad button[data-key='0']")
    wait_until(caller, "document.getElementById('state').textContent.includes('排队')")
    for _ in range(2):  # a few wait-URL polls: the caller stays queued
        _next_poll(caller)
    assert "排队" in caller.inner_text("#state")

    agent.goto(f"{live_server}/softphone")
    # Only an available agent is bridged (issue 11 item 2): become available first.
    agent.click("form:has(input[name='state'][value='available']) button")
    agent.wait_for_selector("#availability[data-state='available']")
    agent.click("#answer-next")
    agent.wait_for_selector("#current-call")
    popup = agent.inner_text("#current-call")
    assert "赵六" in popup and "100888" in popup
    link = agent.get_attribute("#new-order-link", "href")
    assert link.startswith("/workorders/new?from=%2B8613912345678&call_sid=CA")
    # The order form opens beside the live call, never in place of it (issue 11 item 7).
    assert agent.get_attribute("#new-order-link", "target") == "_blank"
    agent.wait_for_selector("#call-timer:not([hidden])")
    assert agent.inner_text("#call-timer").startswith("00:0")

    # The next polls see the bridge (the page's clock moves on until one has answered).
    for _ in range(20):
        caller.clock.run_for(1500)
        if caller.query_selector("#state.bridged") is not None:
            break
        time.sleep(0.25)
    caller.wait_for_selector("#state.bridged")
    caller.click("#hangup")
    caller.wait_for_selector("#state.ended")
    for path in ("/", "/workorders/", "/outages", "/telephony/callbacks", "/sla/wallboard"):
        agent.goto(f"{live_server}{path}")
    assert violations == []


# A stand-in for the Twilio Voice JS SDK, served instead of the vendored file: it records
# what the softphone does with the device and lets the test fire the SDK's events.
FAKE_SDK = """
window.__devices = [];
function FakeCall(from) {
  this.parameters = {From: from}; this.accepted = false; this.rejected = false;
  this.handlers = {};
}
FakeCall.prototype.accept = function () { this.accepted = true; };
FakeCall.prototype.reject = function () { this.rejected = true; };
FakeCall.prototype.on = function (name, fn) { this.handlers[name] = fn; };
function Device(token) {
  this.tokens = [token]; this.registrations = 0; this.handlers = {};
  window.__devices.push(this);
}
Device.prototype.on = function (name, fn) { this.handlers[name] = fn; };
Device.prototype.register = function () { this.registrations += 1; return Promise.resolve(); };
Device.prototype.updateToken = function (token) { this.tokens.push(token); };
Device.prototype.fire = function (name, arg) { this.handlers[name](arg); };
Device.prototype.connect = function () {};
window.Twilio = {Device: Device, FakeCall: FakeCall};
"""


TWILIO_SOFTPHONE = {**TWILIO_MODE, "TWILIO_API_KEY_SID": "SK" + "2" * 32,
                    "TWILIO_API_KEY_SECRET": "s" * 32, "TWILIO_TWIML_APP_SID": "AP" + "3" * 32}


@pytest.mark.parametrize("app_config", [TWILIO_SOFTPHONE])
def test_softphone_lasts_the_shift_and_asks_before_answering(app, session, live_server,
                                                             browser):
    """Issue 11 item 7: the token is renewed before it expires, errors show and the device
    registers again, and an incoming call waits for the agent's Accept."""
    make_user(session, role="agent", username="shift-agent")
    session.commit()
    page = browser.new_context().new_page()
    page.route("**/twilio-voice-sdk-*.js",
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    _login(page, live_server, "shift-agent")
    page.goto(f"{live_server}/softphone")
    wait_until(page, "window.__devices.length === 1")
    assert page.evaluate("window.__devices[0].registrations") == 1

    page.evaluate("window.__devices[0].fire('tokenWillExpire')")
    wait_until(page, "window.__devices[0].tokens.length === 2")
    assert page.evaluate("window.__devices[0].tokens[1].split('.').length") == 3  # a JWT

    page.evaluate("window.__call = new window.Twilio.FakeCall('+8613912345678');"
                  "window.__devices[0].fire('incoming', window.__call)")
    page.wait_for_selector("#incoming-call:not([hidden])")
    assert "+8613912345678" in page.inner_text("#incoming-call")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__call.accepted") is False  # no auto-accept
    page.click("#accept-call")
    assert page.evaluate("window.__call.accepted") is True
    assert page.is_hidden("#incoming-call")
    page.wait_for_selector("#call-timer:not([hidden])")

    page.evaluate("window.__devices[0].fire('error', {message: 'ConnectionError (31005)'})")
    wait_until(page, "document.getElementById('softphone-status').textContent"
                           ".includes('31005')")
    page.evaluate("window.__devices[0].fire('unregistered')")
    wait_until(page, "window.__devices[0].registrations === 2", timeout=5)
    assert page.evaluate("window.__devices[0].tokens.length") == 3


def wait_until(page, expression: str, timeout: float = 30.0) -> None:
    """`page.wait_for_function` without eval: the console's CSP (script-src 'self') refuses
    the string Playwright would evaluate in the page; `page.evaluate` goes through the
    DevTools protocol, which the CSP does not govern."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        time.sleep(0.1)
