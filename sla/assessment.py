"""The monthly department assessment (考核, P2): acceptance on time (R14), on-time
completion (R18–R20), follow-up rate and satisfaction (R23), returns (P3), ranked, with the
change from the previous month.

Score: the mean of the rates a department has figures for — acceptance on time, on-time
completion, follow-up rate, satisfaction and 1 − return rate (returns / orders received) —
times 100. A department with none of the first four has no score and no rank. Departments with equal
scores share a rank (1, 2, 2, 4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.directory.models import Department
from sla import kpis
from sla.ports import DepartmentCounts, SlaPorts
from sla.reports import (ACCEPT_KINDS, COMPLETION_KINDS, combined, previous_month, rate)


@dataclass
class DepartmentScore:
    department_id: int
    counts: DepartmentCounts
    acceptance: kpis.OnTime
    completion: kpis.OnTime
    score: float | None = None
    rank: int | None = None
    previous: DepartmentScore | None = None

    @property
    def follow_up_rate(self) -> float | None:
        return rate(self.counts.followed_up, self.counts.resolved_orders)

    @property
    def satisfaction(self) -> float | None:
        return rate(self.counts.satisfied, self.counts.follow_up_answers)

    @property
    def return_rate(self) -> float | None:
        return rate(self.counts.returns, self.counts.received)

    def rates(self) -> list[float]:
        """The rates that count towards the score (those with figures). The return rate
        counts only beside at least one of the others: few returns alone earn no rank."""
        found = [r for r in (self.acceptance.rate, self.completion.rate, self.follow_up_rate,
                             self.satisfaction) if r is not None]
        if found and self.return_rate is not None:
            found.append(1 - min(self.return_rate, 1.0))
        return found

    @property
    def score_change(self) -> float | None:
        if self.score is None or self.previous is None or self.previous.score is None:
            return None
        return round(self.score - self.previous.score, 1)

    @property
    def rank_change(self) -> int | None:
        """Places gained since the previous month (positive: moved up)."""
        if self.rank is None or self.previous is None or self.previous.rank is None:
            return None
        return self.previous.rank - self.rank


@dataclass
class Assessment:
    year: int
    month: int
    available: bool  # False: the work-order package registered no figures
    ranked: list[DepartmentScore] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def ranked_count(self) -> int:
        return sum(1 for s in self.ranked if s.rank is not None)


def _scores(session: Session, ports: SlaPorts, year: int, month: int, zone: ZoneInfo,
            department_ids: list[int]) -> tuple[bool, list[DepartmentScore]]:
    start, end = kpis.month_bounds(year, month, zone)
    rates = kpis.on_time_rates(session, ports, start, end)
    figures = ports.order_report(session, start, end) if ports.order_report else None
    counts = figures.departments if figures else {}
    scores = []
    for department_id in department_ids:
        item = DepartmentScore(department_id,
                               counts.get(department_id) or DepartmentCounts(department_id),
                               combined(rates, ACCEPT_KINDS, department_id),
                               combined(rates, COMPLETION_KINDS, department_id))
        found = item.rates()
        item.score = round(100 * sum(found) / len(found), 1) if found else None
        scores.append(item)
    scored = sorted((s for s in scores if s.score is not None), key=lambda s: -s.score)
    for position, item in enumerate(scored, start=1):
        same = position > 1 and scored[position - 2].score == item.score
        item.rank = scored[position - 2].rank if same else position
    return figures is not None, scores


def assessment(session: Session, ports: SlaPorts, year: int, month: int,
               zone: ZoneInfo) -> Assessment:
    """Every department, ranked by score (unscored ones last, by code), each with its
    previous month."""
    departments = list(session.scalars(select(Department).order_by(Department.code)))
    ids = [d.id for d in departments]
    code = {d.id: d.code for d in departments}
    available, scores = _scores(session, ports, year, month, zone, ids)
    _, before = _scores(session, ports, *previous_month(year, month), zone, ids)
    previous = {s.department_id: s for s in before}
    for item in scores:
        item.previous = previous[item.department_id]
    scores.sort(key=lambda s: (s.rank is None, s.rank or 0, code[s.department_id]))
    return Assessment(year, month, available, scores)
