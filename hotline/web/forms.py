"""Helpers shared by console forms: local times in and out, service errors onto fields."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect
from flask_babel import gettext as _

from hotline.errors import ValidationFailed


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["HOTLINE_TIMEZONE"])


def from_local(value: datetime | None) -> datetime | None:
    """A naive local time typed into a form → aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).astimezone(timezone.utc)


def to_local(value: datetime | None) -> datetime | None:
    """Aware UTC → naive local time for a form's input."""
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


def apply_errors(form, err: ValidationFailed) -> None:
    """Show a service's refusal on the form: field messages beside fields, the rest on top."""
    form.form_errors.append(err.message)
    for name, message in err.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors or []) + [str(message)]
        else:
            form.form_errors.append(f"{name}: {message}")


def choices(pairs):
    """(value, label) pairs as WTForms choices (tuples are deprecated in WTForms 3.3)."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(value, label) for value, label in pairs]


def submit(form, save, *, saved_message: str, next_url, renamed: dict[str, str] | None = None):
    """The console's form round trip: validate, save through one service call, commit once.

    Returns a redirect to `next_url(result)` after success, else None and the error status
    (400 for a missing or stale CSRF token, 422 for bad fields), with the service's refusal
    shown on the form and nothing written. `renamed` maps service field names to form fields.
    """
    from hotline.extensions import db

    if not form.validate_on_submit():
        form.form_errors.append(_("Please correct the marked fields."))
        return None, 400 if form.csrf_token.errors else 422
    try:
        result = save()
    except ValidationFailed as err:
        db.session.rollback()
        if renamed:
            err.fields = {renamed.get(k, k): v for k, v in err.fields.items()}
        apply_errors(form, err)
        return None, 422
    db.session.commit()
    flash(saved_message, "success")
    return redirect(next_url(result)), 200
