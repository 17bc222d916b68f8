"""The watch: sweeps over the deadline rows. Each sweep is ONE conditional
`UPDATE … RETURNING` over a partial index of the clocks not yet handled, so it is idempotent
(a row is claimed by exactly one run, even with two clocks), catches up after downtime
(everything past due is claimed), and costs what the due clocks cost, not the table.
Notifications carry deterministic dedupe keys on top of that."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, text, update
from sqlalchemy.orm import Session

from hotline.directory.models import Department
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


def _claim(session: Session, where, values: dict) -> list[Hit]:
    stmt = (update(Deadline).where(where).values(**values)
            .returning(Deadline.id, Deadline.subject_type, Deadline.subject_id, Deadline.kind,
                       Deadline.due_at)
            .execution_options(synchronize_session=False))
    return [Hit(*row) for row in session.execute(stmt)]


def kind_labels() -> dict[str, str]:
    return {
        "accept": _("accept"), "respond": _("respond"), "on_site": _("on site"),
        "reply": _("reply"), "resolve": _("resolve"), "follow_up": _("follow-up call"),
        "survey": _("site survey"), "design": _("design"), "construction": _("construction"),
        "visit": _("home visit"), "escalate_cluster": _("cluster escalation"),
    }


class _Texts:
    """The sweep's message templates, translated once per sweep rather than once per row
    (gettext per row dominated a 10,000-breach pass)."""

    def __init__(self) -> None:
        self.kinds = kind_labels()
        # gettext without variables returns the translated template unformatted.
        self.warning = _("Deadline approaching: %(kind)s of %(label)s")
        self.breach = _("Deadline missed: %(kind)s of %(label)s")
        self.escalation = _("督办: %(title)s")
        self.reminder = _("Not accepted within the time limit: %(label)s — accept it now")
        self.sms = _("[Water Hotline] %(label)s has not been accepted within the time limit. "
                     "Please accept it now.")

    def kind(self, kind: str) -> str:
        return self.kinds.get(kind, kind)


def sweep_warnings(session: Session, ports: SlaPorts, now: datetime) -> SweepResult:
    """Warn the department and the owner once `warn_ratio` of the time has passed."""
    hits = _claim(session, and_(UNWARNED, Deadline.warn_at <= now, Deadline.due_at > now),
                  {"warned_at": now})
    infos = describe(session, ports, (h.subject for h in hits))
    texts = _Texts()
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.closed:
            continue
        title = texts.warning % {"kind": texts.kind(hit.kind), "label": info.label}
        base = f"warn:{hit.id}:{hit.stamp}"
        if info.department_id is not None:
            notices.append(Notice(f"{base}:d{info.department_id}", "sla_warning", title,
                                  link=info.link, severity="warning",
                                  department_id=info.department_id))
        if info.owner_user_id is not None:
            notices.append(Notice(f"{base}:u{info.owner_user_id}", "sla_warning", title,
                                  link=info.link, severity="warning",
                                  user_id=info.owner_user_id))
    return SweepResult(len(hits), notify_many(session, notices, now), 0, [h.id for h in hits])


def sweep_breaches(session: Session, ports: SlaPorts, now: datetime) -> SweepResult:
    """Mark clocks past due as breached and tell the department and the owner. A work
    order's written escalation to supervisors (督办) follows its reminder (催办) under P4
    (`sla.reminders`); other subjects (clusters, R13) escalate to supervisors at once. A
    breached accept clock (R14) also reminds the department, its backups (R29) and its
    liaison."""
    hits = _claim(session, and_(UNBREACHED, Deadline.due_at <= now),
                  {"breached_at": Deadline.due_at,
                   "escalated_at": case((Deadline.subject_type.in_(P4_SUBJECTS), None),
                                        else_=now)})
    infos = describe(session, ports, (h.subject for h in hits))
    open_hits = [h for h in hits if not infos[h.subject].closed]
    texts = _Texts()
    notices: list[Notice] = []
    for hit in open_hits:
        info = infos[hit.subject]
        base = f"breach:{hit.id}:{_stamp(hit.due_at)}"
        title = texts.breach % {"kind": texts.kind(hit.kind), "label": info.label}
        if hit.subject_type not in P4_SUBJECTS:
            notices.append(Notice(f"{base}:supervisor", "sla_breach",
                                  texts.escalation % {"title": title}, link=info.link,
                                  severity="danger", role="supervisor"))
        if info.department_id is not None:
            notices.append(Notice(f"{base}:d{info.department_id}", "sla_breach", title,
                                  link=info.link, severity="danger",
                                  department_id=info.department_id))
        if info.owner_user_id is not None:
            notices.append(Notice(f"{base}:u{info.owner_user_id}", "sla_breach", title,
                                  link=info.link, severity="danger",
                                  user_id=info.owner_user_id))
    accept_hits = [h for h in open_hits if h.kind == "accept"]
    notices += _accept_reminders(session, accept_hits, infos, texts)
    sms = _liaison_sms(session, accept_hits, infos, now, texts)
    return SweepResult(len(hits), notify_many(session, notices, now), sms, [h.id for h in hits])


def _accept_reminders(session: Session, hits: list[Hit],
                      infos: dict[tuple[str, int], SubjectInfo], texts: _Texts
                      ) -> list[Notice]:
    """R14: not accepted within 20 minutes → remind the department; R29: re-notify the
    backups of its absent staff."""
    departments = {infos[h.subject].department_id for h in hits} - {None}
    backups = backups_of_department(session, departments)
    notices = []
    for hit in hits:
        info = infos[hit.subject]
        if info.department_id is None:
            continue
        title = texts.reminder % {"label": info.label}
        base = f"accept-reminder:{hit.id}:{hit.stamp}"
        notices.append(Notice(f"{base}:d{info.department_id}", "sla_accept_reminder", title,
                              link=info.link, severity="danger",
                              department_id=info.department_id))
        for user_id in backups.get(info.department_id, []):
            notices.append(Notice(f"{base}:u{user_id}", "sla_accept_reminder", title,
                                  link=info.link, severity="danger", user_id=user_id))
    return notices


def _liaison_sms(session: Session, hits: list[Hit],
                 infos: dict[tuple[str, int], SubjectInfo], now: datetime,
                 texts: _Texts) -> int:
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
