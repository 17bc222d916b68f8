"""An order action posted from a console page (the order page, the crew's phone page): the
form's fields parsed, the action done once per form (`services.once`), the answer flashed.
Bad fields give the page again with 422 and change nothing."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import marshmallow as ma
from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from hotline.clock import utcnow
from hotline.extensions import db
from hotline.web.transactions import act as act_on
from sla.settings import current_context
from workorders import labels, schemas
from workorders.services import inputs
from workorders.services.common import visible_order
from workorders.services.once import TOKEN, perform_once


class ConsoleActionSchema(schemas.ActionSchema):
    new_due = ma.fields.String()  # a datetime-local field: local time, no zone
    window_start = ma.fields.String()
    window_end = ma.fields.String()
    token = ma.fields.String(validate=ma.validate.Regexp(TOKEN))  # see services.once

    class Meta:
        unknown = ma.EXCLUDE


def form_token() -> str:
    """A new idempotency token for one rendered form."""
    return secrets.token_urlsafe(18)


def done_message(result, action: str) -> str:
    name = labels.label(labels.ACTION, action)
    if result[1]:
        return _("Done: %(action)s", action=name)
    return _("Already recorded: %(action)s", action=name)


def run_action(number: str, *, next_url: Callable[[], str],
               page: Callable[[int], object], extra: dict | None = None):
    """Do the posted action on order `number`; `page(status)` renders the page again when
    the form is refused, `next_url()` is where a done (or repeated) form goes."""
    visible_order(db.session, current_user, number)  # 404 before anything else
    raw = {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    try:
        data = ConsoleActionSchema().load(raw)
    except ma.ValidationError as err:
        flash(_("Please check the form: %(fields)s", fields=", ".join(sorted(err.messages))),
              "error")
        return page(422)
    token = data.pop("token", None)
    action = data["action"]
    return act_on(
        lambda: perform_once(db.session, token=token, user=current_user, number=number,
                             action=action, version=data.get("version"),
                             params={**inputs.action_params(db.session, data),
                                     **(extra or {})},
                             now=utcnow(), ctx=current_context(db.session)),
        saved_message=lambda result: done_message(result, action),
        next_url=lambda _result: next_url(), refused=lambda err: page(err.status))
