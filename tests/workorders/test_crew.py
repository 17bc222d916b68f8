"""Crews on a phone (issue 12 item 7): the queue by the next deadline, accept, on site with
the browser's location (R16, R17), notes, photos, resolve — each form done once however
often it is sent."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.conftest import SHANGHAI, csrf_token_from
from workorders.models import OrderPhoto, Submission, WorkOrder, WorkOrderEvent


def _form(html: str, action: str) -> dict:
    """The hidden fields of the page's form for `action` (CSRF, token, version)."""
    start = html.index(f'name="action" value="{action}"')
    block = html[html.rindex("<form", 0, start):html.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', block))
    fields["csrf_token"] = csrf_token_from(html)
    return fields


def _events(session, order, action) -> list[WorkOrderEvent]:
    return list(session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == action)))


@pytest.fixture
def accepted(create, act, world):
    order = create()
    act(world.fixer, order, "accept")
    return order


def test_on_site_pressed_twice_logs_one_event(session, world, accepted, login_as, client):
    login_as(world.fixer)
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    form = {**_form(page, "arrive"), "latitude": "30.657421", "longitude": "104.065735",
            "accuracy": "12.4"}
    first = client.post(f"/crew/{accepted.number}", data=form)
    again = client.post(f"/crew/{accepted.number}", data=form)  # the same form, sent twice
    assert first.status_code == 302 and again.status_code == 302
    assert again.headers["Location"].endswith(f"/crew/{accepted.number}")
    assert len(_events(session, accepted, "arrive")) == 1
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "已记录过" in shown  # "Already recorded: 已到达现场", not an error
    # From a fresh page the button is gone; an old page's form (new token) is refused
    # by the state machine: one arrival per acceptance (R16, R17).
    assert 'value="arrive"' not in shown
    stale = client.post(f"/crew/{accepted.number}", data={
        **form, "token": "another-token-000000", "version": str(
            session.get(WorkOrder, accepted.id).version)})
    assert stale.status_code == 409
    assert len(_events(session, accepted, "arrive")) == 1


def test_on_site_location_is_stored_and_shown_in_local_time(session, world, accepted,
                                                            login_as, client, clock):
    login_as(world.fixer)
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    assert 'data-geolocate' in page and 'crew.js' in page and "<script>" not in page
    client.post(f"/crew/{accepted.number}", data={
        **_form(page, "arrive"), "latitude": "30.657421", "longitude": "104.065735",
        "accuracy": "12.4", "share_location": "1"})
    event = _events(session, accepted, "arrive")[0]
    assert event.payload["location"] == {"lat": 30.657421, "lon": 104.065735,
                                         "accuracy_m": 12}
    assert session.get(WorkOrder, accepted.id).status == "in_progress"
    local = clock.now().astimezone(SHANGHAI).strftime("%H:%M")
    for path in (f"/crew/{accepted.number}", f"/workorders/{accepted.number}"):
        html = client.get(path).get_data(as_text=True)
        assert "30.65742, 104.06574" in html and "12 米" in html
        assert 'href="geo:30.657421,104.065735"' in html
        assert local in html and "UTC" not in html


@pytest.mark.parametrize("missing, shown", [("denied", "浏览器未获准"),
                                            ("not_shared", "未分享"), ("", "手机无法定位")])
def test_on_site_without_a_location_still_counts(session, world, accepted, login_as, client,
                                                 missing, shown):
    login_as(world.fixer)
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    response = client.post(f"/crew/{accepted.number}", data={
        **_form(page, "arrive"), "location_missing": missing})
    assert response.status_code == 302
    event = _events(session, accepted, "arrive")[0]
    assert event.payload["location"] is None
    assert event.payload["location_missing"] == (missing or "unavailable")
    assert session.get(WorkOrder, accepted.id).arrived_at is not None
    assert shown in client.get(f"/crew/{accepted.number}").get_data(as_text=True)


def test_a_position_off_the_earth_is_refused_and_changes_nothing(session, world, accepted,
                                                                  login_as, client):
    login_as(world.fixer)
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    for bad in ({"latitude": "91", "longitude": "104"}, {"latitude": "30"},
                {"latitude": "abc", "longitude": "104"}):
        response = client.post(f"/crew/{accepted.number}", data={**_form(page, "arrive"),
                                                                 **bad})
        assert response.status_code == 422, bad
    assert _events(session, accepted, "arrive") == []
    assert session.get(WorkOrder, accepted.id).status == "accepted"


def test_accept_note_and_resolve_sent_twice_do_one_thing(session, world, create, login_as,
                                                         client):
    order = create()
    login_as(world.fixer)
    for action, extra in (("accept", {}), ("note", {"text": "阀门已关"}),
                          ("arrive", {}), ("resolve", {"result": "已更换阀门"})):
        page = client.get(f"/crew/{order.number}").get_data(as_text=True)
        form = {**_form(page, action), **extra}
        assert client.post(f"/crew/{order.number}", data=form).status_code == 302
        assert client.post(f"/crew/{order.number}", data=form).status_code == 302
        assert len(_events(session, order, action)) == 1, action
    assert session.get(WorkOrder, order.id).status == "resolved"
    assert session.scalar(select(func.count()).select_from(Submission)) == 4


def test_the_full_order_page_forms_are_done_once_too(session, world, create, login_as,
                                                      client):
    order = create()
    login_as(world.fixer)
    page = client.get(f"/workorders/{order.number}").get_data(as_text=True)
    form = _form(page, "accept")
    assert form["token"]
    for _ in range(2):
        assert client.post(f"/workorders/{order.number}/act", data=form).status_code == 302
    assert len(_events(session, order, "accept")) == 1


def test_accepting_again_after_a_reopen_allows_a_new_arrival(session, world, accepted, act):
    act(world.fixer, accepted, "arrive")
    act(world.fixer, accepted, "resolve", result="修好了")
    act(world.agent, accepted, "follow_up", outcome="unsatisfied", attitude=2, quality=2,
        timeliness=2, result_score=2, text="还在漏")
    assert session.get(WorkOrder, accepted.id).arrived_at is not None
    act(world.fixer, accepted, "accept")
    assert session.get(WorkOrder, accepted.id).arrived_at is None
    act(world.fixer, accepted, "arrive")
    assert len(_events(session, accepted, "arrive")) == 2


# --- photos -----------------------------------------------------------------------------

def _image(kind: str = "JPEG", size=(1200, 900), exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (30, 120, 200))
    out = BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (30.0, 39.0, 26.7), 3: "E", 4: (104.0, 3.0, 56.6)}
        exif[0x010F] = "PhoneMaker"
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


def _upload(client, order, data: bytes, filename: str = "site.jpg", page=None, **extra):
    page = page or client.get(f"/crew/{order.number}").get_data(as_text=True)
    form = {**_form(page, "add_photo"), "photo": (BytesIO(data), filename), **extra}
    return client.post(f"/workorders/{order.number}/photos", data=form,
                       content_type="multipart/form-data")


def _photo_dir(app) -> Path:
    return Path(app.config["HOTLINE_PHOTO_DIR"])


def test_photo_is_stored_with_a_thumbnail_and_without_exif(app, session, world, accepted,
                                                            login_as, client):
    login_as(world.fixer)
    response = _upload(client, accepted, _image(exif_gps=True), caption="x", text="漏点")
    assert response.status_code == 302, response.get_data(as_text=True)
    photo = session.scalar(select(OrderPhoto).where(OrderPhoto.order_id == accepted.id))
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 1200, 900)
    stored = Image.open(_photo_dir(app) / photo.key[:2] / f"{photo.key}.jpg")
    assert stored.format == "JPEG" and not stored.getexif()  # no GPS, no maker
    thumb = Image.open(_photo_dir(app) / photo.key[:2] / f"{photo.key}.thumb.jpg")
    assert thumb.format == "JPEG" and max(thumb.size) == 320
    event = _events(session, accepted, "add_photo")[0]
    assert event.payload["photo"] == photo.key and event.note == "漏点"
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    assert f"/workorders/photos/{photo.key}/thumb" in page
    served = client.get(f"/workorders/photos/{photo.key}/thumb")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]


def test_png_is_kept_as_png(app, session, world, accepted, login_as, client):
    login_as(world.fixer)
    assert _upload(client, accepted, _image("PNG", (200, 500)), "plan.png").status_code == 302
    photo = session.scalar(select(OrderPhoto))
    assert photo.content_type == "image/png"
    served = client.get(f"/workorders/photos/{photo.key}")
    assert served.mimetype == "image/png" and served.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("data, name", [
    (b"this is really a text file\n" * 20, "leak.jpg"),  # the name says JPEG
    (b"GIF89a" + b"\x00" * 100, "leak.png"),
    (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "leak.jpg"),  # JPEG magic, no image
    (b"<html><script>alert(1)</script></html>", "leak.png"),
])
def test_photo_type_is_checked_by_content(app, session, world, accepted, login_as, client,
                                          data, name):
    login_as(world.fixer)
    response = _upload(client, accepted, data, name)
    assert response.status_code == 422
    assert "只能上传 JPEG 或 PNG 照片" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OrderPhoto)) == 0
    assert _events(session, accepted, "add_photo") == []


def test_photo_size_limit_is_a_form_message(app, session, world, accepted, login_as, client):
    login_as(world.fixer)
    big = _image() + b"\x00" * (10 * 1024 * 1024)  # a real JPEG, padded past 10 MB
    response = _upload(client, accepted, big)
    assert response.status_code == 422
    assert "照片超过 10 MB" in response.get_data(as_text=True)
    huge = _upload(client, accepted, b"\xff" * (12 * 1024 * 1024))  # past the body limit
    assert huge.status_code == 413
    assert "照片超过 10 MB" in huge.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(OrderPhoto)) == 0
    # Other requests keep MAX_CONTENT_LENGTH.
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    note = client.post(f"/crew/{accepted.number}", data={
        **_form(page, "note"), "text": "x" * (2 * 1024 * 1024)})
    assert note.status_code == 413


def test_photo_sent_twice_is_stored_once(app, session, world, accepted, login_as, client):
    login_as(world.fixer)
    page = client.get(f"/crew/{accepted.number}").get_data(as_text=True)
    for _ in range(2):
        assert _upload(client, accepted, _image(), page=page).status_code == 302
    assert session.scalar(select(func.count()).select_from(OrderPhoto)) == 1


def test_photos_are_served_only_to_those_who_see_the_order(app, session, world, accepted,
                                                           login_as, client):
    login_as(world.fixer)
    _upload(client, accepted, _image())
    key = session.scalar(select(OrderPhoto.key))
    for user, status in ((world.biller, 403), (world.chemist, 403), (world.fixer2, 200),
                         (world.agent, 200), (world.supervisor, 200)):
        client.post("/logout", data={"csrf_token": csrf_token_from(
            client.get("/").get_data(as_text=True))})
        login_as(user)
        for path in (f"/workorders/photos/{key}", f"/workorders/photos/{key}/thumb"):
            assert client.get(path).status_code == status, (user.username, path)
    assert client.get("/workorders/photos/" + "0" * 32).status_code == 404


def test_another_department_cannot_upload_or_open_the_crew_page(session, world, accepted,
                                                                 login_as, client):
    login_as(world.biller)
    assert client.get(f"/crew/{accepted.number}").status_code == 404
    page = client.get("/crew/").get_data(as_text=True)
    assert accepted.number not in page


# --- the queue --------------------------------------------------------------------------

def test_queue_is_sorted_by_the_next_deadline_and_pages_by_cursor(session, world, create, act,
                                                                  login_as, client, clock):
    first = create()  # dispatched: its acceptance clock (R14) runs first
    second = create(category="no_water")
    clock.advance(timedelta(minutes=5))
    third = create()
    lab = create(category="water_quality")  # the lab's: not in maintenance's queue
    act(world.fixer, second, "accept")
    login_as(world.fixer)
    html = client.get("/crew/").get_data(as_text=True)
    numbers = re.findall(r'href="/crew/(WO[^"]+)"', html)
    due = {o.number: session.get(WorkOrder, o.id).next_due_at for o in (first, second, third)}
    assert numbers == sorted(due, key=lambda n: (due[n], n)) and lab.number not in numbers
    assert "签收" in html and "UTC" not in html
    mine = client.get("/crew/?mine=1").get_data(as_text=True)
    assert re.findall(r'href="/crew/(WO[^"]+)"', mine) == [second.number]
    # Keyset pages of one order each walk the same order without repeats.
    from workorders.services.queries import crew_queue
    seen, after = [], None
    while True:
        rows, after = crew_queue(session, world.fixer, after=after, per_page=1)
        seen += [o.number for o in rows]
        if after is None:
            break
    assert seen == numbers


@pytest.mark.commits
def test_the_same_form_sent_at_once_twice_does_one_thing(app, session, world, accepted):
    """Two requests carrying one token race (a double tap on a slow network): the token's
    unique index lets one through; the other does nothing and says so."""
    import threading

    from tests.conftest import login

    clients = [app.test_client(), app.test_client()]
    for c in clients:
        login(c, world.fixer.username)
    page = clients[0].get(f"/crew/{accepted.number}").get_data(as_text=True)
    form = {**_form(page, "note"), "text": "两次提交"}
    csrf = [csrf_token_from(c.get(f"/crew/{accepted.number}").get_data(as_text=True))
            for c in clients]
    start, answers = threading.Barrier(2), []

    def post(i):
        start.wait()
        answers.append(clients[i].post(f"/crew/{accepted.number}",
                                       data={**form, "csrf_token": csrf[i]}).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    session.expire_all()
    assert sorted(answers) == [302, 302]
    assert len(_events(session, accepted, "note")) == 1


def test_the_state_machine_offers_one_arrival_per_acceptance():  # R16 R17
    from workorders.rules.states import Actor, OrderFacts, Refused, available_actions, check

    crew = Actor(id=1, role="staff", department_ids=frozenset({7}))
    working = OrderFacts(status="in_progress", department_id=7, owner_id=2)
    assert "arrive" in available_actions(crew, working)
    arrived = OrderFacts(status="in_progress", department_id=7, owner_id=2, on_site=True)
    assert "arrive" not in available_actions(crew, arrived)
    assert "add_photo" in available_actions(crew, arrived)
    with pytest.raises(Refused) as refused:
        check(crew, arrived, "arrive", {})
    assert refused.value.kind == "state"
