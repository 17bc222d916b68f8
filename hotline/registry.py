"""The one registry through which packages plug into the console and into each other.

Each package's `plugin.init_app` adds its navigation entries, home panels, household-file
sections and demo loaders; `hotline.app.wire` fills the ports (typed objects owned by the
package that needs them, e.g. `sla.ports.SlaPorts`). Everything lives on one typed object
under one `app.extensions` key, so readers and tools see what is registered where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy.orm import Session

EXTENSION_KEY = "hotline"
T = TypeVar("T")


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy_gettext string
    roles: tuple[str, ...]
    order: int = 50
    kwargs: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class HomePanel:
    """A block on the home page: `template` rendered with `context(user)`."""

    template: str
    context: Callable[[Any], dict]
    roles: tuple[str, ...]
    order: int = 50


@dataclass(frozen=True)
class CustomerSection:
    """A block of the household file added by another package (its calls, its orders):
    `template` rendered with `ctx = context(account, user)`."""

    template: str
    context: Callable[[Any, Any], dict]
    order: int = 50


@dataclass(frozen=True)
class OrderSection:
    """A block of a work order's page added by another package (its call's recording):
    `template` rendered with `ctx = context(order, user)`; nothing is shown when the
    context is None."""

    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 50


DemoLoaderFn = Callable[[Session, datetime], None]
# R30: what another package lists in the household file of the API, as JSON-ready dicts:
# fn(session, account, viewer) -> list[dict].
HouseholdList = Callable[[Session, Any, Any], list[dict]]


@dataclass(frozen=True)
class DemoLoader:
    """Runs after the core demo data, in registration order, in the same transaction;
    must be idempotent (`demo load` runs on every `make run`)."""

    name: str
    fn: DemoLoaderFn


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    home_panels: list[HomePanel] = field(default_factory=list)
    customer_sections: list[CustomerSection] = field(default_factory=list)
    order_sections: list[OrderSection] = field(default_factory=list)
    demo_loaders: list[DemoLoader] = field(default_factory=list)
    household_lists: dict[str, HouseholdList] = field(default_factory=dict)
    ports: dict[type, object] = field(default_factory=dict)
    # name -> directory of each feature package, in dependency order (translations,
    # migrations); set by the composition root.
    packages: dict[str, Path] = field(default_factory=dict)

    def add_demo_loader(self, name: str, fn: DemoLoaderFn) -> None:
        if any(existing.name == name for existing in self.demo_loaders):
            raise ValueError(f"demo loader {name!r} is registered twice")
        self.demo_loaders.append(DemoLoader(name, fn))

    def port(self, kind: type[T]) -> T:
        """The ports object of type `kind` (made empty on first use)."""
        if kind not in self.ports:
            self.ports[kind] = kind()
        return self.ports[kind]  # type: ignore[return-value]

    def nav_for(self, role: str) -> list[NavItem]:
        return sorted((i for i in self.nav if role in i.roles), key=lambda i: i.order)

    def panels_for(self, role: str) -> list[HomePanel]:
        return sorted((p for p in self.home_panels if role in p.roles), key=lambda p: p.order)

    def sections(self) -> list[CustomerSection]:
        return sorted(self.customer_sections, key=lambda s: s.order)

    def sections_of_order(self, order: Any, user: Any) -> list[tuple[str, dict]]:
        """The other packages' blocks of a work order's page, with their contexts."""
        shown = []
        for section in sorted(self.order_sections, key=lambda s: s.order):
            ctx = section.context(order, user)
            if ctx is not None:
                shown.append((section.template, ctx))
        return shown


def init_app(app: Flask) -> Registry:
    registry = app.extensions[EXTENSION_KEY] = Registry()
    return registry


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions[EXTENSION_KEY]
