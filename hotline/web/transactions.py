"""The console's transaction boundary. A handler parses (a WTForm or the request's few
fields), calls one service through these helpers and renders. The helpers commit once when
the service succeeds; when it refuses (a `DomainError`) they roll back and show the refusal
to the person: beside the form's fields, or as a message on the page. Services never commit
or roll back.

A request that committed never answers 500 afterwards: the response (a redirect's URL, a
rendered page) is complete before the commit, and nothing after the commit reads the
database, whose objects the commit has expired. If the commit itself fails, nothing was
written and the error is the truthful answer. (The API has the same boundary:
`hotline.api.transaction`.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hotline.errors import DomainError, NotFound
from hotline.extensions import db
from hotline.web.forms import apply_errors

T = TypeVar("T")
ViewResult = Any  # what a Flask view may return: a response, a (body, status) pair, …
# A success message, or one made from the service's result (read before the commit).
Message = str | Callable[[Any], str] | None


def committed(response: ViewResult) -> ViewResult:
    """Commit the request's one transaction and answer `response`, which is already
    complete: for handlers that write and then render (a login, a polled screen-pop)."""
    db.session.commit()
    return response


def attempt(save: Callable[[], T]) -> tuple[T | None, DomainError | None]:
    """Run the service. A refusal rolls back everything it wrote and is returned to be
    shown; NotFound is not a refusal to show on a form and goes on to the 404 page."""
    try:
        return save(), None
    except NotFound:
        db.session.rollback()
        raise
    except DomainError as err:
        db.session.rollback()
        return None, err


def _done(result, next_url: Callable[[Any], str], saved_message: Message) -> Response:
    """Everything the answer needs is read from `result` before the commit expires it."""
    response = redirect(next_url(result))
    message = saved_message(result) if callable(saved_message) else saved_message
    db.session.commit()
    if message:
        flash(message, "success")
    return response


def submit(form, save: Callable[[], T], *, saved_message: Message,
           next_url: Callable[[T], str], renamed: dict[str, str] | None = None
           ) -> tuple[Response | None, int]:
    """The WTForms round trip: validate, save through one service call, commit once, then
    flash `saved_message` (or `saved_message(result)`) and redirect to `next_url(result)`.

    Otherwise returns None and the status to render the form with: 400 for a missing or
    stale CSRF token, 422 for bad fields, the refusal's own status (422, 409, 403) when the
    service refused; the refusal is shown on the form and nothing is written. `renamed`
    maps the service's field names to the form's.
    """
    if not form.validate_on_submit():
        form.form_errors.append(_("Please correct the marked fields."))
        return None, 400 if form.csrf_token.errors else 422
    result, refused = attempt(save)
    if refused is not None:
        if renamed:
            refused.fields = {renamed.get(k, k): v for k, v in refused.fields.items()}
        apply_errors(form, refused)
        return None, refused.status
    return _done(result, next_url, saved_message), 200


def act(save: Callable[[], T], *, next_url: Callable[[T], str],
        saved_message: Message = None,
        refused: Callable[[DomainError], ViewResult] | None = None) -> ViewResult:
    """A POST that is a button rather than a form of fields (an order action, closing a
    cluster, marking a notification read): run `save`, commit once, flash `saved_message`,
    redirect to `next_url(result)`.

    A refusal is rolled back and flashed, and `refused(err)` renders the answer (usually the
    same page with the refusal's status); without `refused` the error page shows it.
    """
    result, err = attempt(save)
    if err is None:
        return _done(result, next_url, saved_message)
    if refused is None:
        raise err
    flash(refusal_text(err), "error")
    return refused(err)


def refusal_text(err: DomainError) -> str:
    """The refusal's message, with the fields it names."""
    detail = ", ".join(f"{k}: {v}" for k, v in err.fields.items())
    return err.message + (f" ({detail})" if detail else "")
