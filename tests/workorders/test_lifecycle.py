"""From a call to closure, per category family (R7–R12, R14, R15, R20, R22, R23)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.auth.models import User
from hotline.errors import ValidationFailed
from hotline.notifications.models import Notification
from hotline.telephony.models import OutboxMessage
from sla.clocks import clocks_of
from workorders.models import FollowUp, WorkOrderEvent
from workorders.services.actions import perform
from workorders.services.queries import events_of


def _clock(session, order, kind):
    rows = [r for r in clocks_of(session, order.subject) if r.kind == kind]
    return rows[-1] if rows else None


def _actions(session, order):
    return [e.action for e in events_of(session, order) if e.action != "deadline"]


def test_leak_goes_to_area_maintenance_and_closes_after_satisfied_follow_up(
        session, world, create, act, clock):
    order = create()
    assert order.number == "WO-20261124-0001"
    assert order.status == "dispatched"
    assert order.department_id == world.maint_north.id  # R7: the caller's area
    assert order.owner_id == world.agent.id  # R20
    assert "R7" in order.routed_by
    # R14 accept clock and R16 on-site clock (urban: 20 min) are running.
    assert _clock(session, order, "accept").due_at == clock.now() + timedelta(minutes=20)
    assert _clock(session, order, "on_site").due_at == clock.now() + timedelta(minutes=20)
    sms = session.scalars(select(OutboxMessage)).all()
    assert [m.to_number for m in sms] == ["+8613912345678"]
    assert order.number in sms[0].body

    clock.advance(minutes=5)
    act(world.fixer, order, "accept")
    assert order.status == "accepted" and order.assignee_id == world.fixer.id
    assert _clock(session, order, "accept").state == "met"
    clock.advance(minutes=10)
    act(world.fixer, order, "arrive")
    assert order.status == "in_progress"
    assert _clock(session, order, "on_site").state == "met"
    act(world.fixer, order, "resolve", result="更换阀门，已恢复")
    assert order.status == "resolved"
    assert _clock(session, order, "follow_up").state == "running"  # R23
    assert session.scalar(select(Notification).where(
        Notification.kind == "follow_up", Notification.recipient_user_id == world.agent.id))
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=5, quality=5,
        timeliness=4, result_score=5)
    assert order.status == "closed" and order.satisfaction == "satisfied"
    assert _clock(session, order, "follow_up").state == "met"
    assert _actions(session, order) == ["created", "sms_queued", "dispatch", "accept",
                                        "arrive", "resolve", "sms_queued", "follow_up"]
    assert not [c for c in clocks_of(session, order.subject) if c.state == "running"]


def test_leak_in_area_without_maintenance_falls_back_to_city_wide(session, world, create):
    order = create(area_id=world.east.id)
    assert order.department_id == world.maint_city.id
    assert "city_wide" in order.routed_by


def test_water_quality_goes_to_the_lab_with_four_hour_on_site_clock(
        session, world, create, act, clock):
    order = create(category="water_quality", description="自来水发黄")
    assert order.department_id == world.lab.id  # R9
    assert _clock(session, order, "on_site").due_at == clock.now() + timedelta(hours=4)  # R17
    act(world.chemist, order, "accept")
    act(world.chemist, order, "arrive")
    act(world.chemist, order, "resolve", result="取样合格")
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=4, quality=4,
        timeliness=4, result_score=4)
    assert order.status == "closed"


def test_theft_goes_to_enforcement_with_return_and_redispatch(
        session, world, create, act, clock):
    order = create(category="water_theft", description="邻居私接水管")
    assert order.department_id == world.enforcement.id  # R11
    act(world.warden, order, "return", reason="不属于我队辖区")
    assert order.status == "returned" and order.return_reason == "不属于我队辖区"
    assert _clock(session, order, "accept").state == "cancelled"
    # The hotline re-dispatches (here back by routing); a new 20-minute accept clock starts.
    clock.advance(minutes=30)
    act(world.supervisor, order, "dispatch", department_id=world.enforcement.id)
    assert order.status == "dispatched"
    accept = _clock(session, order, "accept")
    assert accept.state == "running" and accept.due_at == clock.now() + timedelta(minutes=20)
    act(world.warden, order, "accept")
    act(world.warden, order, "start")
    act(world.warden, order, "resolve", result="已查处，补缴水费")
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=5, quality=5,
        timeliness=5, result_score=5)
    assert order.status == "closed"
    assert "return" in _actions(session, order)
    assert _actions(session, order).count("dispatch") == 2


def test_billing_dispute_goes_to_area_billing_with_awaiting_customer(
        session, world, create, act, clock):
    order = create(category="billing_dispute", account_id=world.customer.id,
                   contact_name="", street="", house_number="", landmark="",
                   description="本月水费异常")
    assert order.department_id == world.billing_north.id  # R8
    assert order.contact_name == "王小明" and order.street == "解放路"  # from the file (R30)
    act(world.biller, order, "accept")
    act(world.biller, order, "request_info", reason="请提供上月缴费凭证")
    assert order.status == "awaiting_customer"
    resolve_clock = _clock(session, order, "resolve")
    assert resolve_clock.state == "paused"  # R22
    clock.advance(days=2)
    act(world.agent, order, "material_received", text="客户已发来凭证")
    assert order.status == "in_progress"
    assert _clock(session, order, "resolve").state == "running"
    act(world.biller, order, "resolve", result="已核实并退费")
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=5, quality=4,
        timeliness=4, result_score=5)
    assert order.status == "closed"


def test_complaint_to_customer_service_unsatisfied_follow_up_reopens(
        session, world, create, act, clock):
    order = create(category="complaint", description="抄表员态度恶劣", confidential=True)
    assert order.department_id == world.cs.id  # R10
    assert _clock(session, order, "respond").due_at == clock.now() + timedelta(hours=4)
    act(world.clerk, order, "accept")
    act(world.clerk, order, "start")
    assert _clock(session, order, "respond").state == "met"
    act(world.clerk, order, "resolve", result="已批评教育")
    act(world.agent, order, "follow_up", outcome="unreachable")
    assert order.status == "resolved" and order.follow_up_attempts == 1
    clock.advance(hours=2)
    act(world.agent, order, "follow_up", outcome="unsatisfied", attitude=2, quality=2,
        timeliness=3, result_score=1, text="没有人上门道歉")
    # R12: back to the same department with the customer's words.
    assert order.status == "reopened" and order.reopen_count == 1
    assert order.department_id == world.cs.id
    assert _clock(session, order, "accept").state == "running"
    reopened = [e for e in events_of(session, order) if e.action == "follow_up"][-1]
    assert reopened.note == "没有人上门道歉" and reopened.to_status == "reopened"
    assert session.scalar(select(Notification).where(
        Notification.department_id == world.cs.id, Notification.body == "没有人上门道歉"))
    act(world.clerk2, order, "accept")
    act(world.clerk2, order, "resolve", result="班长上门道歉")
    act(world.agent, order, "follow_up", outcome="satisfied", attitude=5, quality=5,
        timeliness=4, result_score=5)
    assert order.status == "closed"
    assert [f.outcome for f in session.scalars(select(FollowUp).where(
        FollowUp.order_id == order.id).order_by(FollowUp.id))] == [
        "unreachable", "unsatisfied", "satisfied"]


def test_merge_and_all_callers_notified_when_master_resolves(
        session, world, create, act, clock):
    master = create(description="主干管爆裂")
    duplicate = create(contact_phone="+8613700000001", contact_name="赵六",
                       description="同一处爆管")
    act(world.agent2, duplicate, "merge", master_number=master.number)
    assert duplicate.status == "merged" and duplicate.master_id == master.id
    assert not [c for c in clocks_of(session, duplicate.subject) if c.state == "running"]
    act(world.fixer, master, "accept")
    act(world.fixer, master, "resolve", result="管道已修复")
    texts = {m.to_number: m.body for m in session.scalars(select(OutboxMessage))
             if "已办结" in m.body}
    assert set(texts) == {"+8613912345678", "+8613700000001"}
    assert duplicate.number in texts["+8613700000001"]


def test_general_enquiry_is_closed_on_the_call(session, world, create):
    order = create(category="general_enquiry", answer="水价为每吨3.2元")
    assert order.status == "closed" and order.department_id is None  # R6
    assert not clocks_of(session, order.subject)


def test_extension_requested_and_approved(session, world, create, act, clock):
    order = create(category="complaint", description="安装质量差")
    act(world.clerk, order, "accept")
    resolve_due = _clock(session, order, "resolve").due_at
    new_due = resolve_due + timedelta(days=3)
    act(world.clerk, order, "request_extension", reason="需厂家配合", new_due=new_due,
        kind="resolve")
    assert order.extension_due == new_due
    act(world.supervisor, order, "approve_extension")
    assert _clock(session, order, "resolve").due_at == new_due  # R15
    assert order.extension_due is None
    assert any("预计完成时间" in m.body for m in session.scalars(select(OutboxMessage)))


def test_a_refused_action_undoes_only_itself_and_the_caller_commits(
        session, world, create, act, clock, ctx):
    # Services never roll back: a refusal half-way through an action (R15: the new time is
    # in the past) undoes that action in a savepoint, its event included; whatever else the
    # caller did in the transaction stays, and the caller decides to commit.
    order = create(category="complaint", description="安装质量差")
    act(world.clerk, order, "accept")
    version = order.version
    world.agent.display_name = "改过的名字"
    with pytest.raises(ValidationFailed):
        perform(session, user=world.clerk, number=order.number, action="request_extension",
                version=version, now=clock.now(), ctx=ctx,
                params={"reason": "需厂家配合", "kind": "resolve",
                        "new_due": clock.now() - timedelta(hours=1)})
    session.commit()
    session.expire_all()
    assert session.get(User, world.agent.id).display_name == "改过的名字"
    assert order.version == version and order.extension_due is None
    assert "request_extension" not in _actions(session, order)


def test_owner_chases_the_department(session, world, create, act):
    order = create()
    act(world.agent, order, "chase", text="客户再次来电")
    assert session.scalar(select(Notification).where(
        Notification.kind == "chase", Notification.department_id == world.maint_north.id))
    assert "chase" in _actions(session, order)


def test_backup_covers_absent_colleague_department(session, world, create, act):
    # R29: fixer is absent and names the city crew member as backup.
    world.fixer.backup_user_id = world.city_fixer.id
    world.fixer.absent = True
    session.commit()
    order = create()
    act(world.city_fixer, order, "accept")
    assert order.assignee_id == world.city_fixer.id


def test_every_event_is_recorded_with_actor(session, world, create, act):
    order = create()
    act(world.fixer, order, "accept")
    events = session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id)).all()
    assert all(e.at is not None for e in events)
    accept = [e for e in events if e.action == "accept"][0]
    assert accept.actor_id == world.fixer.id
    assert (accept.from_status, accept.to_status) == ("dispatched", "accepted")
    deadline_ops = [e.payload["op"] for e in events if e.action == "deadline"]
    assert deadline_ops == ["started", "started", "met"]


@pytest.mark.parametrize("category", ["leak", "no_water"])
def test_voicemail_with_unknown_address_is_flagged_for_an_agent(
        session, world, clock, category, ctx):
    from workorders.services.lookup import open_from_voicemail, status_for_caller

    order = open_from_voicemail(session, caller="+8613612345678",
                                recording_url="https://rec/1", transcription="家里没水了",
                                category=category, call_sid="CA9", account_id=None,
                                area_id=None, now=clock.now(), ctx=ctx)
    session.commit()
    assert order.channel == "voicemail" and order.status == "new"
    # ... and "listen and complete" (issue 11.5): the machine's words are only a draft.
    assert set(order.missing_details.split(",")) == {"contact_name", "street",
                                                     "house_number", "area_id", "landmark",
                                                     "description"}
    assert session.scalar(select(Notification).where(Notification.recipient_role == "agent"))
    status = status_for_caller(session, order.number.replace("WO-", "").replace("-", ""))
    assert status.status == "new" and status.department_name_zh is None


def test_a_spoken_draft_fills_the_voicemail_order_once(session, world, clock, ctx):
    """Issue 11.5: what a machine heard (SpeechResult, a late transcription) is a draft
    description, written once and never over an agent's words; the order stays flagged."""
    from workorders.models import WorkOrderEvent
    from workorders.services.lookup import add_spoken_draft, open_from_voicemail

    order = open_from_voicemail(session, caller="+8613612345678", recording_url="https://rec/2",
                                transcription="", category="leak", call_sid="CA12",
                                account_id=None, area_id=None, now=clock.now(), ctx=ctx)
    assert order.description == "" and order.recording_url == "https://rec/2"
    assert add_spoken_draft(session, order.number, " 楼道水管漏水 ", now=clock.now()) is True
    assert order.description == "楼道水管漏水"
    # A replayed callback, an empty text or an unknown order change nothing.
    assert add_spoken_draft(session, order.number, "别的", now=clock.now()) is False
    assert add_spoken_draft(session, order.number, "", now=clock.now()) is False
    assert add_spoken_draft(session, "WO-2099-99999", "x", now=clock.now()) is False
    session.commit()
    assert order.description == "楼道水管漏水" and "description" in order.missing_details
    notes = session.scalars(select(WorkOrderEvent).where(
        WorkOrderEvent.order_id == order.id, WorkOrderEvent.action == "note")).all()
    assert [n.payload for n in notes] == [{"draft": "speech"}]


def test_the_listen_flag_stays_until_an_agent_fills_the_description(session, world, clock,
                                                                   act, ctx):
    """Issue 11.5: a voicemail order is flagged "listen and complete" on the desk until an
    agent fills the description; other details do not clear it, and a draft kept as it is
    counts once the agent submits it."""
    from hotline.errors import ValidationFailed
    from workorders.services.lookup import add_spoken_draft, open_from_voicemail

    order = open_from_voicemail(session, caller="+8613912345678", recording_url="https://r",
                                transcription="", category="leak", call_sid="CA13",
                                account_id=world.customer.id, area_id=None, now=clock.now(),
                                ctx=ctx)
    session.commit()
    assert order.missing_details == "description" and order.status == "dispatched"
    add_spoken_draft(session, order.number, "楼下爆管", now=clock.now())
    session.commit()
    act(world.agent, order, "update_details", landmark="超市旁")
    assert order.missing_details == "description"  # still to listen to
    act(world.agent, order, "update_details", description="楼下爆管")  # the draft, confirmed
    assert order.missing_details == "" and order.description == "楼下爆管"
    with pytest.raises(ValidationFailed):  # nothing left to confirm: no change
        act(world.agent, order, "update_details", description="楼下爆管")


def test_voicemail_from_known_account_is_dispatched(session, world, clock, ctx):
    from workorders.services.lookup import open_from_voicemail, status_for_caller

    order = open_from_voicemail(session, caller="+8613912345678", recording_url="https://r",
                                transcription="漏水", category="leak", call_sid="CA10",
                                account_id=world.customer.id, area_id=None, now=clock.now(),
                                ctx=ctx)
    session.commit()
    assert order.status == "dispatched" and order.department_id == world.maint_north.id
    assert order.missing_details == "description"  # an agent listens and completes it
    status = status_for_caller(session, order.number)
    assert status.department_name_zh == world.maint_north.name_zh
    assert status.due_at == clock.now() + timedelta(minutes=20)  # the on-site clock
    assert status_for_caller(session, "WO-1") is None


def test_agent_completes_details_then_order_is_dispatched(session, world, clock, act, ctx):
    from workorders.services.lookup import open_from_voicemail

    order = open_from_voicemail(session, caller="+8613612345678", recording_url="",
                                transcription="漏水", category="leak", call_sid="CA11",
                                account_id=None, area_id=None, now=clock.now(), ctx=ctx)
    session.commit()
    act(world.agent, order, "update_details", contact_name="钱七", street="中山路",
        house_number="3号", landmark="超市旁", area_id=world.north.id)
    assert order.missing_details == "description"  # R4 complete; the recording still waits
    assert order.status == "dispatched" and order.department_id == world.maint_north.id


def test_events_are_append_only(session, world, create):
    create()
    event = session.scalar(select(WorkOrderEvent))
    event.note = "rewritten"
    with pytest.raises(PermissionError):
        session.flush()
    session.rollback()
    with pytest.raises(PermissionError):
        session.delete(session.scalar(select(WorkOrderEvent)))
        session.flush()
    session.rollback()


def test_desk_answers_the_ivr_protocol(session, world, clock):
    from types import SimpleNamespace

    from workorders.desk import WorkOrderDesk

    desk = WorkOrderDesk()
    report = SimpleNamespace(caller="+8613912345678", recording_url="https://rec/9",
                             transcription="楼下爆管", category="leak", call_sid="CA99",
                             account_id=world.customer.id, area_id=None)
    number = desk.log_voicemail(session, report, now=clock.now())
    session.commit()
    status = desk.status(session, number.replace("-", ""))
    assert status.number == number and status.status == "dispatched"
    assert status.department_name_en == world.maint_north.name_en
    # R27: the caller's number or the last 4 digits of the contact's / account's phone.
    key = number.replace("-", "")
    assert desk.is_holder(session, key, caller="+8613912345678")
    assert desk.is_holder(session, key, caller="13912345678")
    assert not desk.is_holder(session, key, caller="+8613700000000")
    assert desk.is_holder(session, key, last_digits="5678")
    assert not desk.is_holder(session, key, last_digits="1234")
    assert not desk.is_holder(session, key, last_digits="")
    assert not desk.is_holder(session, "999999999", caller="+8613912345678")


def test_queue_sorts_by_the_earliest_running_deadline(session, world, create, act, clock):
    from workorders.services.queries import department_queue

    complaint_like = create(category="low_pressure")  # no on-site clock: due in 5 days
    act(world.fixer2, complaint_like, "accept")  # its 20-minute accept clock is met
    leak = create()  # on site within 20 minutes (R16)
    assert leak.next_due_at == clock.now() + timedelta(minutes=20)
    rows, total = department_queue(session, world.fixer, now=clock.now())
    assert [o.number for o in rows] == [leak.number, complaint_like.number]
    act(world.fixer, leak, "accept")
    act(world.fixer, leak, "arrive")
    act(world.fixer, leak, "resolve", result="ok")
    assert leak.next_due_at == clock.now() + timedelta(hours=24)  # the follow-up (R23)
    act(world.agent, leak, "follow_up", outcome="satisfied", attitude=5, quality=5,
        timeliness=5, result_score=5)
    assert leak.next_due_at is None


def test_queue_pages_put_orders_without_running_clock_last(session, world, create, act):
    from workorders.services.queries import Filters, search

    waiting = create(category="low_pressure")
    act(world.fixer, waiting, "accept")
    act(world.fixer, waiting, "request_info", reason="请提供照片")  # R22: clocks paused
    assert waiting.next_due_at is None
    first, second = create(), create()
    pages = [search(session, world.fixer, Filters(open_only=True), now=first.opened_at,
                    page=p, per_page=1, order="due") for p in (1, 2, 3, 4)]
    assert [[o.number for o in rows] for rows, _ in pages] == [
        [first.number], [second.number], [waiting.number], []]
    assert {total for _, total in pages} == {3}
