"""Console: customer search and the household file (R30), for those with a need (R27)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from hotline.auth import roles
from hotline.auth.permissions import require_role
from hotline.clock import utcnow
from hotline.directory.phones import try_e164
from hotline.directory.presenters import phones_for
from hotline.directory.services import account_by_number, search_accounts
from hotline.errors import NotFound
from hotline.extensions import db
from hotline.outages.queries import active_or_upcoming
from hotline.registry import registry

bp = Blueprint("customers", __name__, url_prefix="/customers")
PAGE_SIZE = 50


@bp.route("")
@login_required
@require_role(*roles.HOTLINE)
def search():
    phone = request.args.get("phone", "").strip()
    account = request.args.get("account", "").strip()
    q = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    searched = bool(phone or account or q)
    rows, total = ([], 0)
    if searched:
        rows, total = search_accounts(db.session, phone=phone, account=account, q=q,
                                      limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    return render_template("customers/search.html", rows=rows, total=total, page=page,
                           page_size=PAGE_SIZE, searched=searched, phone=phone,
                           account=account, q=q,
                           bad_phone=bool(phone) and try_e164(phone) is None,
                           phones={a.id: phones_for(current_user, a) for a in rows})


@bp.route("/<account_number>")
@login_required
@require_role(*roles.HOTLINE)
def detail(account_number: str):
    account = account_by_number(db.session, account_number)
    if account is None:
        raise NotFound(f"no customer account {account_number}")
    sections = registry().sections()
    return render_template(
        "customers/detail.html", account=account, phones=phones_for(current_user, account),
        outages=active_or_upcoming(db.session, account.area_id, utcnow()),
        sections=[(s.template, s.context(account, current_user)) for s in sections])
