"""Every time a person reads is local (issue 12, item 1): pages show the utility's zone with
its name on hover and the instant in the markup; messages built in Python (the lockout)
read the local clock, never UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flask import render_template_string
from flask_babel import force_locale

from hotline.web.formatting import local_text
from tests.conftest import login
from tests.factories import make_user

MOMENT = datetime(2026, 11, 24, 13, 9, tzinfo=timezone.utc)  # 21:09 in Shanghai


def test_pages_show_local_time_with_the_zone_on_hover(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            html = render_template_string("{{ t|localtime }}", t=MOMENT)
            assert html == ('<time datetime="2026-11-24T13:09:00Z" title="中国（上海）时间">'
                            '2026-11-24 21:09</time>')
        with force_locale("en"):
            html = render_template_string("{{ t|localtime('%H:%M') }}", t=MOMENT)
            assert html == ('<time datetime="2026-11-24T13:09:00Z" '
                            'title="China (Shanghai) Time">21:09</time>')
        # Event payloads keep ISO strings; missing times are a dash.
        assert "21:09" in render_template_string("{{ t|localtime }}", t=MOMENT.isoformat())
        assert render_template_string("{{ t|localtime }}", t=None) == "—"
        assert render_template_string("{{ t|localtime_text }}", t=MOMENT) == "2026-11-24 21:09"


def test_a_naive_time_is_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        local_text(datetime(2026, 11, 24, 13, 9))


def test_the_lockout_message_names_the_local_time(app, client, session, clock):
    make_user(session, username="li", locale="zh_CN")
    session.commit()
    response = None
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 1):
        response = login(client, "li", "bad-password")
    html = response.get_data(as_text=True)
    assert response.status_code == 429, html
    # The first delay (issue 15: growing delays, not a lockout) ends at 10:00:30 local.
    until = clock.now() + timedelta(seconds=app.config["LOGIN_FIRST_DELAY_SECONDS"])
    with app.app_context():
        assert local_text(until, "%H:%M:%S") in html
    assert "UTC" not in html and until.astimezone(timezone.utc).strftime("%H:%M") not in html
