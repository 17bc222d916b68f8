"""The watch: sweeps over the deadline rows. Each sweep is ONE conditional
`UPDATE … RETURNING` over a partial index of the clocks not yet handled, so it is idempotent
(a row is claimed by exactly one run, even with two clocks), catches up after downtime
(everything past due is claimed), and costs what the due clocks cost, not the table.
Notifications carry deterministic dedupe keys on top of that."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, text, update
from sqlalchemy.orm import Session

from hotline.auth.models import User
from hotline.directory.models import Department
from hotline.i18n import N_
from hotline.notifications.messages import spec
from hotline.telephony.outbox import queue_sms
from sla.models import Deadline
from sla.notices import Notice, backups_of_department, describe, notify_many
from sla.ports import SlaPorts, SubjectInfo

# Literal predicates (not bound parameters): SQLite and PostgreSQL only use a partial index
# when the query's WHERE visibly implies the index's WHERE.
UNBREACHED = text("deadlines.state = 'running' AND deadlines.breached_at IS NULL")
UNWARNED = text("deadlines.state = 'running' AND deadlines.warned_at IS NULL "
                "AND deadlines.breached_at IS NULL")
ACTIVE = text("deadlines.state IN ('running', 'paused')")
# P4: subjects whose overdue clocks get a reminder, then a written escalation (sla.reminders).
P4_SUBJECTS = ("work_order",)
# Clocks that are themselves an escalation to the manager (R13): never reminded first (P4).
ESCALATION_KINDS = ("escalate_cluster", "escalate_repeat")


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _stamp(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(seconds=1)


@dataclass(frozen=True)
class Hit:
    id: int
    subject_type: str
    subject_id: int
    kind: str
    due_at: datetime

    @property
    def subject(self) -> tuple[str, int]:
        return (self.subject_type, self.subject_id)

    @property
    def stamp(self) -> int:
        # A new due time (extension, resume) is a new deadline: it may warn/breach again.
        return _stamp(self.due_at)


@dataclass
class SweepResult:
    claimed: int = 0
    notices: int = 0
    sms: int = 0
    ids: list[int] = field(default_factory=list)


# At most this many clocks per sweep: a clock catching up after downtime (300,000 overdue
# deadlines) works in chunks, the caller committing between them, so its memory is one
# chunk's rows, notices and subjects, never the whole backlog.
SWEEP_CHUNK = 5000


def _claim(session: Session, where, values: dict, order_by, limit: int | None) -> list[Hit]:
    if limit is not None:
        # The earliest `limit` of them, walked on the sweep's partial index; the outer WHERE
        # is checked again on each row, so a row another clock claimed meanwhile is skipped.
        chosen = select(Deadline.id).where(where).order_by(order_by).limit(limit)
        where = and_(where, Deadline.id.in_(chosen.scalar_subquery()))
    stmt = (update(Deadline).where(where).values(**values)
            .returning(Deadline.id, Deadline.subject_type, Deadline.subject_id, Deadline.kind,
                       Deadline.due_at)
            .execution_options(synchronize_session=False))
    return [Hit(*row) for row in session.execute(stmt)]


def kind_labels() -> dict[str, str]:
    """The clocks' names inside a sentence, in the current language."""
    from sla.labels import CLOCK_PHRASE

    return {code: str(text) for code, text in CLOCK_PHRASE.items()}


# The notices' texts: English msgids, stored with their parameters so that each reader sees
# them in their own language (hotline.notifications.messages); `title` keeps the text in
# the sweep's language for old consoles and logs.
WARNING = N_("%(label)s: %(kind)s deadline approaching")
BREACH = N_("%(label)s: %(kind)s deadline missed")
ESCALATION = N_("Escalated: %(label)s missed its %(kind)s deadline")
REMINDER = N_("Not accepted within the time limit: %(label)s — accept it now")
# P4: the reminder (催办) the working day after, the written escalation (督办) days later.
OVERDUE_REMINDER = N_("Reminder: %(label)s is past its %(kind)s deadline; please handle it "
                      "today")
WRITTEN_ESCALATION = N_("Escalated in writing: %(label)s is still past its %(kind)s "
                        "deadline after the reminder")


class SweepTexts:
    """The sweep's message templates, translated once per sweep rather than once per row
    (gettext per row dominated a 10,000-breach pass)."""

    def __init__(self) -> None:
        self.kinds = kind_labels()
        self.prefixes: dict[tuple[str, str], str] = {}
        # gettext without variables returns the translated template unformatted.
        self.templates = {m: _(m) for m in (WARNING, BREACH, ESCALATION, REMINDER,
                                            OVERDUE_REMINDER, WRITTEN_ESCALATION)}
        self.sms = _("[Water Hotline] %(label)s has not been accepted within the time limit. "
                     "Please accept it now.")

    def kind(self, kind: str) -> str:
        return self.kinds.get(kind, kind)

    def notice(self, msgid: str, hit: "Hit", info: SubjectInfo, key: str, kind: str,
               severity: str, **to) -> Notice:
        """One notice of `msgid` about `hit`, addressed by `to` (user_id, role or
        department_id). Its stored message (msgid, the clock's code, the subject's label)
        is JSON text put together here: this runs 10,000 times a pass."""
        text = self.templates[msgid] % {"kind": self.kind(hit.kind), "label": info.label}
        label = info.label if type(info.label) is str else spec(info.label)
        stored = self._prefix(msgid, hit.kind) + json.dumps(label, ensure_ascii=False) + "}}"
        return Notice(key, kind, text, link=info.link, severity=severity, message=stored,
                      **to)

    def _prefix(self, msgid: str, kind: str) -> str:
        found = self.prefixes.get((msgid, kind))
        if found is None:
            params = json.dumps({"label": "clock_phrase", "code": kind})
            found = self.prefixes[(msgid, kind)] = (
                '{"msgid": ' + json.dumps(msgid, ensure_ascii=False) + ', "params": {"kind": '
                + params + ', "label": ')
        return found


def _people(session: Session, user_ids: set[int]) -> dict[int, tuple[str, int | None]]:
    """Role and department of each user, to reach each person once per event."""
    if not user_ids:
        return {}
    return {r.id: (r.role, r.department_id) for r in session.execute(
        select(User.id, User.role, User.department_id).where(User.id.in_(user_ids)))}


def _owner_needs_own_notice(people, info: SubjectInfo, *, supervisors_told: bool) -> bool:
    """The owner hears of it unless their department's or their role's notice of the same
    event already reaches them."""
    role, department_id = people.get(info.owner_user_id, (None, None))
    if department_id is not None and department_id == info.department_id:
        return False
    return not (supervisors_told and role == "supervisor")


def sweep_warnings(session: Session, ports: SlaPorts, now: datetime,
                   limit: int | None = SWEEP_CHUNK) -> SweepResult:
    """Warn the department and the owner once `warn_ratio` of the time has passed (at most
    `limit` clocks, the earliest first; `claimed == limit` means there may be more)."""
    hits = _claim(session, and_(UNWARNED, Deadline.warn_at <= now, Deadline.due_at > now),
                  {"warned_at": now}, Deadline.warn_at, limit)
    infos = describe(session, ports, (h.subject for h in hits))
    people = _people(session, {i.owner_user_id for i in infos.values()} - {None})
    texts = SweepTexts()
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.closed:
            continue
        base = f"warn:{hit.id}:{hit.stamp}"
        if info.department_id is not None:
            notices.append(texts.notice(WARNING, hit, info, f"{base}:d{info.department_id}",
                                        "sla_warning", "warning",
                                        department_id=info.department_id,
                                        exclude_user_id=info.recused_user_id))
        if info.owner_user_id is not None and _owner_needs_own_notice(
                people, info, supervisors_told=False):
            notices.append(texts.notice(WARNING, hit, info, f"{base}:u{info.owner_user_id}",
                                        "sla_warning", "warning", user_id=info.owner_user_id,
                                        exclude_user_id=info.recused_user_id))
    return SweepResult(len(hits), notify_many(session, notices, now), 0, [h.id for h in hits])


def _escalates_at_once(hit: "Hit") -> bool:
    return hit.subject_type not in P4_SUBJECTS or hit.kind in ESCALATION_KINDS


def sweep_breaches(session: Session, ports: SlaPorts, now: datetime,
                   limit: int | None = SWEEP_CHUNK) -> SweepResult:
    """Mark clocks past due as breached and tell the department and the owner. A work
    order's written escalation to supervisors (督办) follows its reminder (催办) under P4
    (`sla.reminders`); other subjects (clusters, R13) escalate to supervisors at once. A
    breached accept clock (R14) also reminds the department, its backups (R29) and its
    liaison. At most `limit` clocks, the longest overdue first; `claimed == limit`: maybe
    more."""
    hits = _claim(session, and_(UNBREACHED, Deadline.due_at <= now),
                  {"breached_at": Deadline.due_at,
                   "escalated_at": case((and_(Deadline.subject_type.in_(P4_SUBJECTS),
                                              Deadline.kind.not_in(ESCALATION_KINDS)), None),
                                        else_=now)}, Deadline.due_at, limit)
    infos = describe(session, ports, (h.subject for h in hits))
    open_hits = [h for h in hits if not infos[h.subject].closed]
    people = _people(session, {infos[h.subject].owner_user_id for h in open_hits} - {None})
    texts = SweepTexts()
    notices: list[Notice] = []
    for hit in open_hits:
        info = infos[hit.subject]
        base = f"breach:{hit.id}:{_stamp(hit.due_at)}"
        if _escalates_at_once(hit):  # work orders escalate later (P4)
            notices.append(texts.notice(ESCALATION, hit, info, f"{base}:supervisor",
                                        "sla_breach", "danger", role="supervisor",
                                        exclude_user_id=info.recused_user_id))
        if info.department_id is not None and hit.kind != "accept":
            notices.append(texts.notice(BREACH, hit, info, f"{base}:d{info.department_id}",
                                        "sla_breach", "danger",
                                        department_id=info.department_id,
                                        exclude_user_id=info.recused_user_id))
        if info.owner_user_id is not None and _owner_needs_own_notice(
                people, info,
                supervisors_told=_escalates_at_once(hit)):
            notices.append(texts.notice(BREACH, hit, info, f"{base}:u{info.owner_user_id}",
                                        "sla_breach", "danger", user_id=info.owner_user_id,
                                        exclude_user_id=info.recused_user_id))
    accept_hits = [h for h in open_hits if h.kind == "accept"]
    notices += _accept_reminders(session, accept_hits, infos, texts)
    sms = _liaison_sms(session, accept_hits, infos, now, texts)
    return SweepResult(len(hits), notify_many(session, notices, now), sms, [h.id for h in hits])


def _accept_reminders(session: Session, hits: list[Hit],
                      infos: dict[tuple[str, int], SubjectInfo], texts: SweepTexts
                      ) -> list[Notice]:
    """R14: not accepted within 20 minutes → remind the department; R29: the backups of
    its absent staff who work elsewhere hear of it too (those in the department see the
    department's reminder)."""
    departments = {infos[h.subject].department_id for h in hits} - {None}
    backups = backups_of_department(session, departments)
    people = _people(session, {u for ids in backups.values() for u in ids})
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.department_id is None:
            continue
        base = f"accept-reminder:{hit.id}:{hit.stamp}"
        notices.append(texts.notice(REMINDER, hit, info, f"{base}:d{info.department_id}",
                                    "sla_accept_reminder", "danger",
                                    department_id=info.department_id,
                                    exclude_user_id=info.recused_user_id))
        for user_id in backups.get(info.department_id, []):
            if people.get(user_id, (None, None))[1] == info.department_id:
                continue
            notices.append(texts.notice(REMINDER, hit, info, f"{base}:u{user_id}",
                                        "sla_accept_reminder", "danger", user_id=user_id,
                                        exclude_user_id=info.recused_user_id))
    return notices


def _liaison_sms(session: Session, hits: list[Hit],
                 infos: dict[tuple[str, int], SubjectInfo], now: datetime,
                 texts: SweepTexts) -> int:
    """R14: each department names a 24-hour liaison; the reminder reaches their phone."""
    ids = {infos[h.subject].department_id for h in hits} - {None}
    if not ids:
        return 0
    phones = dict(session.execute(
        select(Department.id, Department.liaison_phone).where(Department.id.in_(ids))).all())
    sent = 0
    for hit in hits:
        info = infos[hit.subject]
        phone = phones.get(info.department_id)
        if not phone:
            continue
        body = texts.sms % {"label": info.label}
        queue_sms(session, phone, body, now=now, dedupe_key=f"accept-sms:{hit.id}:{hit.stamp}",
                  subject=hit.subject)
        sent += 1
    return sent


@dataclass(frozen=True)
class DueItem:
    deadline: Deadline
    info: SubjectInfo

    @property
    def overdue(self) -> bool:
        return self.deadline.breached_at is not None


def breached_open(session: Session, ports: SlaPorts, *, limit: int = 200) -> list[DueItem]:
    """Clocks still running or paused after their breach (the dashboard's list)."""
    rows = list(session.scalars(
        select(Deadline).where(ACTIVE, Deadline.breached_at.is_not(None))
        .order_by(Deadline.due_at).limit(limit)))
    infos = describe(session, ports, ((r.subject_type, r.subject_id) for r in rows))
    return [DueItem(r, infos[(r.subject_type, r.subject_id)]) for r in rows]


def count_breached_open(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Deadline).where(
        ACTIVE, Deadline.breached_at.is_not(None))) or 0


def warned_open(session: Session, ports: SlaPorts, *, limit: int = 200) -> list[DueItem]:
    rows = list(session.scalars(
        select(Deadline).where(ACTIVE, Deadline.warned_at.is_not(None),
                               Deadline.breached_at.is_(None))
        .order_by(Deadline.due_at).limit(limit)))
    infos = describe(session, ports, ((r.subject_type, r.subject_id) for r in rows))
    return [DueItem(r, infos[(r.subject_type, r.subject_id)]) for r in rows]
