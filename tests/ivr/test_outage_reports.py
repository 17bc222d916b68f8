"""Issue 11 item 7: a no-water caller where an outage is running hears it and its expected
restoration, the report joins the outage (no crew, no order), and restoring the outage texts
each reporter once in their language, calling those who pressed 1."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hotline.outages.models import OutageNotice, OutageReport
from hotline.outages.services import restore_outage
from hotline.telephony.models import OutboxMessage
from ivr.models import Call
from tests.conftest import PUBLIC_URL
from tests.factories import make_area, make_customer, make_user
from tests.ivr.conftest import check_twiml

CALLER = "+8613912345678"
OTHER = "+8613800000002"


@pytest.fixture
def outage(session, clock):
    area = make_area(session, code="DX", name_zh="东城区", name_en="Dongcheng")
    for number, phone in (("100201", CALLER), ("100202", OTHER)):
        make_customer(session, area=area, phones=(phone,), account_number=number,
                      balance_due=Decimal("0"))
    now = clock.now()
    # T0 is 10:00 in Shanghai: water is expected back at 15:00 local time.
    notice = OutageNotice(kind="emergency", status="active", cause="main burst",
                          extent="", start_at=now - timedelta(hours=1),
                          expected_end_at=now + timedelta(hours=5), urgent=False,
                          created_at=now, updated_at=now, areas=[area])
    session.add(notice)
    session.commit()
    return notice


def _outbox(session, phone=None):
    session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if phone:
        stmt = stmt.where(OutboxMessage.to_number == phone)
    return list(session.scalars(stmt))


def _report(caller, lang="zh"):
    caller.request(f"/ivr/voice?lang={lang}")
    caller.press("4")
    return caller.press("2")


def test_no_water_caller_hears_the_outage_and_is_recorded_against_it(
        make_caller, session, clock, desk, outage):
    caller = make_caller(CALLER)
    step = _report(caller)
    assert step["type"] == "gather"
    assert caller.said("15点00分")
    assert caller.said("无需另派维修人员")
    caller.silence()  # no key: the SMS alone
    assert caller.next["type"] == "hangup" and caller.said("恢复供水后我们会给您发短信通知。")
    report = session.scalar(select(OutageReport))
    assert (report.outage_id, report.phone, report.language, report.wants_call,
            report.source) == (outage.id, CALLER, "zh", False, "ivr")
    assert desk.voicemails == []  # no order: no crew is sent
    call = session.scalar(select(Call).where(Call.call_sid == caller.sid))
    assert call.asked_at is None and call.queue_name == ""
    assert f"outage-report:{outage.id}" in call.ivr_path
    assert _outbox(session) == []  # nothing is sent before the restoration


def test_restoration_texts_each_reporter_once_and_calls_who_asked(
        make_caller, session, clock, desk, outage, twilio_post):
    english = make_caller(CALLER)
    _report(english, "en")
    english.press("1")  # a call as well
    assert english.said("We will text you and call you when water is back.")
    chinese = make_caller(OTHER)
    _report(chinese)
    chinese.silence()
    again = make_caller(OTHER)  # the same phone reports twice: still one report
    _report(again)
    again.silence()
    assert len(session.scalars(select(OutageReport)).all()) == 2
    boss = make_user(session, role="supervisor")
    clock.advance(timedelta(hours=3))  # 13:00 local
    notice = session.get(OutageNotice, outage.id)
    from zoneinfo import ZoneInfo
    restore_outage(session, notice, boss, now=clock.now(), zone=ZoneInfo("Asia/Shanghai"),
                   public_base=PUBLIC_URL)
    restore_outage(session, notice, boss, now=clock.now() + timedelta(minutes=5),
                   zone=ZoneInfo("Asia/Shanghai"), public_base=PUBLIC_URL)  # idempotent
    session.commit()
    sent_en = _outbox(session, CALLER)
    assert [m.channel for m in sent_en] == ["sms", "call"]
    assert "restored at" in sent_en[0].body and "13:00" in sent_en[0].body
    sent_zh = _outbox(session, OTHER)
    assert [m.channel for m in sent_zh] == ["sms"]
    assert "恢复供水" in sent_zh[0].body and "13:00" in sent_zh[0].body
    # The call's TwiML: signed, spoken in the reporter's language.
    url = urlsplit(sent_en[1].call_url)
    assert sent_en[1].call_url.startswith(PUBLIC_URL)
    path = f"{url.path}?{url.query}"
    assert twilio_post(path, {"CallSid": "CA9"}, signature="bad").status_code == 403
    response = twilio_post(path, {"CallSid": "CA9"})
    root = check_twiml(response.get_data(as_text=True))
    assert "restored at" in root.find("Say").text and root.find("Hangup") is not None


def test_a_caller_without_an_outage_still_leaves_a_message(make_caller, session, desk,
                                                           outage):
    outage.status = "restored"
    session.commit()
    caller = make_caller(CALLER)
    step = _report(caller, "en")
    assert step["type"] == "record"
    assert session.scalar(select(OutageReport)) is None
