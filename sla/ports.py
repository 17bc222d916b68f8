"""What the SLA engine needs from the packages it watches, as small protocols. `sla` never
imports workorders or ivr: the composition root registers implementations here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from flask import Flask
from sqlalchemy.orm import Session

from hotline.registry import registry


@dataclass(frozen=True)
class SubjectInfo:
    """Who a deadline concerns, for warnings and escalations."""

    subject_type: str
    subject_id: int
    label: str  # e.g. the work-order number
    link: str  # console path
    department_id: int | None = None
    owner_user_id: int | None = None
    area_id: int | None = None
    category: str | None = None
    closed: bool = False
    # R28: the staff member the subject (a complaint) is about hears nothing of it.
    recused_user_id: int | None = None


class SubjectDescriber(Protocol):
    def __call__(self, session: Session, ids: list[int]) -> dict[int, SubjectInfo]: ...


@dataclass(frozen=True)
class ClusterCandidate:
    subject_id: int
    category: str
    area_id: int
    opened_at: datetime


class ClusterSource(Protocol):
    """Open subjects (work orders) opened in [since, until), for R13 cluster detection."""

    def __call__(self, session: Session, since: datetime,
                 until: datetime) -> list[ClusterCandidate]: ...


@dataclass(frozen=True)
class CallFact:
    """One call as the service level sees it (R1, R2)."""

    call_id: int
    started_at: datetime
    entered_queue_at: datetime | None
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: str | None  # self_served | answered | abandoned | callback | voicemail | None
    line: str = "hotline"
    caller: str = ""  # masked (+86138****5678): shown on the wallboard


class CallSource(Protocol):
    def offered_between(self, session: Session, start: datetime,
                        end: datetime) -> Iterable[CallFact]:
        """Calls offered to agents (entered the queue) in [start, end)."""

    def waiting(self, session: Session, now: datetime) -> list[CallFact]:
        """Calls in the queue right now, not yet answered."""


@dataclass(frozen=True)
class AgentStateFact:
    """One agent on the wallboard: their state since when (DESIGN.md "People at work")."""

    name: str
    state: str  # available | on_call | wrap_up | break
    label: str  # the state (and a break's reason) in the viewer's language
    since: datetime


class AgentBoard(Protocol):
    def __call__(self, session: Session, now: datetime) -> list[AgentStateFact]:
        """The agents signed in now (not offline), by name."""


@dataclass(frozen=True)
class CategoryCount:
    area_id: int | None
    category: str
    count: int


@dataclass(frozen=True)
class OrderFigures:
    """Work-order KPIs of a period (R12, R13, R23). Rates are fractions in [0, 1], or None when
    nothing was counted (no follow-ups due, no survey answers...)."""

    follow_up_rate: float | None  # follow-up calls made / follow-ups due
    satisfaction_rate: float | None  # satisfied / follow-up answers
    reopen_rate: float | None  # reopened / resolved
    top_categories: list[CategoryCount] = field(default_factory=list)  # by area, largest first
    repeat_complaints: int = 0  # R13: orders opened in the period that repeat an earlier one


class OrderStats(Protocol):
    """Figures only the work-order package can compute, for [start, end)."""

    def __call__(self, session: Session, start: datetime, end: datetime) -> OrderFigures: ...


@dataclass
class DepartmentCounts:
    """One department's work-order counts over a period (P2 assessment). Returns count for
    the department whose staff returned the order; everything else for the order's
    department. `department_id` None: orders without a department (e.g. answered on the
    call)."""

    department_id: int | None
    opened: int = 0  # orders opened in the period
    received: int = 0  # dispatches to the department in the period (re-dispatches too)
    resolved_orders: int = 0  # distinct orders resolved in the period: follow-ups due (R23)
    followed_up: int = 0  # of those, orders that got a follow-up call (answered or not)
    follow_up_answers: int = 0  # follow-up calls answered (satisfied + unsatisfied)
    satisfied: int = 0
    resolutions: int = 0  # resolve events (an order resolved twice counts twice)
    reopened: int = 0  # unsatisfied follow-ups that reopened the order (R12)
    returns: int = 0  # orders returned by the department (退单, P3)
    extensions: int = 0  # extensions approved (R15)


@dataclass(frozen=True)
class OrderReportFigures:
    """Work-order figures of a period for the monthly report, the assessment and the charts,
    from one set of grouped queries: totals are the sums over `departments`."""

    departments: dict[int | None, DepartmentCounts]
    by_category_area: list[CategoryCount]  # orders opened, every category and area
    category_names: dict[str, tuple[str, str]]  # code -> (zh_CN, en)
    enquiries: int  # orders of the enquiry categories opened in the period (P1)
    enquiries_answered_on_call: int  # of those, closed on the call (direct answers, P1)
    closed_on_call: int  # orders of any category opened and closed on the call (R6)
    complaints_resolved: int  # complaint resolutions in the period (R18)
    complaint_hours: float | None  # their mean hours from opening to resolution
    repeated_complaints: int | None = None  # R13 repeats (None: not known to the package)
    # P1: orders opened in the period and closed on the call citing a knowledge-base
    # article, and those of them outside the enquiry categories (a caller who reported no
    # water, answered from the outage FAQ): direct answers the enquiry count leaves out.
    cited_on_call: int = 0
    cited_outside_enquiries: int = 0


class OrderReport(Protocol):
    def __call__(self, session: Session, start: datetime,
                 end: datetime) -> OrderReportFigures: ...


@dataclass(frozen=True)
class BacklogPoint:
    """Orders at the end of one period: still open, and open with a clock past due."""

    start: datetime
    end: datetime
    opened: int
    finished: int  # closed, merged or cancelled in the period
    open_at_end: int
    overdue_at_end: int


class OrderBacklog(Protocol):
    def __call__(self, session: Session,
                 periods: list[tuple[datetime, datetime]]) -> list[BacklogPoint]: ...


class ListLink(Protocol):
    """The console URL of a list (orders or calls) with these filters, e.g.
    `orders_link(category="leak", area="north", opened_from=date, opened_to=date)`."""

    def __call__(self, **filters: object) -> str: ...


@dataclass(frozen=True)
class SubjectTable:
    """Where a subject type's rows live (an ORM entity and its id and department columns),
    so the KPIs count a month's deadlines by department in one SQL aggregate instead of
    describing every subject (issue 13: 7.5 s for a month at 1,000,000 orders a year)."""

    entity: Any
    id: Any
    department_id: Any


@dataclass
class SlaPorts:
    subjects: dict[str, SubjectDescriber] = field(default_factory=dict)
    subject_tables: dict[str, SubjectTable] = field(default_factory=dict)
    clusters: ClusterSource | None = None
    calls: CallSource | None = None
    agent_board: AgentBoard | None = None
    order_stats: OrderStats | None = None
    order_report: OrderReport | None = None
    order_backlog: OrderBacklog | None = None
    orders_link: ListLink | None = None
    calls_link: ListLink | None = None
    categories: set[str] = field(default_factory=set)


def ports(app: Flask | None = None) -> SlaPorts:
    return registry(app).port(SlaPorts)


def register_subject(app: Flask, subject_type: str, describer: SubjectDescriber,
                     table: SubjectTable | None = None) -> None:
    """The describer of a subject type, and the table its rows live in when the KPIs may
    count it in SQL (a describer without a table is counted row by row)."""
    p = ports(app)
    p.subjects[subject_type] = describer
    if table is None:
        p.subject_tables.pop(subject_type, None)
    else:
        p.subject_tables[subject_type] = table


def register_cluster_source(app: Flask, source: ClusterSource) -> None:
    ports(app).clusters = source


def register_call_source(app: Flask, source: CallSource) -> None:
    ports(app).calls = source


def register_order_stats(app: Flask, stats: OrderStats) -> None:
    ports(app).order_stats = stats


def register_categories(app: Flask, codes: Iterable[str]) -> None:
    """The subject categories that exist (for `hotline sla due` and the policy pages)."""
    ports(app).categories.update(codes)
