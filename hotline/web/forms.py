"""Helpers shared by console forms: local times in and out, service errors onto fields. The
form round trip itself (validate, one service call, commit) is `hotline.web.transactions`."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from wtforms.fields.choices import SelectChoice

from hotline.errors import DomainError


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


def apply_errors(form, err: DomainError) -> None:
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
    return [SelectChoice(value, label) for value, label in pairs]
