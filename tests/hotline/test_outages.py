"""Outage notices: R25 lead time, approver and urgent override, status changes, R26 progress
notes, the clock job, the area query, API and console pages."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.errors import Conflict, Forbidden, ValidationFailed
from hotline.notifications.models import Notification
from hotline.outages.models import OutageNotice, OutageUpdate
from hotline.outages.queries import active_or_upcoming
from hotline.outages.services import (activate_due_outages, add_progress_note, cancel_outage,
                                      create_outage, restore_outage, start_outage,
                                      update_outage)
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_department, make_token, make_user

H = timedelta(hours=1)


@pytest.fixture
def setup(session):
    area = make_area(session, code="CD")
    other = make_area(session, code="CX")
    supervisor = make_user(session, role="supervisor", username="boss")
    admin = make_user(session, role="admin", username="root")
    agent = make_user(session, role="agent", username="ann")
    session.commit()
    return {"area": area, "other": other, "supervisor": supervisor, "admin": admin,
            "agent": agent}


def planned(session, s, now, *, notice, hours, **kw):
    kw.setdefault("actor", s["supervisor"])
    actor = kw.pop("actor")
    return create_outage(session, actor, kind="planned", area_ids=[s["area"].id],
                         start_at=now + notice, expected_end_at=now + notice + hours * H,
                         cause="更换阀门", now=now, **kw)


def count(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_r25_short_outage_needs_24_hours(session, setup, clock):
    now = clock.now()
    with pytest.raises(ValidationFailed) as refused:
        planned(session, setup, now, notice=23 * H, hours=6)
    assert "R25" in refused.value.fields["start_at"] and "24" in refused.value.fields["start_at"]
    assert count(session, OutageNotice) == 0
    outage = planned(session, setup, now, notice=24 * H, hours=12)
    assert outage.status == "scheduled" and outage.approved_by_id is None


def test_r25_long_outage_needs_48_hours_and_an_approver(session, setup, clock):
    now = clock.now()
    with pytest.raises(ValidationFailed) as refused:
        planned(session, setup, now, notice=47 * H, hours=13,
                approver_id=setup["supervisor"].id)
    assert "48" in refused.value.fields["start_at"]
    with pytest.raises(ValidationFailed) as unapproved:
        planned(session, setup, now, notice=72 * H, hours=13)
    assert "R25" in unapproved.value.fields["approver_id"]
    with pytest.raises(ValidationFailed) as bad_approver:
        planned(session, setup, now, notice=72 * H, hours=13, approver_id=setup["agent"].id)
    assert "approver_id" in bad_approver.value.fields
    outage = planned(session, setup, now, notice=48 * H, hours=13,
                     approver_id=setup["admin"].id)
    assert outage.approved_by_id == setup["admin"].id


def test_urgent_waives_r25_only_for_supervisors(session, setup, clock):
    now = clock.now()
    outage = planned(session, setup, now, notice=2 * H, hours=20, urgent=True)
    assert outage.urgent and outage.approved_by_id == setup["supervisor"].id
    with pytest.raises(Forbidden):
        planned(session, setup, now, notice=2 * H, hours=4, urgent=True, actor=setup["agent"])
    assert count(session, OutageNotice) == 1


def test_validation_of_times_areas_and_cause(session, setup, clock):
    now = clock.now()
    with pytest.raises(ValidationFailed) as refused:
        create_outage(session, setup["supervisor"], kind="emergency", area_ids=[],
                      start_at=now, expected_end_at=now - H, cause="  ", now=now)
    assert set(refused.value.fields) == {"areas", "cause", "expected_end_at"}
    with pytest.raises(ValidationFailed) as unknown:
        create_outage(session, setup["supervisor"], kind="flood", area_ids=[999999],
                      start_at=now, expected_end_at=now + H, cause="x", now=now)
    assert set(unknown.value.fields) == {"kind", "areas"}
    assert count(session, OutageNotice) == 0


def test_emergency_is_active_at_once_and_agents_are_notified(session, setup, clock):
    now = clock.now()
    outage = create_outage(session, setup["supervisor"], kind="emergency",
                           area_ids=[setup["area"].id], start_at=now - H,
                           expected_end_at=now + 3 * H, cause="主管爆裂", now=now)
    assert outage.status == "active"
    note = session.scalar(select(Notification))
    assert note.recipient_role == "agent" and note.link == f"/outages/{outage.id}"
    assert note.title == f"抢修停水：{setup['area'].name_zh}"  # the install's language


def test_status_changes_and_illegal_ones(session, setup, clock):
    now = clock.now()
    boss = setup["supervisor"]
    outage = planned(session, setup, now, notice=30 * H, hours=4)
    with pytest.raises(Conflict):
        restore_outage(session, outage, boss, now=now)
    start_outage(session, outage, boss, now=now)
    assert outage.status == "active" and outage.start_at == now
    with pytest.raises(Conflict):
        cancel_outage(session, outage, boss, now=now)
    restore_outage(session, outage, boss, now=now + H)
    assert outage.status == "restored" and outage.restored_at == now + H
    with pytest.raises(Conflict):
        update_outage(session, outage, boss, now=now, cause="x")
    other = planned(session, setup, now, notice=30 * H, hours=4)
    with pytest.raises(Forbidden):
        cancel_outage(session, other, setup["agent"], now=now)
    cancel_outage(session, other, boss, now=now)
    assert other.status == "cancelled"


def test_update_rechecks_r25_when_moving_a_scheduled_outage(session, setup, clock):
    now = clock.now()
    outage = planned(session, setup, now, notice=30 * H, hours=4)
    with pytest.raises(ValidationFailed) as refused:
        update_outage(session, outage, setup["supervisor"], now=now,
                      start_at=now + 5 * H, expected_end_at=now + 9 * H)
    assert "start_at" in refused.value.fields
    session.refresh(outage)
    assert outage.start_at == now + 30 * H
    update_outage(session, outage, setup["supervisor"], now=now, cause="改为检修泵房",
                  area_ids=[setup["area"].id, setup["other"].id])
    assert outage.cause == "改为检修泵房" and len(outage.areas) == 2


def test_progress_notes_r26(session, setup, clock):
    now = clock.now()
    emergency = create_outage(session, setup["supervisor"], kind="emergency",
                              area_ids=[setup["area"].id], start_at=now,
                              expected_end_at=now + 3 * H, cause="爆管", now=now)
    add_progress_note(session, emergency, setup["agent"], "抢修队已到场", now=now)
    assert [u.note for u in emergency.updates] == ["抢修队已到场"]
    with pytest.raises(ValidationFailed):
        add_progress_note(session, emergency, setup["agent"], "  ", now=now)
    plan = planned(session, setup, now, notice=30 * H, hours=4)
    with pytest.raises(Forbidden):
        add_progress_note(session, plan, setup["agent"], "不该由话务员登记", now=now)
    add_progress_note(session, plan, setup["supervisor"], "已通知物业", now=now)
    assert count(session, OutageUpdate) == 2


def test_clock_job_activates_due_outages(session, setup, clock):
    now = clock.now()
    soon = planned(session, setup, now, notice=24 * H, hours=4)
    later = planned(session, setup, now, notice=30 * H, hours=4)
    session.commit()
    assert activate_due_outages(session, now + 25 * H) == [soon.id]
    assert (soon.status, later.status) == ("active", "scheduled")
    assert activate_due_outages(session, now + 25 * H) == []


def test_area_query(session, setup, clock):
    now = clock.now()
    here = planned(session, setup, now, notice=30 * H, hours=4)
    create_outage(session, setup["supervisor"], kind="emergency", area_ids=[setup["other"].id],
                  start_at=now, expected_end_at=now + H, cause="别处", now=now)
    far = planned(session, setup, now, notice=30 * 24 * H, hours=4)
    found = active_or_upcoming(session, setup["area"].id, now)
    assert [o.id for o in found] == [here.id]
    assert far.id not in {o.id for o in active_or_upcoming(session, setup["area"].id, now)}
    assert active_or_upcoming(session, setup["area"].id, now + 40 * H) == []


# API -------------------------------------------------------------------------------------

def auth(token):
    return {"Authorization": f"Bearer {token}"}


def payload(clock, **kw):
    start = clock.now() + 30 * H
    body = {"kind": "planned", "areas": ["CD"], "start_at": start.isoformat(),
            "expected_end_at": (start + 4 * H).isoformat(), "cause": "管网改造"}
    body.update(kw)
    return body


def test_api_create_and_query_by_area_and_time(client, session, setup, clock):
    token = make_token(session, setup["supervisor"], clock.now())
    session.commit()
    created = client.post("/api/v1/outages", json=payload(clock), headers=auth(token))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["status"] == "scheduled" and body["areas"][0]["code"] == "CD"
    at = (clock.now() + 31 * H).isoformat()
    found = client.get("/api/v1/outages", query_string={"area": "CD", "at": at},
                       headers=auth(token))
    assert [o["id"] for o in found.get_json()] == [body["id"]]
    assert client.get("/api/v1/outages", query_string={"area": "CX", "at": at},
                      headers=auth(token)).get_json() == []
    assert client.get("/api/v1/outages?status=active", headers=auth(token)).get_json() == []


@pytest.mark.parametrize("change, field", [
    ({"kind": "drought"}, "kind"),
    ({"areas": []}, "areas"),
    ({"areas": ["NOPE"]}, "areas"),
    ({"cause": ""}, "cause"),
    ({"start_at": "2026-11-26T10:00:00"}, "start_at"),       # naive: refused
    ({"expected_end_at": "yesterday"}, "expected_end_at"),
    ({"approver_id": "x"}, "approver_id"),
])
def test_api_bad_payloads_are_422_with_fields_and_write_nothing(client, session, setup, clock,
                                                                 change, field):
    token = make_token(session, setup["supervisor"], clock.now())
    session.commit()
    response = client.post("/api/v1/outages", json=payload(clock, **change), headers=auth(token))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert count(session, OutageNotice) == 0


def test_api_r25_refusal_names_the_rule(client, session, setup, clock):
    token = make_token(session, setup["supervisor"], clock.now())
    session.commit()
    start = clock.now() + 2 * H
    response = client.post("/api/v1/outages", headers=auth(token), json=payload(
        clock, start_at=start.isoformat(), expected_end_at=(start + H).isoformat()))
    assert response.status_code == 422
    assert "R25" in response.get_json()["error"]["fields"]["start_at"]
    assert count(session, OutageNotice) == 0


def test_api_create_is_for_supervisors_and_admins(client, session, setup, clock):
    token = make_token(session, setup["agent"], clock.now())
    session.commit()
    response = client.post("/api/v1/outages", json=payload(clock), headers=auth(token))
    assert response.status_code == 403
    assert count(session, OutageNotice) == 0
    assert client.get("/api/v1/outages", headers=auth(token)).status_code == 200


# Console ---------------------------------------------------------------------------------

def test_console_create_refused_then_saved(client, session, setup, clock, login_as):
    login_as(setup["supervisor"])
    page = client.get("/outages/new")
    assert page.status_code == 200
    token = csrf_token_from(page.get_data(as_text=True))
    form = {"csrf_token": token, "kind": "planned", "areas": [str(setup["area"].id)],
            "start_at": "2026-11-24T15:00", "expected_end_at": "2026-11-24T18:00",
            "cause": "更换水表", "extent": "", "approver_id": "0"}
    refused = client.post("/outages/new", data=form)
    assert refused.status_code == 422
    assert "R25" in refused.get_data(as_text=True)
    assert count(session, OutageNotice) == 0
    form.update(start_at="2026-11-25T15:00", expected_end_at="2026-11-25T18:00")
    saved = client.post("/outages/new", data=form)
    assert saved.status_code == 302
    outage = session.scalar(select(OutageNotice))
    # 15:00 Asia/Shanghai is 07:00 UTC
    assert outage.start_at.hour == 7 and outage.status == "scheduled"


def test_console_without_csrf_changes_nothing(client, session, setup, clock, login_as):
    login_as(setup["supervisor"])
    response = client.post("/outages/new", data={
        "kind": "emergency", "areas": [str(setup["area"].id)], "start_at": "2026-11-24T09:00",
        "expected_end_at": "2026-11-24T18:00", "cause": "爆管"})
    assert response.status_code == 400
    assert count(session, OutageNotice) == 0


def test_console_note_and_restore(client, session, setup, clock, login_as):
    now = clock.now()
    outage = create_outage(session, setup["supervisor"], kind="emergency",
                           area_ids=[setup["area"].id], start_at=now,
                           expected_end_at=now + 3 * H, cause="爆管", now=now)
    session.commit()
    login_as(setup["agent"])
    page = client.get(f"/outages/{outage.id}").get_data(as_text=True)
    assert "爆管" in page
    token = csrf_token_from(page)
    assert client.post(f"/outages/{outage.id}/notes",
                       data={"csrf_token": token, "note": "已关闸"}).status_code == 302
    assert client.post(f"/outages/{outage.id}/restore",
                       data={"csrf_token": token}).status_code == 403
    assert client.get("/outages/new").status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login_as(setup["supervisor"])
    token = csrf_token_from(client.get(f"/outages/{outage.id}").get_data(as_text=True))
    assert client.post(f"/outages/{outage.id}/restore",
                       data={"csrf_token": token}).status_code == 302
    session.expire_all()
    restored = session.get(OutageNotice, outage.id)
    assert restored.status == "restored" and [u.note for u in restored.updates] == ["已关闸"]
    listing = client.get("/outages?status=restored").get_data(as_text=True)
    assert f"/outages/{outage.id}" in listing


def test_console_edit(client, session, setup, clock, login_as):
    now = clock.now()
    outage = create_outage(session, setup["supervisor"], kind="planned",
                           area_ids=[setup["area"].id], start_at=now + 30 * H,
                           expected_end_at=now + 34 * H, cause="检修", now=now)
    session.commit()
    login_as(setup["admin"])
    page = client.get(f"/outages/{outage.id}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="2026-11-25T16:00"' in html  # local time in the form
    response = client.post(f"/outages/{outage.id}/edit", data={
        "csrf_token": csrf_token_from(html), "kind": "planned",
        "areas": [str(setup["other"].id)], "start_at": "2026-11-25T16:00",
        "expected_end_at": "2026-11-25T22:00", "cause": "检修泵房", "approver_id": "0"})
    assert response.status_code == 302
    session.expire_all()
    edited = session.get(OutageNotice, outage.id)
    assert edited.cause == "检修泵房" and [a.code for a in edited.areas] == ["CX"]
    assert edited.expected_end_at == now + 36 * H


def test_staff_see_outages(client, session, setup, login_as, clock):
    staff = make_user(session, role="staff", department=make_department(session))
    create_outage(session, setup["supervisor"], kind="emergency", area_ids=[setup["area"].id],
                  start_at=clock.now(), expected_end_at=clock.now() + H, cause="停电停水",
                  now=clock.now())
    session.commit()
    login_as(staff)
    assert "停电停水" in client.get("/outages").get_data(as_text=True)
    assert "停电停水" in client.get("/").get_data(as_text=True)


def test_api_query_with_unknown_area_or_status_is_422(client, session, setup, clock):
    token = make_token(session, setup["agent"], clock.now())
    session.commit()
    unknown = client.get("/api/v1/outages?area=NOPE", headers=auth(token))
    assert unknown.status_code == 422 and "area" in unknown.get_json()["error"]["fields"]
    status = client.get("/api/v1/outages?status=flooded", headers=auth(token))
    assert status.status_code == 422 and "status" in status.get_json()["error"]["fields"]
    naive = client.get("/api/v1/outages?at=2026-11-24T10:00:00", headers=auth(token))
    assert naive.status_code == 422 and "at" in naive.get_json()["error"]["fields"]
