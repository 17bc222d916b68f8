"""The app's Flask class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from hotline.web.request import HotlineRequest


class HotlineFlask(Flask):
    request_class = HotlineRequest

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync_functions: dict[Callable, Callable] = {}

    def ensure_sync(self, func: Callable) -> Callable:
        """Flask asks of every hook and view, on every request, whether it is a coroutine
        function; the answer never changes, so it is kept (a tenth of the voice URL's
        framework cost was `inspect` answering it again)."""
        try:
            return self._sync_functions[func]
        except KeyError:
            sync = self._sync_functions[func] = super().ensure_sync(func)
            return sync
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)
