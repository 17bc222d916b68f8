"""R1, R2: the 12-second service level in 15-minute rollups. The rollup of an interval is
a pure function of its calls, so any past interval can be recomputed (late webhooks fix
themselves): recomputing replaces the stored row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.i18n import N_, tr_here
from sla.level_rates import LevelRates
from sla.models import ServiceLevelInterval
from sla.notices import Notice, notify_many
from sla.ports import CallFact, CallSource

INTERVAL = timedelta(minutes=15)
HOTLINE_LINE = "hotline"


@dataclass(frozen=True)
class LineTargets:
    answer_rate: float
    service_level: float


@dataclass(frozen=True)
class LevelSettings:
    threshold_seconds: float = 12.0  # R1
    short_abandon_seconds: float = 5.0  # R2: not counted as offered
    target: float = 0.8  # the hotline's share answered within the threshold
    answer_rate_target: float = 0.98  # R2, the customer hotline
    other_lines_target: float = 0.8
    other_lines_answer_rate_target: float = 0.95  # R2, every other line
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    def targets(self, line: str) -> LineTargets:
        """R2: each line has its own targets; the customer hotline's are the strictest."""
        if line == HOTLINE_LINE:
            return LineTargets(self.answer_rate_target, self.target)
        return LineTargets(self.other_lines_answer_rate_target, self.other_lines_target)


@dataclass
class Rollup:
    offered: int = 0
    answered: int = 0
    answered_in_threshold: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    wait_seconds_total: float = 0.0
    longest_wait_seconds: float = 0.0

    @property
    def service_level(self) -> float | None:
        return self.answered_in_threshold / self.offered if self.offered else None

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.offered if self.offered else None


def interval_start(moment: datetime) -> datetime:
    moment = moment.astimezone(timezone.utc)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def rollup(facts: Iterable[CallFact], settings: LevelSettings) -> Rollup:
    """Pure. Answer time = bridged − entered the queue (or call start, R1). Calls still
    waiting are not counted yet; abandons shorter than the configured seconds are not
    offered (R2); a caller who left the queue for a callback or voicemail was offered and
    not answered."""
    r = Rollup()
    for fact in facts:
        entered = fact.entered_queue_at or fact.started_at
        if fact.answered_at is not None:
            wait = (fact.answered_at - entered).total_seconds()
            r.offered += 1
            r.answered += 1
            if wait <= settings.threshold_seconds:
                r.answered_in_threshold += 1
        elif fact.ended_at is not None:
            wait = (fact.ended_at - entered).total_seconds()
            if fact.outcome in (None, "abandoned") and wait < settings.short_abandon_seconds:
                r.short_abandoned += 1
                continue
            r.offered += 1
            if fact.outcome in (None, "abandoned"):
                r.abandoned += 1
        else:
            continue
        wait = max(wait, 0.0)
        r.wait_seconds_total += wait
        r.longest_wait_seconds = max(r.longest_wait_seconds, wait)
    return r


def recompute_interval(session: Session, source: CallSource, start: datetime, now: datetime,
                       settings: LevelSettings) -> dict[str, ServiceLevelInterval]:
    """Recompute every line's rollup of the interval starting at `start` (upsert)."""
    start = interval_start(start)
    by_line: dict[str, list[CallFact]] = defaultdict(list)
    for fact in source.offered_between(session, start, start + INTERVAL):
        by_line[fact.line].append(fact)
    existing = {row.line: row for row in session.scalars(
        select(ServiceLevelInterval).where(ServiceLevelInterval.starts_at == start))}
    stored = {}
    for line in sorted(set(by_line) | set(existing)):
        r = rollup(by_line.get(line, []), settings)
        row = existing.get(line)
        if row is None:
            row = ServiceLevelInterval(line=line, starts_at=start)
            session.add(row)
        for name in ("offered", "answered", "answered_in_threshold", "abandoned",
                     "short_abandoned", "wait_seconds_total", "longest_wait_seconds"):
            setattr(row, name, getattr(r, name))
        row.computed_at = now
        stored[line] = row
    session.flush()
    return stored


def rollup_recent(session: Session, source: CallSource | None, now: datetime,
                  settings: LevelSettings, *, lookback: timedelta = timedelta(hours=1),
                  max_catch_up: timedelta = timedelta(days=2)) -> int:
    """The clock's job: recompute the current interval and the recent ones (late webhooks),
    reaching back to the last stored interval after downtime; alert supervisors once for
    each finished interval below target. Returns how many intervals were computed."""
    if source is None:
        return 0
    current = interval_start(now)
    last = session.scalar(select(func.max(ServiceLevelInterval.starts_at)))
    start = current - lookback
    if last is not None and last < start:
        start = max(last, current - max_catch_up)
    start = interval_start(start)
    count = 0
    notices = []
    while start <= current:
        rows = recompute_interval(session, source, start, now, settings)
        count += 1
        if start + INTERVAL <= now:
            notices += below_target_notices(rows.values(), settings)
        start += INTERVAL
    notices += day_below_target_notices(session, now, settings)
    notify_many(session, notices, now)
    return count


def _percent(rate: float) -> str:
    return f"{rate:.1%}" if round(rate * 100) != rate * 100 else f"{rate:.0%}"


def below_target_notices(rows: Iterable[ServiceLevelInterval],
                         settings: LevelSettings) -> list[Notice]:
    """R1/R2: one alert per finished interval and line below its service-level or
    answer-rate target."""
    notices = []
    for row in rows:
        targets = settings.targets(row.line)
        start = row.starts_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
        level, rate = row.service_level, row.answer_rate
        if level is not None and level < targets.service_level:
            notices.append(Notice(
                f"service-level:{row.line}:{row.starts_at.isoformat()}", "service_level",
                tr_here("Service level %(level)s below target %(target)s (interval from "
                        "%(start)s)", level=_percent(level),
                        target=_percent(targets.service_level), start=start),
                link="/sla/wallboard", severity="warning", role="supervisor"))
        if rate is not None and rate < targets.answer_rate:
            notices.append(Notice(
                f"answer-rate:{row.line}:{row.starts_at.isoformat()}", "service_level",
                tr_here("Answer rate %(rate)s below target %(target)s (interval from "
                        "%(start)s)", rate=_percent(rate),
                        target=_percent(targets.answer_rate), start=start),
                link="/sla/wallboard", severity="warning", role="supervisor"))
    return notices


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start.astimezone(timezone.utc), (start + timedelta(days=1)).astimezone(timezone.utc)


def day_below_target_notices(session: Session, now: datetime,
                             settings: LevelSettings) -> list[Notice]:
    """R2: the day that ended last (local) below a line's targets alerts supervisors once."""
    yesterday = now.astimezone(settings.zone).date() - timedelta(days=1)
    start, end = local_day_bounds(yesterday, settings.zone)
    lines = session.scalars(select(ServiceLevelInterval.line).where(
        ServiceLevelInterval.starts_at >= start, ServiceLevelInterval.starts_at < end)
        .distinct())
    notices = []
    for line in sorted(lines):
        day = summary(session, start, end, line)
        targets = settings.targets(line)
        for kind, rate, target, text in (
                ("answer-rate-day", day.answer_rate, targets.answer_rate,
                 N_("Answer rate of %(day)s was %(rate)s, below target %(target)s")),
                ("service-level-day", day.service_level, targets.service_level,
                 N_("Service level of %(day)s was %(rate)s, below target %(target)s"))):
            if rate is None or rate >= target:
                continue
            notices.append(Notice(
                f"{kind}:{line}:{yesterday.isoformat()}", "service_level",
                tr_here(text, day=yesterday.isoformat(), rate=_percent(rate),
                        target=_percent(target)),
                link=f"/sla/report?month={yesterday:%Y-%m}", severity="warning",
                role="supervisor"))
    return notices


@dataclass(frozen=True)
class Summary(LevelRates):
    offered: int
    answered: int
    answered_in_threshold: int
    abandoned: int
    longest_wait_seconds: float
    wait_seconds_total: float


def summary(session: Session, start: datetime, end: datetime,
            line: str | None = None) -> Summary:
    """Totals over the stored rollups of [start, end): one aggregate over the intervals, so
    a month's report reads ~3,000 rows whatever the number of calls."""
    t = ServiceLevelInterval
    stmt = select(func.coalesce(func.sum(t.offered), 0), func.coalesce(func.sum(t.answered), 0),
                  func.coalesce(func.sum(t.answered_in_threshold), 0),
                  func.coalesce(func.sum(t.abandoned), 0),
                  func.coalesce(func.max(t.longest_wait_seconds), 0.0),
                  func.coalesce(func.sum(t.wait_seconds_total), 0.0)).where(
        t.starts_at >= start, t.starts_at < end)
    if line is not None:
        stmt = stmt.where(t.line == line)
    row = session.execute(stmt).one()
    return Summary(int(row[0]), int(row[1]), int(row[2]), int(row[3]), float(row[4]),
                   float(row[5]))


def recent_intervals(session: Session, now: datetime, count: int = 8
                     ) -> list[ServiceLevelInterval]:
    return list(session.scalars(
        select(ServiceLevelInterval).where(ServiceLevelInterval.starts_at <= now)
        .order_by(ServiceLevelInterval.starts_at.desc(), ServiceLevelInterval.line)
        .limit(count)))


@dataclass(frozen=True)
class Waiting:
    call_id: int
    line: str
    waited_seconds: float
    caller: str = ""


def waiting_longer_than(session: Session, source: CallSource | None, now: datetime,
                        seconds: float) -> list[Waiting] | None:
    """Calls in the queue now that have waited more than `seconds` (the wallboard); None when
    no call source is registered."""
    if source is None:
        return None
    found = []
    for fact in source.waiting(session, now):
        waited = (now - (fact.entered_queue_at or fact.started_at)).total_seconds()
        if waited > seconds:
            found.append(Waiting(fact.call_id, fact.line, waited, fact.caller))
    return sorted(found, key=lambda w: -w.waited_seconds)


def intervals_between(session: Session, start: datetime, end: datetime,
                      line: str | None = None) -> list[ServiceLevelInterval]:
    stmt = select(ServiceLevelInterval).where(ServiceLevelInterval.starts_at >= start,
                                              ServiceLevelInterval.starts_at < end)
    if line is not None:
        stmt = stmt.where(ServiceLevelInterval.line == line)
    return list(session.scalars(stmt.order_by(ServiceLevelInterval.starts_at,
                                              ServiceLevelInterval.line)))
