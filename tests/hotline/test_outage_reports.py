"""Issue 11 item 7 in the console: an agent records a caller's no-water report against a
running outage, the outage page counts the reports, and the supervisor's restore texts the
reporters through the outbox (once, however often it is pressed)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.errors import Conflict, ValidationFailed
from hotline.outages.models import OutageReport
from hotline.outages.restoration import record_report
from hotline.outages.services import create_outage
from hotline.telephony.models import OutboxMessage
from tests.conftest import csrf_token_from
from tests.factories import make_area, make_user

H = timedelta(hours=1)


@pytest.fixture
def running(session, clock):
    area = make_area(session, code="CD")
    boss = make_user(session, role="supervisor", username="boss")
    agent = make_user(session, role="agent", username="ann")
    now = clock.now()
    outage = create_outage(session, boss, kind="emergency", area_ids=[area.id], start_at=now,
                           expected_end_at=now + 3 * H, cause="爆管", now=now)
    session.commit()
    return {"outage": outage, "boss": boss, "agent": agent}


def _count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def test_agent_records_a_report_and_the_page_counts_it(client, session, running, login_as):
    outage = running["outage"]
    login_as(running["agent"])
    page = client.get(f"/outages/{outage.id}").get_data(as_text=True)
    assert "0 条反映" in page and "登记来电反映" in page
    token = csrf_token_from(page)
    refused = client.post(f"/outages/{outage.id}/reports",
                          data={"csrf_token": token, "phone": "12", "language": "zh"})
    assert refused.status_code == 302 and _count(session, OutageReport) == 0
    assert "请填写有效的电话号码" in client.get(f"/outages/{outage.id}").get_data(as_text=True)
    for _ in range(2):  # the same caller twice: one report
        assert client.post(f"/outages/{outage.id}/reports",
                           data={"csrf_token": token, "phone": "13912345678",
                                 "language": "en", "wants_call": "y"}).status_code == 302
    page = client.get(f"/outages/{outage.id}").get_data(as_text=True)
    assert "1 条反映，其中 1 人要求恢复供水时来电通知" in page
    report = session.scalar(select(OutageReport))
    assert (report.phone, report.language, report.wants_call, report.source,
            report.reported_by_id) == ("+8613912345678", "en", True, "agent",
                                       running["agent"].id)
    assert _count(session, OutboxMessage) == 0


def test_console_restore_sends_once(client, session, running, login_as, clock):
    outage = running["outage"]
    record_report(session, outage, phone="+8613912345678", language="zh", source="ivr",
                  now=clock.now())
    session.commit()
    login_as(running["boss"])
    token = csrf_token_from(client.get(f"/outages/{outage.id}").get_data(as_text=True))
    for _ in range(2):  # a double click
        assert client.post(f"/outages/{outage.id}/restore",
                           data={"csrf_token": token}).status_code == 302
    messages = list(session.scalars(select(OutboxMessage)))
    assert [(m.channel, m.to_number) for m in messages] == [("sms", "+8613912345678")]
    assert "恢复供水" in messages[0].body and "10:00" in messages[0].body
    assert session.scalar(select(OutageReport)).notified_at is not None


def test_reports_need_a_running_outage(session, running, clock):
    outage = running["outage"]
    with pytest.raises(ValidationFailed) as refused:
        record_report(session, outage, phone="anonymous", language="fr", source="ivr",
                      now=clock.now())
    assert set(refused.value.fields) == {"phone", "language"}
    outage.status = "restored"
    with pytest.raises(Conflict):
        record_report(session, outage, phone="+8613912345678", language="zh",
                      source="ivr", now=clock.now())
