"""Fakes for the SLA ports: the work-order, cluster, call and statistics sources that the
other packages register in production."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from sla.ports import (CallFact, ClusterCandidate, SubjectInfo, register_call_source,
                       register_cluster_source, register_subject)
from tests.sla.month_data import add_calls, build_orders
# The small utility of the work-order tests, for the reports and charts over real orders.
from tests.workorders.conftest import act, create, world  # noqa: F401 (fixtures)


@dataclass
class FakeOrders:
    """A SubjectDescriber and ClusterSource over in-memory "work orders"."""

    infos: dict[int, SubjectInfo] = field(default_factory=dict)
    opened: list[ClusterCandidate] = field(default_factory=list)
    calls: int = 0

    def add(self, subject_id: int, *, department_id=None, owner_user_id=None, area_id=None,
            category="leak", closed=False, opened_at: datetime | None = None) -> SubjectInfo:
        info = SubjectInfo("work_order", subject_id, f"WO-{subject_id}",
                           f"/workorders/WO-{subject_id}", department_id, owner_user_id,
                           area_id, category, closed)
        self.infos[subject_id] = info
        if opened_at is not None and area_id is not None:
            self.opened.append(ClusterCandidate(subject_id, category, area_id, opened_at))
        return info

    def __call__(self, session, ids):
        self.calls += 1
        return {i: self.infos[i] for i in ids if i in self.infos}

    def source(self, session, since, until):
        return [c for c in self.opened if since <= c.opened_at < until
                and not self.infos[c.subject_id].closed]


@dataclass
class FakeCalls:
    facts: list[CallFact] = field(default_factory=list)

    def offered_between(self, session, start, end):
        return [f for f in self.facts
                if start <= (f.entered_queue_at or f.started_at) < end]

    def waiting(self, session, now):
        return [f for f in self.facts if f.answered_at is None and f.ended_at is None]


@pytest.fixture
def orders(app):
    fake = FakeOrders()
    register_subject(app, "work_order", fake)
    register_cluster_source(app, fake.source)
    return fake


@pytest.fixture
def calls(app):
    fake = FakeCalls()
    register_call_source(app, fake)
    return fake


@pytest.fixture
def month(app, session, world, create, act, clock):
    """November 2026 with real orders and calls (tests/sla/month_data.py)."""
    orders = build_orders(world, create, act, clock)
    add_calls(session, app, clock)
    return orders
