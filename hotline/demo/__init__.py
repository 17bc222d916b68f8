"""Demo data: a believable small water utility (`hotline demo load`).

Later packages add their own demo records with a loader registered in their plugin:

    from hotline.demo import add_demo_loader
    add_demo_loader(app, "workorders", load_demo_orders)   # fn(session, now) -> None

Loaders run in registration order after the core data (areas, departments, users,
customers, outages) inside the same transaction, and must be idempotent: `demo load` may
run on every `make run`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask
from sqlalchemy.orm import Session

DemoLoader = Callable[[Session, datetime], None]


@dataclass(frozen=True)
class RegisteredLoader:
    name: str
    fn: DemoLoader


def add_demo_loader(app: Flask, name: str, fn: DemoLoader) -> None:
    loaders = app.extensions.setdefault("hotline.demo_loaders", [])
    if any(existing.name == name for existing in loaders):
        raise ValueError(f"demo loader {name!r} is registered twice")
    loaders.append(RegisteredLoader(name, fn))


def demo_loaders(app: Flask) -> list[RegisteredLoader]:
    return list(app.extensions.get("hotline.demo_loaders", []))
