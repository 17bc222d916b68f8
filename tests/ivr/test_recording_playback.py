"""Issue 11.5: a recording is linked from its order and the household file and played in
the console, from the local copy only, to those allowed to see the order: department staff
only their department's, never a confidential complainant's voice (R27). Unknown → 404,
not allowed → 403; until the copy is fetched the page says so."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr import recordings
from ivr.models import Call, RecordingCopy
from tests.workorders.conftest import CALLER, create, world  # noqa: F401 (fixtures)

AUDIO = b"ID3\x03\x00fake-mp3-frames"


@pytest.fixture
def recorded_order(app, session, clock, create, world, tmp_path):  # noqa: F811
    """An agent's order from call CArec1, whose recording RE1 is fetched into tmp_path."""

    def _make(*, confidential=False, fetched=True, sid="RE1", call_sid="CArec1"):
        app.config["IVR_RECORDINGS_DIR"] = str(tmp_path)
        order = create(call_sid=call_sid, confidential=confidential) if call_sid else None
        call = Call(call_sid=call_sid or "CAnoorder", from_number=CALLER, to_number="+861012345",
                    started_at=clock.now(), outcome="answered")
        session.add(call)
        session.flush()
        copy = recordings.store_recording(session, recordings.RecordingReport(
            sid, call.call_sid, f"https://api.twilio.com/Recordings/{sid}", 42),
            now=clock.now(), config={"IVR_RECORD_LINES": "*"})
        if fetched:
            (tmp_path / f"{sid}.mp3").write_bytes(AUDIO)
            copy.status, copy.file_name, copy.content_type = "fetched", f"{sid}.mp3", "audio/mpeg"
        session.commit()
        return order

    return _make


def _get(client, path):
    response = client.get(path)
    return response.status_code, response


def test_agents_and_the_orders_department_play_it(recorded_order, world, login_as,  # noqa: F811
                                                  client):
    order = recorded_order()
    assert order.department_id == world.maint_north.id
    for user in (world.agent, world.supervisor, world.fixer):
        login_as(user)
        status, page = _get(client, "/recordings/RE1")
        assert status == 200 and 'src="/recordings/RE1/audio"' in page.get_data(as_text=True)
        status, audio = _get(client, "/recordings/RE1/audio")
        assert (status, audio.mimetype, audio.data) == (200, "audio/mpeg", AUDIO)
        assert "no-store" in audio.headers["Cache-Control"]
        client.get("/logout")


def test_staff_of_other_departments_are_refused(recorded_order, world, login_as,  # noqa: F811
                                                client):
    recorded_order()
    login_as(world.biller)
    assert _get(client, "/recordings/RE1")[0] == 403
    assert _get(client, "/recordings/RE1/audio")[0] == 403


def test_a_confidential_complainants_voice_is_not_played_to_departments_r27(
        recorded_order, world, login_as, client):  # noqa: F811
    recorded_order(confidential=True)
    login_as(world.fixer)
    assert _get(client, "/recordings/RE1")[0] == 403
    assert _get(client, "/recordings/RE1/audio")[0] == 403
    client.get("/logout")
    login_as(world.agent)
    assert _get(client, "/recordings/RE1/audio")[0] == 200


def test_a_call_without_an_order_is_for_the_hotline_only(recorded_order, world,  # noqa: F811
                                                         login_as, client):
    recorded_order(call_sid=None)
    login_as(world.fixer)
    assert _get(client, "/recordings/RE1/audio")[0] == 403
    client.get("/logout")
    login_as(world.agent)
    assert _get(client, "/recordings/RE1/audio")[0] == 200


@pytest.mark.parametrize("sid", ["RE404", "..%2F..%2Fhotline.cfg", "RE1.mp3"])
def test_unknown_or_malformed_ids_are_404(recorded_order, world, login_as, client,  # noqa: F811
                                          sid):
    recorded_order()
    login_as(world.agent)
    assert _get(client, f"/recordings/{sid}")[0] == 404
    assert _get(client, f"/recordings/{sid}/audio")[0] == 404


def test_until_fetched_the_page_says_so_and_nothing_calls_twilio(
        recorded_order, world, login_as, client, app):  # noqa: F811
    class Refusing:
        def get(self, *args, **kwargs):
            raise AssertionError("a web request called Twilio")

    app.extensions["ivr.recording_http"] = Refusing()
    recorded_order(fetched=False)
    login_as(world.agent)
    status, page = _get(client, "/recordings/RE1")
    html = page.get_data(as_text=True)
    assert status == 200 and "<audio" not in html and "录音正在获取中" in html
    assert _get(client, "/recordings/RE1/audio")[0] == 409


def test_the_order_page_and_the_household_file_link_the_recording(
        recorded_order, world, login_as, client, session):  # noqa: F811
    order = recorded_order()
    login_as(world.agent)
    html = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'id="recording"' in html and 'src="/recordings/RE1/audio"' in html
    assert "通话录音" in html
    household = client.get("/customers/880001").get_data(as_text=True)
    assert 'href="/recordings/RE1"' in household
    client.get("/logout")
    login_as(world.biller)  # cannot see the order at all: 404 as before
    assert client.get(f"/workorders/{order.number}").status_code == 404


def test_the_order_page_tells_staff_they_may_not_listen(recorded_order, world, login_as,
                                                       client, session):  # noqa: F811
    order = recorded_order(confidential=True)
    login_as(world.fixer)
    html = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    assert 'id="recording"' in html and "<audio" not in html
    assert "您无权收听这段录音。" in html
    assert session.scalar(select(RecordingCopy)).status == "fetched"
