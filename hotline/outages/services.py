"""Outage notices (R25, R26): create with the lead-time rule, update, progress notes, status
changes, and the clock job that activates notices whose start has come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.auth import roles
from hotline.auth.models import User
from hotline.directory.models import Area
from hotline.errors import Conflict, Forbidden, ValidationFailed
from hotline.i18n import tr as _
from hotline.i18n import Localized, tr_install
from hotline.notifications.services import notify
from hotline.outages.models import OUTAGE_KINDS, OutageNotice, OutageUpdate
from hotline.outages.restoration import notify_reporters
from hotline.outages.rules import can_move, check_lead_time, initial_status


def can_manage(user: User) -> bool:
    return user.role in roles.SUPERVISION


def can_add_note(user: User, outage: OutageNotice) -> bool:
    return can_manage(user) or (outage.kind == "emergency" and user.role in roles.EVERYONE)


def _require_manager(actor: User) -> None:
    if not can_manage(actor):
        raise Forbidden(_("Only supervisors and administrators manage outage notices."))


def _load_areas(session: Session, area_ids: Sequence[int], fields: dict) -> list[Area]:
    ids = sorted({int(i) for i in area_ids or []})
    if not ids:
        fields["areas"] = _("Choose at least one area.")
        return []
    areas = list(session.scalars(select(Area).where(Area.id.in_(ids))))
    if len(areas) != len(ids):
        fields["areas"] = _("Unknown area.")
    return areas


def _approver(session: Session, approver_id: int | None, fields: dict) -> User | None:
    if approver_id is None:
        return None
    user = session.get(User, approver_id)
    if user is None or not user.active or user.role not in roles.SUPERVISION:
        fields["approver_id"] = _("The approver must be an active supervisor or administrator.")
        return None
    return user


def _check_times(start: datetime | None, end: datetime | None, fields: dict) -> bool:
    for name, value in (("start_at", start), ("expected_end_at", end)):
        if value is None:
            fields[name] = _("Required.")
        elif value.tzinfo is None:
            fields[name] = _("Give a time zone.")
    if "start_at" in fields or "expected_end_at" in fields:
        return False
    if end <= start:
        fields["expected_end_at"] = _("The expected restoration must be after the start.")
        return False
    return True


def _check_r25(kind: str, start: datetime, end: datetime, now: datetime,
               approver: User | None, urgent: bool, fields: dict) -> None:
    check = check_lead_time(kind, start, end, now, has_approver=approver is not None)
    if check.ok or urgent:
        return
    if check.short_notice:
        if check.long_outage:
            fields["start_at"] = _(
                "R25: a planned outage longer than 12 hours must be announced at least "
                "48 hours ahead. Start later, or have a supervisor mark it urgent.")
        else:
            fields["start_at"] = _(
                "R25: a planned outage of up to 12 hours must be announced at least "
                "24 hours ahead. Start later, or have a supervisor mark it urgent.")
    if check.needs_approval:
        fields["approver_id"] = _(
            "R25: a planned outage longer than 12 hours needs an approver "
            "(a supervisor or administrator).")


def create_outage(session: Session, actor: User, *, kind: str, area_ids: Sequence[int],
                  start_at: datetime | None, expected_end_at: datetime | None, cause: str,
                  now: datetime, extent: str = "", approver_id: int | None = None,
                  urgent: bool = False) -> OutageNotice:
    """Announce an outage. Planned ones obey R25's lead time unless marked urgent, which
    only a supervisor or administrator may do (and which counts as their approval)."""
    _require_manager(actor)
    fields: dict[str, str] = {}
    if kind not in OUTAGE_KINDS:
        fields["kind"] = _("Choose planned or emergency.")
    cause = (cause or "").strip()
    if not cause:
        fields["cause"] = _("Give the cause (R25: announce cause, time, extent and restoration).")
    areas = _load_areas(session, area_ids, fields)
    approver = _approver(session, approver_id, fields)
    if urgent and actor.role not in roles.SUPERVISION:
        fields["urgent"] = _("Only a supervisor may mark an outage urgent.")
    if _check_times(start_at, expected_end_at, fields) and kind in OUTAGE_KINDS:
        _check_r25(kind, start_at, expected_end_at, now, approver, urgent, fields)
    if fields:
        raise ValidationFailed(_("The outage notice was not saved."), fields=fields)
    if urgent and approver is None and kind == "planned":
        approver = actor
    outage = OutageNotice(
        kind=kind, status=initial_status(start_at, now), cause=cause,
        extent=(extent or "").strip(), start_at=start_at, expected_end_at=expected_end_at,
        approved_by_id=approver.id if approver else None, urgent=bool(urgent),
        created_by_id=actor.id, created_at=now, updated_at=now, areas=areas)
    session.add(outage)
    session.flush()
    # R26: every unit (and the agents answering callers) sees the notice.
    # The areas in each reader's language (the title is stored once, read by many).
    places = Localized({"zh_CN": "、".join(a.name_zh for a in areas),
                        "en": ", ".join(a.name_en for a in areas)})
    title = (tr_install("Planned outage: %(areas)s", areas=places) if kind == "planned"
             else tr_install("Emergency outage: %(areas)s", areas=places))
    notify(session, dedupe_key=f"outage:{outage.id}:announced", kind="outage", title=title,
           body=cause, link=f"/outages/{outage.id}", now=now, role="agent",
           severity="warning" if kind == "emergency" else "info")
    return outage


def update_outage(session: Session, outage: OutageNotice, actor: User, *, now: datetime,
                  area_ids: Sequence[int] | None = None, start_at: datetime | None = None,
                  expected_end_at: datetime | None = None, cause: str | None = None,
                  extent: str | None = None, approver_id: int | None = None,
                  urgent: bool | None = None) -> OutageNotice:
    """Change an open notice. Moving a scheduled planned outage is checked against R25
    again (from now); a running outage may only change its restoration time and text."""
    _require_manager(actor)
    if outage.status not in ("scheduled", "active"):
        raise Conflict(_("A restored or cancelled outage cannot be changed."))
    fields: dict[str, str] = {}
    start = start_at if start_at is not None else outage.start_at
    end = expected_end_at if expected_end_at is not None else outage.expected_end_at
    if outage.status == "active" and start_at is not None and start_at != outage.start_at:
        fields["start_at"] = _("The outage has started; its start cannot move.")
    if cause is not None and not cause.strip():
        fields["cause"] = _("Give the cause (R25: announce cause, time, extent and restoration).")
    areas = _load_areas(session, area_ids, fields) if area_ids is not None else outage.areas
    approver = (_approver(session, approver_id, fields) if approver_id is not None
                else (session.get(User, outage.approved_by_id) if outage.approved_by_id
                      else None))
    is_urgent = outage.urgent if urgent is None else bool(urgent)
    if _check_times(start, end, fields) and outage.status == "scheduled" and (
            start != outage.start_at or end != outage.expected_end_at
            or approver_id is not None):
        _check_r25(outage.kind, start, end, now, approver, is_urgent, fields)
    if fields:
        raise ValidationFailed(_("The outage notice was not saved."), fields=fields)
    outage.start_at, outage.expected_end_at = start, end
    outage.areas = list(areas)
    if cause is not None:
        outage.cause = cause.strip()
    if extent is not None:
        outage.extent = extent.strip()
    if is_urgent and approver is None and outage.kind == "planned":
        approver = actor
    outage.approved_by_id = approver.id if approver else None
    outage.urgent = is_urgent
    outage.updated_at = now
    session.flush()
    return outage


def add_progress_note(session: Session, outage: OutageNotice, actor: User, note: str, *,
                      now: datetime) -> OutageUpdate:
    """R26: emergency repairs report progress; the hotline passes it on to callers."""
    if not can_add_note(actor, outage):
        raise Forbidden(_("Only supervisors and administrators add notes to planned outages."))
    if outage.status not in ("scheduled", "active"):
        raise Conflict(_("A restored or cancelled outage takes no more progress notes."))
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(_("The note was not saved."), fields={"note": _("Required.")})
    update = OutageUpdate(notice=outage, note=text, author_id=actor.id, created_at=now)
    session.add(update)
    outage.updated_at = now
    session.flush()
    return update


def _move(outage: OutageNotice, target: str, now: datetime) -> None:
    if not can_move(outage.status, target):
        raise Conflict(_("An outage that is %(status)s cannot become %(target)s.",
                         status=outage.status, target=target))
    outage.status = target
    outage.updated_at = now


def start_outage(session: Session, outage: OutageNotice, actor: User, *,
                 now: datetime) -> OutageNotice:
    _require_manager(actor)
    _move(outage, "active", now)
    if now < outage.start_at:
        outage.start_at = now
    session.flush()
    return outage


def restore_outage(session: Session, outage: OutageNotice, actor: User, *, now: datetime,
                   zone: tzinfo | None = None, public_base: str = "") -> OutageNotice:
    """Supply is back: callers who reported against the outage get their SMS (and call)
    through the outbox (`zone` words the time, `public_base` is where Twilio fetches the
    call's TwiML). Restoring a restored outage changes and sends nothing."""
    _require_manager(actor)
    if outage.status == "restored":
        return outage
    _move(outage, "restored", now)
    outage.restored_at = now
    session.flush()
    notify_reporters(session, outage, now=now, zone=zone, public_base=public_base)
    return outage


def cancel_outage(session: Session, outage: OutageNotice, actor: User, *,
                  now: datetime) -> OutageNotice:
    _require_manager(actor)
    _move(outage, "cancelled", now)
    session.flush()
    return outage


def activate_due_outages(session: Session, now: datetime) -> list[int]:
    """Clock job: scheduled notices whose start has come become active. Returns their ids."""
    due = list(session.scalars(
        select(OutageNotice).where(OutageNotice.status == "scheduled",
                                   OutageNotice.start_at <= now)
        .order_by(OutageNotice.id).with_for_update(skip_locked=True)))
    for outage in due:
        outage.status = "active"
        outage.updated_at = now
    session.flush()
    return [o.id for o in due]
