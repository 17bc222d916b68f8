"""What the SLA engine needs from the packages it watches, as small protocols. `sla` never
imports workorders or ivr: the composition root registers implementations here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

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
class SlaPorts:
    subjects: dict[str, SubjectDescriber] = field(default_factory=dict)
    clusters: ClusterSource | None = None
    calls: CallSource | None = None
    order_stats: OrderStats | None = None
    categories: set[str] = field(default_factory=set)


def ports(app: Flask | None = None) -> SlaPorts:
    return registry(app).port(SlaPorts)


def register_subject(app: Flask, subject_type: str, describer: SubjectDescriber) -> None:
    ports(app).subjects[subject_type] = describer


def register_cluster_source(app: Flask, source: ClusterSource) -> None:
    ports(app).clusters = source


def register_call_source(app: Flask, source: CallSource) -> None:
    ports(app).calls = source


def register_order_stats(app: Flask, stats: OrderStats) -> None:
    ports(app).order_stats = stats


def register_categories(app: Flask, codes: Iterable[str]) -> None:
    """The subject categories that exist (for `hotline sla due` and the policy pages)."""
    ports(app).categories.update(codes)
