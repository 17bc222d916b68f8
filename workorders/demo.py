"""Demo work orders for `hotline demo load`: a few dozen orders in every status across the
categories, made from whatever areas, departments, users and customers exist. Idempotent:
a second run adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import Area, CustomerAccount
from sla.settings import SlaContext, current_context
from workorders.models import WorkOrder
from workorders.services.actions import perform
from workorders.services.create import NewOrder, open_work_order

DEMO_SID = "CADEMO"
CATEGORIES = ("leak", "no_water", "low_pressure", "water_quality", "billing_dispute",
              "water_theft", "complaint", "enquiry", "connection")
DESCRIPTIONS = {
    "leak": "小区门口路面冒水", "no_water": "家中突然停水", "low_pressure": "楼上水压很低",
    "water_quality": "自来水发黄有异味", "billing_dispute": "本月水费比平时高很多",
    "water_theft": "附近工地疑似私接消防栓用水", "complaint": "抄表员态度不好",
    "enquiry": "想了解阶梯水价如何计算", "connection": "新建商铺申请接水",
}
# What happens to the i-th order after it is opened (cycled).
STORIES = (
    (), ("accept",), ("accept", "start"), ("accept", "arrive", "resolve"),
    ("accept", "start", "resolve", "satisfied"), ("accept", "resolve", "unsatisfied"),
    ("return",), ("accept", "request_info"), ("accept", "resolve", "unreachable"),
)


def load_demo_orders(session: Session, now: datetime, count: int = 36) -> int:
    """Create the demo orders unless they exist; returns how many were created. Runs at the
    CLI boundary (`hotline demo load`): the zone and calendar come from the running app."""
    ctx = current_context(session)
    if session.scalar(select(func.count()).select_from(WorkOrder).where(
            WorkOrder.call_sid.like(f"{DEMO_SID}%"))):
        return 0
    areas = list(session.scalars(select(Area).order_by(Area.id)))
    agents = list(session.scalars(select(User).where(
        User.role.in_(roles.CUSTOMER_CONTACT), User.active.is_(True)).order_by(User.id)))
    if not areas or not agents:
        return 0
    supervisor = next((u for u in agents if u.role == "supervisor"), agents[0])
    customers = list(session.scalars(select(CustomerAccount).order_by(CustomerAccount.id)
                                     .limit(count)))
    created = 0
    for i in range(count):
        category = CATEGORIES[i % len(CATEGORIES)]
        opened = now - timedelta(hours=(count - i) * 3)
        agent = agents[i % len(agents)]
        customer = customers[i % len(customers)] if customers else None
        area = customer.area if customer else areas[i % len(areas)]
        data = NewOrder(
            category=category, description=DESCRIPTIONS[category],
            contact_name=customer.name if customer else f"演示来电人{i + 1}",
            contact_phone=(customer.phones[0].e164 if customer and customer.phones
                           else f"+861390000{i:04d}"),
            account_id=customer.id if customer else None, area_id=area.id,
            street="" if customer else "演示路", house_number="" if customer else f"{i + 1}号",
            landmark="" if customer else "演示公园旁", call_sid=f"{DEMO_SID}{i:04d}",
            confidential=category == "complaint" and i % 2 == 0)
        order = open_work_order(session, data, actor=agent, channel="phone", now=opened, ctx=ctx)
        created += 1
        if order.status != "dispatched":
            continue
        _play(session, order, STORIES[i % len(STORIES)], agent, supervisor, opened, ctx)
    # A duplicate merged into the first leak, a cancelled order and an enquiry answered on
    # the call.
    first_leak = session.scalar(select(WorkOrder).where(
        WorkOrder.call_sid.like(f"{DEMO_SID}%"), WorkOrder.category_code == "leak",
        WorkOrder.status == "dispatched").order_by(WorkOrder.id))
    extras = [("leak", "同一处漏水，邻居也来电", first_leak.number if first_leak else ""),
              ("general_enquiry", "询问停水通知", ""), ("no_water", "已自行恢复", "")]
    for j, (category, text, master) in enumerate(extras):
        area = areas[j % len(areas)]
        order = open_work_order(session, NewOrder(
            category=category, description=text, contact_name=f"演示来电人X{j}",
            contact_phone=f"+861380000{j:04d}", area_id=area.id, street="演示路",
            house_number=f"{90 + j}号", landmark="演示公园旁", call_sid=f"{DEMO_SID}X{j}",
            master_number=master,
            answer="明日9时至17时计划停水，请提前储水" if category == "general_enquiry" else ""),
            actor=supervisor, channel="phone", now=now - timedelta(hours=2), ctx=ctx)
        created += 1
        if category == "no_water" and order.status == "dispatched":
            _do(session, supervisor, order, "cancel", now - timedelta(hours=1), ctx,
                reason="客户来电告知已恢复供水")
    session.flush()
    return created


def _staff_for(session: Session, order: WorkOrder, fallback: User) -> User:
    staff = session.scalar(select(User).where(User.department_id == order.department_id,
                                              User.role == "staff", User.active.is_(True))
                           .order_by(User.id))
    return staff or fallback


def _do(session: Session, user: User, order: WorkOrder, action: str, at: datetime,
        ctx: SlaContext, **params):
    perform(session, user=user, number=order.number, action=action, version=order.version,
            params=params, now=at, ctx=ctx)


def _play(session, order, story, agent, supervisor, opened, ctx):
    staff = _staff_for(session, order, supervisor)
    at = opened
    for step in story:
        at += timedelta(minutes=15)
        if step == "accept":
            _do(session, staff, order, "accept", at, ctx)
        elif step == "start":
            _do(session, staff, order, "start", at, ctx)
        elif step == "arrive":
            _do(session, staff, order, "arrive", at, ctx)
        elif step == "resolve":
            _do(session, staff, order, "resolve", at, ctx, result="已处理完毕，恢复正常")
        elif step == "return":
            _do(session, staff, order, "return", at, ctx, reason="不属于本单位职责范围")
        elif step == "request_info":
            _do(session, staff, order, "request_info", at, ctx, reason="请客户提供近三个月缴费凭证")
        elif step == "satisfied":
            _do(session, agent, order, "follow_up", at, ctx, outcome="satisfied", attitude=5,
                quality=5, timeliness=4, result_score=5)
        elif step == "unsatisfied":
            _do(session, agent, order, "follow_up", at, ctx, outcome="unsatisfied", attitude=3,
                quality=2, timeliness=2, result_score=2, text="问题没有彻底解决，又出现了")
        elif step == "unreachable":
            _do(session, agent, order, "follow_up", at, ctx, outcome="unreachable")
