"""P4 on real orders, with the fixed clock and the clock's watch job: an overdue order gets a
reminder (催办) the working day after it falls due, and a written escalation (督办) to the
supervisors if it is still overdue 5 working days later."""

from __future__ import annotations

from sqlalchemy import select

from hotline.notifications.models import Notification
from sla.jobs import watch_deadlines
from tests.workorders.api_client import local


def notices(session, number, kind):
    session.expire_all()
    return [(n.recipient_role, n.department_id, n.recipient_user_id) for n in session.scalars(
        select(Notification).where(Notification.kind == kind,
                                   Notification.link == f"/workorders/{number}")
        .order_by(Notification.id))]


def run(session, app, *args):
    result = watch_deadlines(session, app, local(*args))
    session.commit()
    return result


def test_p4_reminder_next_working_day_then_escalation_five_working_days_later(
        api, app, session, world):
    # Two complaints opened Tue 24 Nov 10:00: the department must respond by 14:00 (R18).
    late = api.create(world.agent, category="complaint", description="态度差")["number"]
    fixed = api.create(world.agent, category="complaint", description="装表慢",
                       contact_phone="13700000001")["number"]
    for number in (late, fixed):
        assert api.act(world.clerk, number, "accept").status_code == 200
    cs = world.cs.id
    run(session, app, 2026, 11, 24, 14, 1)
    # The breach goes to the department and the owner, not yet to the supervisors.
    assert notices(session, late, "sla_breach") == [(None, cs, None),
                                                    (None, None, world.agent.id)]
    run(session, app, 2026, 11, 24, 23, 59)
    assert notices(session, late, "sla_reminder") == []
    result = run(session, app, 2026, 11, 25, 0, 0)  # Wed: the working day after
    assert result["reminders"] == 2
    assert notices(session, late, "sla_reminder") == [(None, cs, None)]
    assert run(session, app, 2026, 11, 25, 9, 0)["reminders"] == 0  # once
    # The department answers the second complaint on Thursday: no longer overdue.
    api_note = api.act(world.clerk, fixed, "note", text="已联系客户，明日上门")
    assert api_note.status_code == 200
    # Five working days after Wed 25 Nov: 26, 27, 30 Nov, 1, 2 Dec.
    assert run(session, app, 2026, 12, 1, 23, 59)["escalations"] == 0
    assert run(session, app, 2026, 12, 2, 0, 0)["escalations"] == 1
    assert notices(session, late, "sla_escalation") == [("supervisor", None, None),
                                                        (None, cs, None)]
    assert notices(session, fixed, "sla_escalation") == []
    supervisor = session.scalar(select(Notification).where(
        Notification.kind == "sla_escalation", Notification.recipient_role == "supervisor"))
    assert "督办" in supervisor.title and late in supervisor.title
    assert run(session, app, 2026, 12, 2, 9, 0)["escalations"] == 0  # once
    # Neither is resolved: both 5-working-day resolve clocks fell due at the end of Tue
    # 1 Dec, were reminded on Wed 2 Dec and are escalated on Wed 9 Dec.
    assert run(session, app, 2026, 12, 8, 23, 59)["escalations"] == 0
    assert run(session, app, 2026, 12, 9, 0, 0)["escalations"] == 2
