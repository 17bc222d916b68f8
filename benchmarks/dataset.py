"""A year of a utility's hotline, for the page benchmarks: N work orders with realistic shares
of open, resolved and closed orders, their deadlines (running, met, due for a follow-up
call), SLA notifications, pending extension requests, 5 calls per order over the year and
the 15-minute service-level rollups.

Orders, deadlines and notifications go in as batched `insert()`s (portable); the calls as
one INSERT … SELECT per database, as in `sla_sweep.py`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, text

from hotline.auth.services import create_token, create_user
from hotline.directory.models import Area, CustomerAccount, CustomerPhone, Department
from hotline.extensions import db
from hotline.notifications.models import Notification
from sla.models import Deadline
from workorders.models import WorkOrder

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
YEAR = timedelta(days=365)
PASSWORD = "bench-password-1"
# Shares of a year's orders on a given day: most are closed, a few resolved and waiting for
# the follow-up call, the rest open in one of the working states.
STATUSES = (("closed", 800), ("resolved", 50), ("dispatched", 40), ("accepted", 30),
            ("in_progress", 40), ("returned", 10), ("awaiting_customer", 20),
            ("cancelled", 5), ("merged", 5))
OPEN = {"dispatched", "accepted", "in_progress", "returned", "awaiting_customer"}
CATEGORIES = ("leak", "no_water", "low_pressure", "water_quality", "billing_dispute",
              "water_theft", "complaint", "enquiry", "connection")
ACCOUNTS = 20_000
CALLS_PER_ORDER = 5
BATCH = 20_000


def _reference(session) -> dict:
    areas = [Area(code=f"B{i}", name_zh=f"区{i}", name_en=f"Area {i}",
                  kind="urban" if i % 2 else "suburban") for i in range(8)]
    session.add_all(areas)
    session.flush()
    depts = []
    for i, area in enumerate(areas):
        for kind in ("maintenance", "billing"):
            depts.append(Department(code=f"{kind[:3]}{i}", name_zh=f"{kind}{i}",
                                    name_en=f"{kind}{i}", kind=kind, area_id=area.id,
                                    liaison_name="", liaison_phone=""))
    session.add_all(depts)
    session.flush()
    users = {role: create_user(session, username=f"bench-{role}", role=role,
                               password=PASSWORD, now=NOW,
                               department_code=depts[0].code if role == "staff" else None)
             for role in ("agent", "staff", "supervisor", "admin")}
    # Other agents own the rest of the orders: the bench agent owns 1 in 40 (40 agents).
    session.commit()
    rows = [{"account_number": f"9{i:07d}", "name": "户主", "street": "人民路",
             "house_number": f"{i}号", "landmark": "", "area_id": areas[i % 8].id,
             "created_at": NOW, "updated_at": NOW} for i in range(ACCOUNTS)]
    session.execute(insert(CustomerAccount), rows)
    session.flush()
    ids = dict(session.execute(text("SELECT account_number, id FROM customer_accounts")).all())
    session.execute(insert(CustomerPhone), [
        {"account_id": ids[f"9{i:07d}"], "e164": f"+86139{i:08d}"} for i in range(ACCOUNTS)])
    session.commit()
    return {"areas": [a.id for a in areas], "depts": [(d.id, d.area_id) for d in depts],
            "users": {r: u.id for r, u in users.items()},
            "accounts": [ids[f"9{i:07d}"] for i in range(ACCOUNTS)]}


def _pick_status(rng: random.Random) -> str:
    roll = rng.randrange(1000)
    for status, share in STATUSES:
        if roll < share:
            return status
        roll -= share
    return "closed"


def _orders(session, n: int, ref: dict, rng: random.Random) -> None:
    orders, deadlines, notes = [], [], []
    agent, supervisor = ref["users"]["agent"], ref["users"]["supervisor"]
    for i in range(1, n + 1):
        opened = NOW - YEAR + (YEAR * i) / n  # evenly over the year, the newest last
        age = NOW - opened
        status = _pick_status(rng)
        # Older orders are nearly all closed; open ones are recent.
        if age > timedelta(days=20) and status in OPEN | {"resolved"}:
            status = "closed"
        dept_id, area_id = ref["depts"][i % len(ref["depts"])]
        account = ref["accounts"][i % ACCOUNTS] if i % 3 == 0 else None
        resolved = opened + timedelta(hours=rng.randint(2, 72)) if status in (
            "resolved", "closed") else None
        if resolved and resolved > NOW:
            resolved = NOW - timedelta(minutes=5)
        closed = resolved + timedelta(hours=24) if status == "closed" else None
        if closed and closed > NOW:
            status, closed = "resolved", None
        due = None
        if status in OPEN and status != "awaiting_customer":
            due = opened + timedelta(hours=rng.choice((4, 24, 72, 168)))
            deadlines.append(_deadline(i, "resolve", opened, due))
        elif status == "resolved":
            due = resolved + timedelta(hours=24)
            deadlines.append(_deadline(i, "follow_up", resolved, due))
        if status in ("closed", "resolved"):
            deadlines.append(_deadline(i, "resolve", opened, resolved, met=resolved))
        if due is not None and due < NOW:
            notes.append({"kind": "sla_breach", "severity": "warning",
                          "title": f"WO {i} overdue", "body": "", "link": "",
                          "recipient_role": "supervisor", "department_id": dept_id,
                          "dedupe_key": f"breach:{i}", "created_at": due})
        extension = due + timedelta(days=3) if due and status in OPEN and i % 97 == 0 else None
        orders.append({
            "id": i, "number": f"WO-{opened:%Y%m%d}-{i:07d}"[:20], "version": 1,
            "channel": "phone", "category_code": CATEGORIES[i % len(CATEGORIES)],
            "priority": "normal", "status": status, "contact_name": "来电人",
            "contact_phone": f"+86139{(i % ACCOUNTS):08d}" if account else
            f"+86137{i:08d}", "account_id": account, "area_id": area_id,
            "street": "人民路", "house_number": f"{i}号", "landmark": "",
            "missing_details": "", "description": f"报修 {i} 水管漏水", "call_sid": "",
            "recording_url": "", "department_id": dept_id, "routed_by": "",
            "confidential": i % 50 == 0, "owner_id": agent if i % 40 == 0 else None,
            "assignee_id": None, "result": "已修复" if resolved else "", "return_reason": "",
            "reopen_count": 0, "follow_up_attempts": 0, "extension_kind": "resolve"
            if extension else None, "extension_due": extension, "extension_reason":
            "材料" if extension else "", "opened_at": opened, "updated_at": opened,
            "dispatched_at": opened, "resolved_at": resolved, "closed_at": closed,
            "next_due_at": due})
        if len(orders) >= BATCH:
            _flush(session, orders, deadlines, notes)
    _flush(session, orders, deadlines, notes)
    del supervisor


def _deadline(order_id: int, kind: str, started, due, met=None) -> dict:
    return {"subject_type": "work_order", "subject_id": order_id, "kind": kind, "rule": "R18",
            "state": "met" if met else "running", "started_at": started, "due_at": due,
            "original_due_at": due, "warn_at": due - (due - started) * 0.2, "warn_ratio": 0.8,
            "limit_minutes": int((due - started).total_seconds() // 60), "met_at": met,
            "breached_at": due if due < NOW and not met else None,
            "escalated_at": due if due < NOW and not met else None,
            "warned_at": None, "extension_reason": ""}


def _flush(session, orders, deadlines, notes) -> None:
    for model, rows in ((WorkOrder, orders), (Deadline, deadlines), (Notification, notes)):
        if rows:
            session.execute(insert(model), rows)
            rows.clear()
    session.commit()


CALLS_PG = """
INSERT INTO calls (call_sid, from_number, to_number, direction, language, ivr_path, account_id,
  started_at, entered_queue_at, queue_name, answered_at, agent_id, answer_seconds, ended_at,
  outcome, duration_seconds, status, status_rank, voicemail_order, recording_url, transcription)
SELECT 'CA' || lpad(g::text, 32, '0'), '+86139' || lpad((g % 20000)::text, 8, '0'),
  '+861012345', 'inbound', 'zh', 'main>1',
  CASE WHEN g % 2 = 0 THEN CAST(:acct0 AS INTEGER) + g % 20000 END,
  ts, CASE WHEN g % 4 <> 0 THEN ts + interval '40 seconds' END, 'hotline',
  CASE WHEN g % 4 IN (1, 2) THEN ts + interval '55 seconds' END,
  CASE WHEN g % 4 IN (1, 2) THEN CAST(:agent AS INTEGER) END, CASE WHEN g % 4 IN (1, 2) THEN 15 END,
  ts + interval '200 seconds',
  CASE g % 4 WHEN 0 THEN 'self_served' WHEN 3 THEN 'abandoned' ELSE 'answered' END,
  200, 'completed', 9, '', '', ''
FROM (SELECT g, CAST(:start AS timestamptz)
        + (g::bigint * :span / :calls) * interval '1 second' AS ts
      FROM generate_series(1, :calls) AS g) AS s"""

CALLS_SQLITE = """
WITH RECURSIVE seq(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM seq WHERE g < :calls),
s AS (SELECT g, datetime(:start, '+' || (g * :span / :calls) || ' seconds')
      AS ts FROM seq)
INSERT INTO calls (call_sid, from_number, to_number, direction, language, ivr_path, account_id,
  started_at, entered_queue_at, queue_name, answered_at, agent_id, answer_seconds, ended_at,
  outcome, duration_seconds, status, status_rank, voicemail_order, recording_url, transcription)
SELECT printf('CA%032d', g), printf('+86139%08d', g % 20000), '+861012345', 'inbound', 'zh',
  'main>1', CASE WHEN g % 2 = 0 THEN CAST(:acct0 AS INTEGER) + g % 20000 END, ts || '.000000',
  CASE WHEN g % 4 <> 0 THEN datetime(ts, '+40 seconds') || '.000000' END, 'hotline',
  CASE WHEN g % 4 IN (1, 2) THEN datetime(ts, '+55 seconds') || '.000000' END,
  CASE WHEN g % 4 IN (1, 2) THEN CAST(:agent AS INTEGER) END, CASE WHEN g % 4 IN (1, 2) THEN 15 END,
  datetime(ts, '+200 seconds') || '.000000',
  CASE g % 4 WHEN 0 THEN 'self_served' WHEN 3 THEN 'abandoned' ELSE 'answered' END,
  200, 'completed', 9, '', '', '' FROM s"""


def insert_calls(session, calls: int, start: datetime, span: timedelta, account0: int | None,
                 agent: int | None) -> None:
    """`calls` calls spread evenly over [start, start + span): a quarter self-served, half
    answered after 15 s in the queue, a quarter abandoned."""
    sql = CALLS_PG if db.engine.dialect.name == "postgresql" else CALLS_SQLITE
    session.execute(text(sql), {"calls": calls, "span": int(span.total_seconds()),
                                "start": start.strftime("%Y-%m-%d %H:%M:%S") + (
                                    "+00" if db.engine.dialect.name == "postgresql" else ""),
                                "acct0": account0, "agent": agent})
    session.commit()


def _calls(session, calls: int, ref: dict) -> None:
    insert_calls(session, calls, NOW - YEAR, YEAR, min(ref["accounts"]), ref["users"]["agent"])


def _rollups(session, calls: int) -> None:
    """The 15-minute service-level rows of the year, as the rollup job would have left them
    (`benchmarks/rollup.py` times the job itself)."""
    per = max(calls // (365 * 96), 1)
    start = NOW - YEAR
    rows = [{"line": "hotline", "starts_at": start + timedelta(minutes=15 * k),
             "offered": per, "answered": per * 3 // 4, "answered_in_threshold": per * 2 // 3,
             "abandoned": per // 4, "short_abandoned": 0, "wait_seconds_total": per * 20,
             "longest_wait_seconds": 40, "computed_at": NOW} for k in range(365 * 96)]
    from sla.models import ServiceLevelInterval
    session.execute(insert(ServiceLevelInterval), rows)
    session.commit()


def build(n: int, calls: int, seed: int = 7) -> dict:
    """Fill the app's (empty, upgraded) database; returns what the benchmark needs."""
    session = db.session
    rng = random.Random(seed)
    ref = _reference(session)
    _orders(session, n, ref, rng)
    _calls(session, calls, ref)
    _rollups(session, calls)
    session.execute(text("ANALYZE"))
    session.commit()
    return ref


def tokens(session) -> dict[str, str]:
    out = {role: create_token(session, f"bench-{role}", now=NOW, name="bench")
           for role in ("agent", "staff", "supervisor", "admin")}
    session.commit()
    return out
