"""Security headers on every response: a Content-Security-Policy without inline script that
forbids framing, nosniff, a Referrer-Policy, and HSTS in production. The templates carry no
inline script, event-handler attribute or style attribute the policy would block (the
browser test checks the pages in chromium)."""

import re
from pathlib import Path

import pytest

from tests.conftest import TWILIO_MODE

from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("hotline", "ivr", "webhooks", "workorders", "sla")


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";")}


def test_console_pages_carry_the_headers(client, session, login_as):
    login_as(make_user(session, role="agent"))
    response = client.get("/")
    policy = csp(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "twilio" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # not in development


def test_every_kind_of_response_carries_them(client):
    for response in (client.get("/login"), client.get("/api/v1/workorders"),
                     client.post("/ivr/voice"), client.get("/no-such-page"),
                     client.get("/static/hotline/console.css")):
        assert response.headers["X-Content-Type-Options"] == "nosniff", response.request.path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


class TestProduction:
    @pytest.fixture
    def app_config(self):
        return {"HOTLINE_ENV": "production"}

    def test_hsts_in_production(self, client):
        response = client.get("/login")
        assert response.headers["Strict-Transport-Security"] == \
            "max-age=31536000; includeSubDomains"


class TestTwilioMode:
    @pytest.fixture
    def app_config(self):
        return dict(TWILIO_MODE)

    def test_the_softphone_sdk_may_reach_twilio(self, client):
        policy = csp(client.get("/login"))
        assert "wss://*.twilio.com" in policy["connect-src"]
        assert policy["script-src"] == "script-src 'self'"  # the SDK is vendored


def templates():
    for package in PACKAGES:
        yield from sorted((ROOT / package).rglob("templates/**/*.html"))


def test_templates_have_no_inline_script_or_style():
    found = []
    for path in templates():
        html = path.read_text(encoding="utf-8")
        for pattern, what in ((r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
                              (r"\son[a-z]+\s*=", "event-handler attribute"),
                              (r"\sstyle\s*=", "style attribute"),
                              (r"<style", "<style> block"),
                              (r"javascript:", "javascript: URL")):
            if re.search(pattern, html, re.IGNORECASE):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert list(templates()), "no templates found"
    assert found == []
