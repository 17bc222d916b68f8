"""The phone simulator in a real browser: the caller presses 0, an agent in another tab
answers and gets the screen-pop. Debian's chromium through Playwright (never downloaded).
The pages work under the Content-Security-Policy (no inline script): chromium reports no
violation."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from tests.factories import make_customer, make_user

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


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

    response = caller.goto(f"{live_server}/simulator/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    caller.fill("#caller", "+8613912345678")
    caller.click("#dial")
    caller.wait_for_selector("#transcript li.said")
    assert "客服热线" in caller.inner_text("#transcript")
    caller.wait_for_selector("#keypad button[data-key='0']:not([disabled])")
    caller.click("#keypad button[data-key='0']")
    caller.wait_for_function("document.getElementById('state').textContent.includes('排队')")
    caller.wait_for_timeout(3500)  # a few wait-URL polls: the caller stays queued

    agent.goto(f"{live_server}/softphone")
    agent.click("#answer-next")
    agent.wait_for_selector("#current-call")
    popup = agent.inner_text("#current-call")
    assert "赵六" in popup and "100888" in popup
    link = agent.get_attribute("#new-order-link", "href")
    assert link.startswith("/workorders/new?from=%2B8613912345678&call_sid=CA")

    caller.wait_for_selector("#state.bridged")
    caller.click("#hangup")
    caller.wait_for_selector("#state.ended")
    for path in ("/", "/workorders/", "/outages", "/telephony/callbacks", "/sla/wallboard"):
        agent.goto(f"{live_server}{path}")
    assert violations == []
