"""Template filters: local time for people, masked phones where there is no need to know.

Every time a person reads is in the utility's zone (`HOTLINE_TIMEZONE`), never UTC: in a
page as `<time datetime="…Z" title="China (Shanghai) Time">2026-11-24 21:09</time>` (the
machine-readable instant in the attribute, the zone's name on hover, in the reader's
language); in text (a form message, a notification) as the bare local time."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location
from flask import Flask, current_app, has_app_context
from markupsafe import Markup, escape

from hotline.directory.phones import masked

FORMAT = "%Y-%m-%d %H:%M"


def _zone() -> ZoneInfo:
    name = current_app.config["HOTLINE_TIMEZONE"] if has_app_context() else "Asia/Shanghai"
    return _zone_named(name)


@lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=16)
def zone_title(name: str, locale: str) -> str:
    """The zone as a person names it: 中国（上海）时间 / China (Shanghai) Time."""
    try:
        return get_timezone_location(ZoneInfo(name), locale=locale)
    except (LookupError, ValueError):
        return name


def _instant(value: datetime | str) -> datetime:
    """Aware datetimes, and ISO strings as event payloads store them."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime (UTC)")
    return value


def local_text(value: datetime | str | None, fmt: str = FORMAT) -> str:
    """The local time as plain text, for messages built in Python."""
    if value is None or value == "":
        return "—"
    return _instant(value).astimezone(_zone()).strftime(fmt)


def local_iso(value: datetime) -> str:
    """An instant in ISO 8601 with the local offset (2026-11-24T21:09:00+08:00): exact for
    machines, readable for people (form and API error details)."""
    return _instant(value).astimezone(_zone()).isoformat()


def local_time_html(value: datetime | str | None, fmt: str = FORMAT) -> Markup:
    if value is None or value == "":
        return Markup("—")
    from flask_babel import get_locale

    moment = _instant(value)
    utc = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    zone = _zone()
    title = zone_title(zone.key, str(get_locale() or "zh_CN"))
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc, title, escape(moment.astimezone(zone).strftime(fmt)))


def address(place) -> str:
    """Street and house number, with the nearby landmark (R4) in the reader's words:
    解放东路812号（体育馆后门） / 解放东路812号 (near 体育馆后门)."""
    from flask_babel import gettext as _

    def part(name: str) -> str:
        return (place.get(name) if isinstance(place, dict) else getattr(place, name)) or ""

    text, landmark = part("street") + part("house_number"), part("landmark")
    if landmark:
        return _("%(address)s (near %(landmark)s)", address=text, landmark=landmark)
    return text or "—"


def local_zone_title() -> str:
    """The utility's zone as the reader names it (中国（上海）时间 / China (Shanghai) Time)."""
    from flask_babel import get_locale

    return zone_title(_zone().key, str(get_locale() or "zh_CN"))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["zone_name"] = local_zone_title
    app.add_template_filter(local_time_html, "localtime")
    app.add_template_filter(local_text, "localtime_text")
    app.add_template_filter(address, "address")

    @app.template_filter("maskphone")
    def maskphone(value: str | None) -> str:
        return masked(value) if value else "—"
