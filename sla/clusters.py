"""R13: clustered complaints. N open subjects of one category in one area within a window
form a cluster; the supervisors hear about it and an escalation clock (by the second working
day) starts on the cluster. A later subject of the same kind joins the open cluster."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import add_once
from hotline.errors import Conflict, NotFound, ValidationFailed
from hotline.i18n import tr_here
from hotline.web.labels import coded
from sla import clocks
from sla.deadline_math import Limit
from sla.models import Cluster, ClusterMember
from sla.notices import Notice, notify_many
from sla.ports import SlaPorts, SubjectInfo
from sla.settings import SlaContext

ESCALATION = Limit(working_days=2)  # R13, when no active policy says otherwise


@dataclass
class ClusterResult:
    created: list[int] = field(default_factory=list)
    joined: list[tuple[int, int]] = field(default_factory=list)  # (cluster id, subject id)


def window_start(now: datetime, window: timedelta | None, ctx: SlaContext) -> datetime:
    """R13: complaints "within a working day" by default (window None: since local
    midnight, so 09:00, 12:00 and 15:30 of one day cluster); a configured window slides."""
    if window:
        return now - window
    local = now.astimezone(ctx.zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def detect_clusters(session: Session, ports: SlaPorts, now: datetime, *, size: int,
                    window: timedelta | None, ctx: SlaContext) -> ClusterResult:
    result = ClusterResult()
    if ports.clusters is None:
        return result
    if size < 2:
        raise ValidationFailed(_("a cluster needs at least 2 subjects"), fields={"size": size})
    candidates = ports.clusters(session, window_start(now, window, ctx),
                                now + timedelta(microseconds=1))
    groups: dict[tuple[str, int], set[int]] = defaultdict(set)
    for c in candidates:
        groups[(c.category, c.area_id)].add(c.subject_id)
    all_ids = {i for ids in groups.values() for i in ids}
    already = set(session.scalars(
        select(ClusterMember.subject_id).where(ClusterMember.subject_id.in_(all_ids)))
    ) if all_ids else set()
    for (category, area_id), ids in sorted(groups.items()):
        fresh = sorted(ids - already)
        if not fresh:
            continue
        cluster = session.scalar(select(Cluster).where(
            Cluster.category == category, Cluster.area_id == area_id, Cluster.status == "open"))
        if cluster is None:
            if len(ids) < size:
                continue
            cluster = _open_cluster(session, category, area_id, now, ctx, result)
        for subject_id in fresh:
            member = ClusterMember(cluster_id=cluster.id, subject_id=subject_id, added_at=now)
            _member, added = add_once(session, member, ClusterMember, cluster_id=cluster.id,
                                      subject_id=subject_id)
            if added and cluster.id not in result.created:
                result.joined.append((cluster.id, subject_id))
    session.flush()
    return result


def _open_cluster(session: Session, category: str, area_id: int, now: datetime,
                  ctx: SlaContext, result: ClusterResult) -> Cluster:
    cluster, created = add_once(
        session, Cluster(category=category, area_id=area_id, subject_type="work_order",
                         status="open", opened_at=now, note=""),
        Cluster, category=category, area_id=area_id, status="open")
    if not created:
        return cluster
    session.flush()
    result.created.append(cluster.id)
    started = clocks.start_clocks(session, ("cluster", cluster.id), category, None,
                                  starts_on="cluster", now=now, ctx=ctx)
    if not any(d.kind == "escalate_cluster" for d in started):
        clocks.start_clock(session, ("cluster", cluster.id), "escalate_cluster", ESCALATION,
                           now=now, rule="R13", ctx=ctx)
    notify_many(session, [Notice(
        f"cluster:{cluster.id}", "sla_cluster",
        tr_here("Cluster of %(category)s reports in one area: escalate by the second "
                "working day", category=coded("category", category)),
        link=f"/sla/clusters/{cluster.id}", severity="danger", role="supervisor")], now)
    return cluster


def close_cluster(session: Session, cluster_id: int, *, user_id: int | None, note: str,
                  now: datetime) -> Cluster:
    """The manager handled the cluster (R13): the escalation clock is met."""
    cluster = session.get(Cluster, cluster_id)
    if cluster is None:
        raise NotFound(_("no such cluster"))
    if cluster.status != "open":
        raise Conflict(_("this cluster is already closed"))
    if not (note or "").strip():
        raise ValidationFailed(_("Say how the cluster was handled."),
                               fields={"note": "required"})
    cluster.status = "closed"
    cluster.closed_at = now
    cluster.closed_by_user_id = user_id
    cluster.note = note.strip()
    clocks.meet(session, ("cluster", cluster.id), ["escalate_cluster"], now=now)
    return cluster


def describe_clusters(session: Session, ids: list[int]) -> dict[int, SubjectInfo]:
    """The SubjectDescriber for ("cluster", id) deadlines."""
    rows = session.scalars(select(Cluster).where(Cluster.id.in_(ids)))
    return {c.id: SubjectInfo(subject_type="cluster", subject_id=c.id,
                              label=tr_here("cluster #%(id)s (%(category)s)", id=c.id,
                                            category=coded("category", c.category)),
                              link=f"/sla/clusters/{c.id}", area_id=c.area_id,
                              category=c.category, closed=c.status != "open")
            for c in rows}


def open_clusters(session: Session) -> list[Cluster]:
    return list(session.scalars(select(Cluster).where(Cluster.status == "open")
                                .order_by(Cluster.opened_at.desc())))
