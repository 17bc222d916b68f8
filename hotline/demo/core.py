"""The core demo utility: areas, departments with staff and A/B backups (R29), one login per
role, 2,400 households (R30) and a few outages (R25, R26). Idempotent and deterministic."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.auth.services import hash_password
from hotline.demo.names import address, mobile, person_name
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department
from hotline.outages.models import OutageNotice
from hotline.outages.services import add_progress_note, create_outage, restore_outage

SEED = 2026
DEMO_PASSWORD = "hotline-demo"
CUSTOMERS_PER_AREA = 350
# A household every demo can look up: call in from this number to hear its own file.
KNOWN_CALLER = ("+8613800138000", "王建国")

# code, zh, en, kind, streets
AREAS = (
    ("CD", "城东区", "Chengdong District", "urban", ("解放东路", "建设路", "东风路", "朝阳路", "和平街", "东关巷")),
    ("CX", "城西区", "Chengxi District", "urban", ("解放西路", "西湖路", "文化路", "长青街", "西门巷", "工农路")),
    ("CN", "城南区", "Chengnan District", "urban", ("南环路", "人民南路", "育才路", "南园街", "车站大道", "新华巷")),
    ("CB", "城北区", "Chengbei District", "urban", ("北京路", "北环路", "红旗路", "铁路街", "北关巷", "光明路")),
    ("KFQ", "开发区", "Development Zone", "suburban", ("创业大道", "科技路", "工业一路", "工业二路", "兴业街")),
    ("QS", "青山县", "Qingshan County", "suburban", ("青山大道", "县前街", "河滨路", "农机路", "向阳巷")),
    ("LJ", "临江镇", "Linjiang Town", "suburban", ("临江路", "码头街", "老街", "渔港路", "新村路")),
)

# code, kind, area code (None = city-wide), zh, en
CITY_DEPARTMENTS = (
    ("WQ-LAB", "water_quality", None, "水质检测中心", "Water Quality Laboratory"),
    ("ENF", "enforcement", None, "用水稽查大队", "Water Use Enforcement Team"),
    ("CS", "customer_service", None, "客户服务中心", "Customer Service Centre"),
)

# username, role, department code, display name
ROLE_LOGINS = (
    ("agent", "agent", None, "话务员 陈静"),
    ("agent2", "agent", None, "话务员 刘洋"),
    ("staff", "staff", "MNT-CD", "城东抢修所 赵军"),
    ("supervisor", "supervisor", None, "值班长 孙丽"),
    ("admin", "admin", None, "系统管理员 周明"),
)


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)

    def count(self, what: str, n: int) -> None:
        self.created[what] = self.created.get(what, 0) + n


def departments() -> list[tuple[str, str, str | None, str, str]]:
    rows = []
    for code, zh, en, _kind, _streets in AREAS:
        rows.append((f"MNT-{code}", "maintenance", code, f"{zh}供水抢修所",
                     f"{en} Maintenance Branch"))
        rows.append((f"BIL-{code}", "billing", code, f"{zh}营业所", f"{en} Billing Office"))
    return rows + list(CITY_DEPARTMENTS)


def load_core(session: Session, now: datetime, zone: ZoneInfo) -> DemoReport:
    report = DemoReport()
    areas = _areas(session, report)
    depts = _departments(session, areas, report)
    users = _users(session, depts, now, report)
    _customers(session, areas, now, zone, report)
    _outages(session, areas, users, now, zone, report)
    return report


def _areas(session: Session, report: DemoReport) -> dict[str, Area]:
    existing = {a.code: a for a in session.scalars(select(Area))}
    for code, zh, en, kind, _streets in AREAS:
        if code not in existing:
            existing[code] = Area(code=code, name_zh=zh, name_en=en, kind=kind)
            session.add(existing[code])
            report.count("areas", 1)
    session.flush()
    return existing


def _departments(session: Session, areas: dict[str, Area],
                 report: DemoReport) -> dict[str, Department]:
    existing = {d.code: d for d in session.scalars(select(Department))}
    for code, kind, area_code, zh, en in departments():
        if code not in existing:
            existing[code] = Department(code=code, kind=kind, name_zh=zh, name_en=en,
                                        area=areas[area_code] if area_code else None)
            session.add(existing[code])
            report.count("departments", 1)
    session.flush()
    return existing


def _users(session: Session, depts: dict[str, Department], now: datetime,
           report: DemoReport) -> dict[str, User]:
    rng = random.Random(SEED)
    password_hash = hash_password(DEMO_PASSWORD)  # one scrypt for every demo login
    existing = {u.username: u for u in session.scalars(select(User))}
    new: set[str] = set()

    def ensure(username: str, role: str, dept: Department | None, name: str,
               phone: str = "") -> User:
        user = existing.get(username)
        if user is None:
            user = User(username=username, role=role, department=dept, display_name=name,
                        password_hash=password_hash, locale="zh_CN", phone=phone,
                        created_at=now, active=True, absent=False, failed_logins=0)
            session.add(user)
            existing[username] = user
            new.add(username)
            report.count("users", 1)
        return user

    for username, role, dept_code, name in ROLE_LOGINS:
        ensure(username, role, depts[dept_code] if dept_code else None, name)
        report.logins.append((username, role, dept_code or "", DEMO_PASSWORD))
    session.flush()
    # Two people per department, each the other's backup (R29 A/B cover); the first is the
    # 24-hour liaison (R14).
    for code, _kind, _area, _zh, _en in departments():
        dept = depts[code]
        pair = []
        for n in (1, 2):
            name, phone = person_name(rng), mobile(rng)
            pair.append(ensure(f"{code.lower()}-{n}", "staff", dept, name, phone))
        session.flush()
        first, second = pair
        if first.backup_user_id is None and second.backup_user_id is None:
            first.backup_user_id, second.backup_user_id = second.id, first.id
        if not dept.liaison_name:
            dept.liaison_name, dept.liaison_phone = first.display_name, first.phone
    demo_staff = existing["staff"]
    if demo_staff.backup_user_id is None:
        demo_staff.backup_user_id = existing["mnt-cd-1"].id
    # Someone is always away: the supervisor's home page shows who covers for them.
    if "mnt-cx-2" in new:
        existing["mnt-cx-2"].absent = True
    session.flush()
    return existing


def _customers(session: Session, areas: dict[str, Area], now: datetime, zone: ZoneInfo,
               report: DemoReport) -> None:
    rng = random.Random(SEED + 1)
    today = now.astimezone(zone).date()
    known = set(session.scalars(select(CustomerAccount.account_number)))
    accounts, phones = [], []
    for index, (code, _zh, _en, _kind, streets) in enumerate(AREAS):
        for n in range(1, CUSTOMERS_PER_AREA + 1):
            number = f"{11 + index}{n:06d}"
            name = person_name(rng)
            street, house, landmark = address(rng, streets)
            numbers = [mobile(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
            balance, bill_date, bill_amount = _billing(rng, today)
            if index == 0 and n == 1:
                numbers, name = [KNOWN_CALLER[0]], KNOWN_CALLER[1]
            if number in known:
                continue
            accounts.append({
                "account_number": number, "name": name, "street": street,
                "house_number": house, "landmark": landmark, "area_id": areas[code].id,
                "meter_number": f"M{code}{n:06d}", "balance_due": balance,
                "last_bill_date": bill_date, "last_bill_amount": bill_amount,
                "created_at": now, "updated_at": now})
            phones.append((number, sorted(set(numbers))))
    if not accounts:
        return
    session.execute(insert(CustomerAccount), accounts)
    ids = dict(session.execute(select(CustomerAccount.account_number, CustomerAccount.id).where(
        CustomerAccount.account_number.in_([a["account_number"] for a in accounts]))).all())
    session.execute(insert(CustomerPhone), [
        {"account_id": ids[number], "e164": e164} for number, numbers in phones
        for e164 in numbers])
    report.count("customers", len(accounts))


def _billing(rng: random.Random, today: date) -> tuple[Decimal, date | None, Decimal | None]:
    if rng.random() < 0.04:
        return Decimal("0.00"), None, None  # new connection, not billed yet
    bill_date = today.replace(day=1) - timedelta(days=rng.choice((0, 0, 0, 31, 61)))
    amount = Decimal(rng.randint(1800, 32000)) / 100
    roll = rng.random()
    if roll < 0.62:
        balance = Decimal("0.00")
    elif roll < 0.9:
        balance = amount
    elif roll < 0.97:
        balance = amount * rng.randint(2, 5)
    else:
        balance = -Decimal(rng.randint(500, 5000)) / 100  # prepaid credit
    return balance.quantize(Decimal("0.01")), bill_date.replace(day=rng.randint(1, 5)), amount


DEMO_OUTAGE_CAUSES = (
    "DN300供水主管爆裂，正在抢修",
    "二次供水泵房设备检修，计划停水",
    "DN200阀门更换（已恢复）",
)


def _outages(session: Session, areas: dict[str, Area], users: dict[str, User], now: datetime,
             zone: ZoneInfo, report: DemoReport) -> None:
    have = set(session.scalars(select(OutageNotice.cause).where(
        OutageNotice.cause.in_(DEMO_OUTAGE_CAUSES))))
    supervisor = users["supervisor"]
    burst, planned, valve = DEMO_OUTAGE_CAUSES
    if burst not in have:
        active = create_outage(
            session, supervisor, kind="emergency", area_ids=[areas["CX"].id],
            start_at=now - timedelta(hours=2), expected_end_at=now + timedelta(hours=4),
            cause=burst, extent="解放西路100号至300号、西湖路双号一侧", now=now)
        add_progress_note(session, active, users["mnt-cx-1"],
                          "抢修队已到场，正在关闸放水。", now=now - timedelta(minutes=90))
        add_progress_note(session, active, users["mnt-cx-1"],
                          "已开挖找到漏点，正在更换管段，预计按时恢复。",
                          now=now - timedelta(minutes=20))
        report.count("outages", 1)
    if planned not in have:
        day = now.astimezone(zone).date() + timedelta(days=3)
        start = datetime.combine(day, time(9, 0), zone)
        create_outage(
            session, supervisor, kind="planned", area_ids=[areas["CN"].id, areas["KFQ"].id],
            start_at=start, expected_end_at=start + timedelta(hours=8), cause=planned,
            extent="南环路、创业大道沿线高层住宅", approver_id=supervisor.id, now=now)
        report.count("outages", 1)
    if valve not in have:
        old = create_outage(
            session, supervisor, kind="emergency", area_ids=[areas["QS"].id],
            start_at=now - timedelta(days=6, hours=5), expected_end_at=now - timedelta(days=6),
            cause=valve, extent="青山大道东段", now=now - timedelta(days=6, hours=5))
        restore_outage(session, old, supervisor, now=now - timedelta(days=6, hours=1))
        report.count("outages", 1)
    session.flush()
