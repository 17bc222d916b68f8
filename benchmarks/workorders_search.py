"""Console list/search at scale (DESIGN: 1,000,000 orders, p95 ≤ 50 ms server time).

Seeds N orders (default 1,000,000) with running deadlines into a fresh SQLite database (or
the PostgreSQL database given by --database), then times `workorders.services.queries.search`
for the console's searches and prints each p95 with its ratio to a baseline measured in the
same run (fetching one order by primary key).

    .venv/bin/python benchmarks/workorders_search.py [--orders 1000000] [--database URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, text

from hotline.app import create_app
from hotline.auth.models import User
from hotline.clock import FixedClock
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department
from hotline.extensions import db
from hotline.migrate import upgrade
from sla.models import Deadline
from workorders.models import WorkOrder
from workorders.services import queries

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
STATUSES = ("closed",) * 14 + ("dispatched", "accepted", "in_progress", "resolved", "returned",
                               "awaiting_customer")
CATEGORIES = ("leak", "no_water", "low_pressure", "water_quality", "billing_dispute",
              "water_theft", "complaint", "enquiry", "connection")


def seed(n: int, rng: random.Random) -> dict:
    session = db.session
    areas = []
    for i in range(8):
        area = Area(code=f"B{i}", name_zh=f"区{i}", name_en=f"Area {i}",
                    kind="urban" if i % 2 else "suburban")
        session.add(area)
        areas.append(area)
    session.flush()
    depts = []
    for i, area in enumerate(areas):
        for kind in ("maintenance", "billing"):
            dept = Department(code=f"{kind[:3]}{i}", name_zh=f"{kind}{i}", name_en=f"{kind}{i}",
                              kind=kind, area_id=area.id, liaison_name="", liaison_phone="")
            session.add(dept)
            depts.append(dept)
    session.flush()
    boss = User(username="bench-boss", role="supervisor", password_hash="x", created_at=NOW)
    staff = User(username="bench-staff", role="staff", department_id=depts[0].id,
                 password_hash="x", created_at=NOW)
    session.add_all([boss, staff])
    session.flush()
    accounts = []
    for i in range(2000):
        account = CustomerAccount(account_number=f"9{i:06d}", name="户主", street="路",
                                  house_number=f"{i}号", area_id=areas[i % 8].id,
                                  created_at=NOW, updated_at=NOW)
        account.phones = [CustomerPhone(e164=f"+86139{i:08d}")]
        session.add(account)
        accounts.append(account)
    session.commit()
    batch, deadlines = [], []
    order_id = 0
    for i in range(n):
        order_id += 1
        opened = NOW - timedelta(minutes=n - i)
        status = rng.choice(STATUSES)
        dept = rng.choice(depts)
        account = accounts[i % len(accounts)] if i % 3 == 0 else None
        due = (opened + timedelta(minutes=rng.choice((20, 240, 7200)))
               if status != "closed" else None)
        batch.append({
            "id": order_id, "number": f"WO-{opened:%Y%m%d}-{i % 10000:04d}{i // 10000:03d}",
            "version": 1, "channel": "phone", "category_code": rng.choice(CATEGORIES),
            "priority": "normal", "status": status, "contact_name": "来电人",
            "contact_phone": account.phones[0].e164 if account else f"+86137{i % 99999999:08d}",
            "account_id": account.id if account else None, "area_id": dept.area_id,
            "street": "人民路", "house_number": f"{i}号", "landmark": "", "missing_details": "",
            "description": f"报修 {i}", "call_sid": "", "recording_url": "",
            "department_id": dept.id, "routed_by": "", "confidential": False,
            "result": "", "return_reason": "", "reopen_count": 0, "follow_up_attempts": 0,
            "extension_reason": "", "opened_at": opened, "updated_at": opened,
            "next_due_at": due,
        })
        if due is not None:
            deadlines.append({
                "subject_type": "work_order", "subject_id": order_id, "kind": "resolve",
                "rule": "", "state": "running", "started_at": opened, "due_at": due,
                "original_due_at": due, "warn_at": due, "warn_ratio": 0.8,
                "limit_minutes": 60, "extension_reason": ""})
        if len(batch) >= 20000:
            session.execute(insert(WorkOrder), batch)
            if deadlines:
                session.execute(insert(Deadline), deadlines)
            session.commit()
            batch, deadlines = [], []
    if batch:
        session.execute(insert(WorkOrder), batch)
    if deadlines:
        session.execute(insert(Deadline), deadlines)
    session.commit()
    if db.engine.dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()
    return {"boss": boss.id, "staff": staff.id, "dept": depts[3].code, "area": areas[2].code,
            "account": accounts[7].account_number, "phone": accounts[9].phones[0].e164}


def p95(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.quantiles(times, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database", default="")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.database or f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "SECRET_KEY": "bench",
                      "CLOCK": FixedClock(NOW), "LOG_LEVEL": "WARNING"})
    upgrade(app)
    rng = random.Random(7)
    with app.app_context():
        started = time.perf_counter()
        ids = seed(args.orders, rng)
        elapsed = time.perf_counter() - started
        print(f"seeded {args.orders} orders in {elapsed:.0f} s ({url.split(':')[0]})")
        boss = db.session.get(User, ids["boss"])
        staff = db.session.get(User, ids["staff"])
        number = db.session.scalar(select(WorkOrder.number).where(
            WorkOrder.id == args.orders // 2))
        F = queries.Filters

        def search(user, filters, order="newest"):
            def run():
                rows, _total = queries.search(db.session, user, filters, now=NOW,
                                              order=order)
                [r.number for r in rows]
            return run

        baseline = p95(lambda: db.session.get(WorkOrder, rng.randint(1, args.orders)),
                       args.runs)
        cases = {
            "by number": search(boss, F(text=number)),
            "by phone": search(boss, F(phone=ids["phone"])),
            "by account": search(boss, F(account=ids["account"])),
            "by status": search(boss, F(status="returned")),
            "by department": search(boss, F(department=ids["dept"])),
            "by area+category": search(boss, F(area=ids["area"], category="leak")),
            "all, newest": search(boss, F()),
            "overdue": search(boss, F(overdue=True, open_only=True)),
            "staff queue by due": search(staff, F(open_only=True), order="due"),
        }
        print(f"baseline (order by primary key) p95 {baseline:.2f} ms")
        for name, fn in cases.items():
            value = p95(fn, args.runs)
            verdict = "ok" if value <= 50 else "SLOW"
            print(f"{name:20s} p95 {value:8.2f} ms  ratio {value / baseline:7.1f}  {verdict}")


if __name__ == "__main__":
    main()
