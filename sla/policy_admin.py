"""Admin edits of the SLA policies. A change applies to clocks started afterwards; running
clocks keep the limit they started with (their rows carry it)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.errors import NotFound, ValidationFailed
from sla.models import SlaPolicy
from sla.policies import KINDS, PRIORITIES, STARTS_ON


def list_policies(session: Session) -> list[SlaPolicy]:
    rows = session.scalars(select(SlaPolicy))
    return sorted(rows, key=lambda p: (STARTS_ON.index(p.starts_on) if p.starts_on in STARTS_ON
                                       else 99, p.category != "*", p.category,
                                       KINDS.index(p.kind) if p.kind in KINDS else 99,
                                       p.area_kind or "",
                                       PRIORITIES.index(p.priority) if p.priority in PRIORITIES
                                       else -1))


def update_policy(session: Session, policy_id: int, *, limit_minutes: int | None,
                  limit_working_days: int | None, warn_ratio: float,
                  active: bool) -> SlaPolicy:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(_("no such policy"))
    fields = {}
    if (limit_minutes is None) == (limit_working_days is None):
        fields["limit_minutes"] = "give either minutes or working days"
    if limit_minutes is not None and not 1 <= limit_minutes <= 60 * 24 * 90:
        fields["limit_minutes"] = "between 1 minute and 90 days"
    if limit_working_days is not None and not 0 <= limit_working_days <= 60:
        fields["limit_working_days"] = "between 0 (the same day) and 60 working days"
    if warn_ratio is None or not 0.05 <= warn_ratio <= 0.99:
        fields["warn_ratio"] = "between 0.05 and 0.99"
    if fields:
        raise ValidationFailed(_("the policy is not valid"), fields=fields)
    if policy.priority is not None:
        _check_tier(session, policy, limit_minutes)
    policy.limit_minutes = limit_minutes
    policy.limit_working_days = limit_working_days
    policy.warn_ratio = warn_ratio
    policy.active = bool(active)
    session.flush()
    return policy


def _check_tier(session: Session, policy: SlaPolicy, limit_minutes: int | None) -> None:
    """R14: a priority tier may only shorten the limit every other priority gets (20
    minutes to accept by default), never lengthen it."""
    base = session.scalar(select(SlaPolicy).where(
        SlaPolicy.category == policy.category, SlaPolicy.kind == policy.kind,
        SlaPolicy.starts_on == policy.starts_on, SlaPolicy.priority.is_(None),
        SlaPolicy.area_kind.is_(None) if policy.area_kind is None
        else SlaPolicy.area_kind == policy.area_kind))
    if base is None or base.limit_minutes is None:
        return
    if limit_minutes is None or limit_minutes > base.limit_minutes:
        raise ValidationFailed(
            _("R14: a priority tier may only shorten the limit of %(minutes)s minutes",
              minutes=base.limit_minutes),
            fields={"limit_minutes": f"at most {base.limit_minutes}"})
