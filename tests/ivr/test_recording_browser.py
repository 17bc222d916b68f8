"""Issue 11.5 in a real browser: an agent opens a voicemail order and finds its recording
on the page, a player fed from the local copy (chromium via Playwright; screenshot in
tests/artifacts/ for a person to look at)."""

from __future__ import annotations

import io
import math
import struct
import wave
from pathlib import Path

import pytest

from ivr import recordings
from ivr.models import Call
from tests.ivr.test_browser import _login, browser, live_server  # noqa: F401 (fixtures)
from tests.workorders.conftest import CALLER, world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only, pytest.mark.commits]
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def _tone(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short WAV (a 440 Hz tone) standing in for Twilio's audio."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i
                                                                         / rate)))
                                 for i in range(int(seconds * rate))))
    return buffer.getvalue()


def test_an_agent_plays_a_voicemail_orders_recording(app, session, clock, ctx, world,  # noqa: F811
                                                    live_server, browser, tmp_path):  # noqa: F811
    from workorders.services.lookup import add_spoken_draft, open_from_voicemail

    app.config["IVR_RECORDINGS_DIR"] = str(tmp_path)
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE42"
    call = Call(call_sid="CAvm42", from_number=CALLER, to_number="+861012345",
                started_at=clock.now(), outcome="voicemail", recording_url=url)
    session.add(call)
    session.flush()
    order = open_from_voicemail(session, caller=CALLER, recording_url=url, transcription="",
                                category="leak", call_sid="CAvm42",
                                account_id=world.customer.id, area_id=None, now=clock.now(),
                                ctx=ctx)
    call.voicemail_order = order.number
    add_spoken_draft(session, order.number, "解放路12号门口水管爆了", now=clock.now())
    copy = recordings.store_recording(session, recordings.RecordingReport(
        "RE42", "CAvm42", url, 2), now=clock.now(), config=app.config, voicemail=True)
    (tmp_path / "RE42.wav").write_bytes(_tone())
    copy.status, copy.file_name, copy.content_type = "fetched", "RE42.wav", "audio/wav"
    session.commit()

    page = browser.new_context(viewport={"width": 1280, "height": 1100}).new_page()
    _login(page, live_server, world.agent.username)
    page.goto(f"{live_server}/workorders/{order.number}")
    player = page.locator("#recording audio")
    player.wait_for()
    assert player.get_attribute("src") == "/recordings/RE42/audio"
    assert "听录音并补全" in page.inner_text("h1")
    audio = page.request.get(f"{live_server}/recordings/RE42/audio")
    assert audio.status == 200 and audio.headers["content-type"] == "audio/wav"
    page.locator("#recording").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "order_recording.png"), full_page=True)
