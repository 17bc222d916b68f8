"""Who hears about a clock, and storing many notifications at once. Each notification has a
deterministic dedupe key, so a sweep run twice (or by two clocks) sends it once."""

from __future__ import annotations

import json

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Text, bindparam, column, select, table, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.db import UTCDateTime
from hotline.notifications.messages import spec
from sla.ports import SlaPorts, SubjectInfo


DESCRIBE_CHUNK = 5000


@dataclass(frozen=True)
class Notice:
    dedupe_key: str
    kind: str
    title: str
    body: str = ""
    link: str = ""
    severity: str = "info"
    user_id: int | None = None
    role: str | None = None
    department_id: int | None = None
    # The title's msgid and parameters (`hotline.notifications.messages`), shown in each
    # reader's language: a spec, or its JSON text (the sweeps build thousands a pass);
    # taken from `title` when it is a `hotline.i18n.Message`.
    message: dict | str | None = None
    # R28: the staff member the notice's subject (a complaint) is about never receives it.
    exclude_user_id: int | None = None

    def stored_message(self) -> str | None:
        """The `notifications.message` value as JSON text."""
        title = self.message if self.message is not None else spec(self.title)
        if title is None:
            return None
        if not isinstance(title, str):
            title = json.dumps(title, ensure_ascii=False)
        return '{"title": ' + title + "}"


def describe(session: Session, ports: SlaPorts,
             subjects: Iterable[tuple[str, int]]) -> dict[tuple[str, int], SubjectInfo]:
    """SubjectInfo for each (type, id), from the describer registered for the type; a subject
    without a describer gets a bare label (supervisors still hear about it)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        by_type[subject_type].add(subject_id)
    found: dict[tuple[str, int], SubjectInfo] = {}
    for subject_type, ids in by_type.items():
        describer = ports.subjects.get(subject_type)
        infos: dict[int, SubjectInfo] = {}
        ordered = sorted(ids)
        # Chunks keep a describer's `IN (...)` under SQLite's bound-parameter limit.
        for i in range(0, len(ordered), DESCRIBE_CHUNK) if describer else ():
            infos.update(describer(session, ordered[i:i + DESCRIBE_CHUNK]))
        for subject_id in ids:
            found[(subject_type, subject_id)] = infos.get(subject_id) or SubjectInfo(
                subject_type=subject_type, subject_id=subject_id,
                label=f"{subject_type} #{subject_id}", link="")
    return found


def notify_many(session: Session, notices: Iterable[Notice], now: datetime) -> int:
    """Insert the notices whose dedupe key is new (INSERT … ON CONFLICT DO NOTHING, on
    SQLite and PostgreSQL), in multi-row batches; returns how many were new."""
    notices = recuse(session, notices)
    rows = [{
        "kind": n.kind, "severity": n.severity, "title": n.title[:200], "body": n.body,
        "link": n.link[:300], "recipient_user_id": n.user_id, "recipient_role": n.role,
        "department_id": n.department_id, "dedupe_key": n.dedupe_key, "created_at": now,
        "message": n.stored_message(),
    } for n in notices]
    if not rows:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _insert_json(session, rows, now)
    stmt = sqlite.insert(_SQLITE_TABLE).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return session.execute(stmt, rows).rowcount


# The notifications table with `message` as the JSON text it is stored as on SQLite: the
# rows arrive serialized, so no per-row JSON encoding happens in the bind.
_SQLITE_TABLE = table("notifications", *(column(c) for c in (
    "kind", "severity", "title", "body", "link", "recipient_user_id", "recipient_role",
    "department_id", "dedupe_key")), column("message", Text()),
    column("created_at", UTCDateTime()))


def recuse(session: Session, notices: Iterable[Notice]) -> list[Notice]:
    """R28: a notice never reaches the staff member its complaint is about. One addressed to
    them is dropped; one to their department or role goes to each of the others instead
    (dedupe key + ":u<id>"). Notices without `exclude_user_id` pass unchanged."""
    notices = list(notices)
    excluded = {n.exclude_user_id for n in notices if n.exclude_user_id is not None}
    if not excluded:
        return notices
    who = {row.id: row for row in session.execute(
        select(User.id, User.department_id, User.role).where(User.id.in_(excluded)))}
    members: dict[tuple, list[int]] = {}
    kept = []
    for n in notices:
        person = who.get(n.exclude_user_id)
        if person is None:
            kept.append(n)
        elif n.user_id is not None:
            if n.user_id != person.id:
                kept.append(n)
        elif (n.department_id is not None and n.department_id == person.department_id) or (
                n.department_id is None and n.role is not None and n.role == person.role):
            key = ("d", n.department_id) if n.department_id is not None else ("r", n.role)
            if key not in members:
                column = User.department_id if key[0] == "d" else User.role
                members[key] = list(session.scalars(select(User.id).where(
                    column == key[1], User.active.is_(True)).order_by(User.id)))
            kept += [replace(n, dedupe_key=f"{n.dedupe_key}:u{uid}", user_id=uid, role=None,
                             department_id=None)
                     for uid in members[key] if uid != person.id]
        else:
            kept.append(n)
    return kept


# One statement whose rows travel as one JSON document: PostgreSQL unpacks the batch
# server-side, far cheaper than binding tens of thousands of parameters or array elements.
_FROM_JSON = text("""
    INSERT INTO notifications (kind, severity, title, body, link, recipient_user_id,
                               recipient_role, department_id, dedupe_key, message,
                               created_at)
    SELECT kind, severity, title, body, link, recipient_user_id, recipient_role,
           department_id, dedupe_key, CAST(message AS json), :created_at
    FROM json_to_recordset(CAST(:rows AS json))
         AS t(kind text, severity text, title text, body text, link text,
              recipient_user_id integer, recipient_role text, department_id integer,
              dedupe_key text, message text)
    ON CONFLICT (dedupe_key) DO NOTHING""").bindparams(
    bindparam("created_at", type_=UTCDateTime()))

_COLUMNS = ("kind", "severity", "title", "body", "link", "recipient_user_id",
            "recipient_role", "department_id", "dedupe_key", "message")


def _insert_json(session: Session, rows: list[dict], now: datetime) -> int:
    payload = json.dumps([{c: r[c] for c in _COLUMNS} for r in rows], ensure_ascii=False)
    return session.execute(_FROM_JSON, {"rows": payload, "created_at": now}).rowcount


def backups_of_department(session: Session, department_ids: Iterable[int]
                          ) -> dict[int, list[int]]:
    """R29: for each department, the backup users of its absent staff."""
    ids = list(set(department_ids))
    if not ids:
        return {}
    found: dict[int, list[int]] = defaultdict(list)
    rows = session.execute(
        select(User.department_id, User.backup_user_id).where(
            User.department_id.in_(ids), User.absent.is_(True),
            User.backup_user_id.is_not(None), User.active.is_(True)))
    for department_id, backup_id in rows:
        if backup_id not in found[department_id]:
            found[department_id].append(backup_id)
    return found
