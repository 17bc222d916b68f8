"""Console pages for outage notices (R25, R26): every role sees them; supervisors and
administrators announce, change, restore and cancel; anyone may report emergency progress."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from hotline.auth import roles
from hotline.auth.models import User
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.services import list_areas
from hotline.errors import Forbidden, NotFound
from hotline.extensions import db
from hotline.outages import services
from hotline.outages.forms import ActionForm, NoteForm, OutageForm, ReportForm
from hotline.outages.models import OUTAGE_STATUSES, OutageNotice
from hotline.outages.queries import list_outages
from hotline.outages.restoration import is_running, record_report, report_counts
from hotline.telephony.signature import public_base
from hotline.web.forms import choices, from_local, to_local
from hotline.web.transactions import act, submit

bp = Blueprint("outages", __name__, url_prefix="/outages")


def _outage(outage_id: int) -> OutageNotice:
    outage = db.session.get(OutageNotice, outage_id)
    if outage is None:
        raise NotFound(_("No such outage notice."))
    return outage


def _choices(form: OutageForm) -> None:
    locale = str(get_locale())
    form.areas.choices = choices(
        [(a.id, f"{a.name(locale)} ({a.code})") for a in list_areas(db.session)])
    managers = db.session.scalars(select(User).where(
        User.role.in_(roles.SUPERVISION), User.active.is_(True)).order_by(User.username))
    form.approver_id.choices = choices([(0, "—")] + [(u.id, u.label) for u in managers])


@bp.route("")
@login_required
@require_role(*roles.EVERYONE)
def index():
    status = request.args.get("status", "")
    area = request.args.get("area", type=int)
    rows, total = list_outages(db.session, area_id=area,
                               status=status if status in OUTAGE_STATUSES else None)
    return render_template("outages/index.html", rows=rows, total=total, status=status,
                           area=area, areas=list_areas(db.session), statuses=OUTAGE_STATUSES,
                           can_manage=services.can_manage(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*roles.SUPERVISION)
def create():
    if not services.can_manage(current_user):
        raise Forbidden(_("Only supervisors and administrators manage outage notices."))
    form = OutageForm()
    _choices(form)
    if request.method == "POST":
        return _submit(form, None, lambda fields: services.create_outage(
            db.session, current_user, kind=form.kind.data, **fields))
    return render_template("outages/form.html", form=form, outage=None)


@bp.route("/<int:outage_id>")
@login_required
@require_role(*roles.EVERYONE)
def detail(outage_id: int):
    outage = _outage(outage_id)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
        {n.author_id for n in outage.updates} | {outage.approved_by_id, outage.created_by_id}
        - {None})))}
    return render_template("outages/detail.html", outage=outage, people=people,
                           note_form=NoteForm(), action_form=ActionForm(),
                           report_form=ReportForm(), reports=report_counts(db.session, outage.id),
                           can_report=current_user.role in roles.HOTLINE
                           and is_running(outage, utcnow()),
                           can_manage=services.can_manage(current_user),
                           can_note=services.can_add_note(current_user, outage))


@bp.route("/<int:outage_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(*roles.SUPERVISION)
def edit(outage_id: int):
    outage = _outage(outage_id)
    if not services.can_manage(current_user):
        raise Forbidden(_("Only supervisors and administrators manage outage notices."))
    form = OutageForm(obj=None if request.method == "POST" else outage)
    _choices(form)
    if request.method == "GET":
        form.kind.data = outage.kind
        form.areas.data = [a.id for a in outage.areas]
        form.start_at.data = to_local(outage.start_at)
        form.expected_end_at.data = to_local(outage.expected_end_at)
        form.approver_id.data = outage.approved_by_id or 0
    if request.method == "POST":
        return _submit(form, outage, lambda fields: services.update_outage(
            db.session, outage, current_user, **fields))
    return render_template("outages/form.html", form=form, outage=outage)


@bp.route("/<int:outage_id>/notes", methods=["POST"])
@login_required
@require_role(*roles.EVERYONE)
def add_note(outage_id: int):
    outage = _outage(outage_id)
    form = NoteForm()
    if not form.validate_on_submit():
        flash(_("The note was not saved: write a note (and reload the page if it expired)."),
              "error")
        return redirect(url_for("outages.detail", outage_id=outage_id))
    return act(lambda: services.add_progress_note(db.session, outage, current_user,
                                                  form.note.data, now=utcnow()),
               saved_message=_("Progress note added."),
               next_url=lambda _note: url_for("outages.detail", outage_id=outage_id))


ACTIONS = {"start": services.start_outage, "restore": services.restore_outage,
           "cancel": services.cancel_outage}


def _restore(session, outage, actor, *, now):
    """Restore, telling the callers who reported against it (times in the utility's zone,
    the call's TwiML at the public URL Twilio reaches)."""
    return services.restore_outage(
        session, outage, actor, now=now, zone=ZoneInfo(current_app.config["HOTLINE_TIMEZONE"]),
        public_base=public_base())


ACTIONS["restore"] = _restore


@bp.route("/<int:outage_id>/<any(start, restore, cancel):action>", methods=["POST"])
@login_required
@require_role(*roles.SUPERVISION)
def change_status(outage_id: int, action: str):
    outage = _outage(outage_id)
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("outages.detail", outage_id=outage_id))
    return act(lambda: ACTIONS[action](db.session, outage, current_user, now=utcnow()),
               saved_message=_("Outage status changed."),
               next_url=lambda _outage: url_for("outages.detail", outage_id=outage_id))


@bp.route("/<int:outage_id>/reports", methods=["POST"])
@login_required
@require_role(*roles.HOTLINE)
def add_report(outage_id: int):
    """An agent records a caller's no-water report against the outage (no work order)."""
    outage = _outage(outage_id)
    form = ReportForm()
    if not form.validate_on_submit():
        flash(_("The report was not recorded: give the caller's phone (and reload the page "
                "if it expired)."), "error")
        return redirect(url_for("outages.detail", outage_id=outage_id))
    return act(lambda: record_report(db.session, outage, phone=form.phone.data,
                                     language=form.language.data, source="agent",
                                     wants_call=form.wants_call.data, actor=current_user,
                                     now=utcnow()),
               saved_message=_("The report is recorded against the outage; the caller is "
                               "told when water is back."),
               next_url=lambda _report: url_for("outages.detail", outage_id=outage_id),
               refused=lambda _err: redirect(url_for("outages.detail", outage_id=outage_id)))


def _submit(form: OutageForm, outage, save):
    done, status = submit(form, lambda: save(dict(
        area_ids=form.areas.data, start_at=from_local(form.start_at.data),
        expected_end_at=from_local(form.expected_end_at.data), cause=form.cause.data,
        extent=form.extent.data, approver_id=form.approver_id.data or None,
        urgent=form.urgent.data, now=utcnow())),
        saved_message=_("Outage notice saved."),
        next_url=lambda saved: url_for("outages.detail", outage_id=(outage or saved).id))
    return done or (render_template("outages/form.html", form=form, outage=outage), status)
