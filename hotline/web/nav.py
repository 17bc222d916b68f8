"""Navigation registry: each package adds its console entries with the roles that see them."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask


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
    context: object  # Callable[[User], dict]
    roles: tuple[str, ...]
    order: int = 50


def add_nav(app: Flask, item: NavItem) -> None:
    app.extensions.setdefault("hotline.nav", []).append(item)


def add_home_panel(app: Flask, panel: HomePanel) -> None:
    app.extensions.setdefault("hotline.home_panels", []).append(panel)


def nav_for(app: Flask, role: str) -> list[NavItem]:
    items = app.extensions.get("hotline.nav", [])
    return sorted((i for i in items if role in i.roles), key=lambda i: i.order)


def panels_for(app: Flask, role: str) -> list[HomePanel]:
    panels = app.extensions.get("hotline.home_panels", [])
    return sorted((p for p in panels if role in p.roles), key=lambda p: p.order)
