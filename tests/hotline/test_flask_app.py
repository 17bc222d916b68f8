"""The app's Flask class: what it keeps about hooks and views changes nothing they do."""

import functools

import pytest
from flask import Flask

from hotline.web.flask_app import HotlineFlask


def test_sync_functions_are_checked_once_and_returned_as_they_are(monkeypatch):
    checked = []
    flask_check = Flask.ensure_sync

    def counting(self, func):
        checked.append(func)
        return flask_check(self, func)

    monkeypatch.setattr(Flask, "ensure_sync", counting)
    app = HotlineFlask("t")

    def view():
        return "ok"

    assert app.ensure_sync(view) is view  # a dict cache would raise TypeError here
    assert app.ensure_sync(view) is view  # a dict cache would raise TypeError here
    assert checked == [view]


def test_coroutine_views_are_still_wrapped():
    app = HotlineFlask("t")

    async def view():
        return "ok"

    try:
        import asgiref  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)
    else:
        assert app.ensure_sync(view) is not view


def test_unhashable_callables_are_not_kept():
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "ok"

    app = HotlineFlask("t")
    view = Unhashable()
    assert app.ensure_sync(view) is view  # a dict cache would raise TypeError here
    assert app.ensure_sync(functools.partial(len, "ab"))() == 2
