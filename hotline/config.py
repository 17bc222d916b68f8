"""Configuration from the environment, optionally `instance/hotline.cfg`, then explicit
overrides passed to `create_app`. Production mode refuses to start with default secrets."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "HOTLINE_ENV",
    "HOTLINE_TIMEZONE",
    "HOTLINE_LOCALE",
    "HOTLINE_COUNTRY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
    "TWILIO_TWIML_APP_SID",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "HOTLINE_PUBLIC_URL",
    "HOTLINE_TELEPHONY",
)

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_TWILIO_TOKEN = "dev-only-twilio-token"


class ConfigError(RuntimeError):
    pass


def defaults(instance_path: str) -> dict[str, Any]:
    sqlite_path = Path(instance_path) / "hotline.sqlite3"
    return {
        "HOTLINE_ENV": "development",
        "DATABASE_URL": f"sqlite:///{sqlite_path}",
        "SECRET_KEY": DEV_SECRET_KEY,
        "HOTLINE_TIMEZONE": "Asia/Shanghai",
        "HOTLINE_LOCALE": "zh_CN",
        "HOTLINE_COUNTRY": "CN",
        "HOTLINE_TELEPHONY": "outbox",
        "HOTLINE_PUBLIC_URL": "",
        "TWILIO_ACCOUNT_SID": "ACdev0000000000000000000000000000",
        "TWILIO_AUTH_TOKEN": DEV_TWILIO_TOKEN,
        "TWILIO_PHONE_NUMBER": "+861012345",
        "TWILIO_TWIML_APP_SID": "",
        "TWILIO_API_KEY_SID": "",
        "TWILIO_API_KEY_SECRET": "",
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_LOCKOUT_MINUTES": 15,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
    }


def read_instance_file(instance_path: str) -> dict[str, Any]:
    """`instance/hotline.cfg`: Python syntax, UPPERCASE names (Flask's from_pyfile format)."""
    path = Path(instance_path) / "hotline.cfg"
    if not path.exists():
        return {}
    values: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {}, values)
    return {k: v for k, v in values.items() if k.isupper()}


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = defaults(instance_path)
    config.update(read_instance_file(instance_path))
    for key in ENV_KEYS:
        if os.environ.get(key):
            config[key] = os.environ[key]
    config.update(overrides or {})
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["SQLALCHEMY_DATABASE_URI"])
    production = config["HOTLINE_ENV"] == "production"
    config["SESSION_COOKIE_SECURE"] = config.get("SESSION_COOKIE_SECURE", production)
    config["REMEMBER_COOKIE_SECURE"] = config.get("REMEMBER_COOKIE_SECURE", production)
    if production:
        check_production(config)
    elif config["SECRET_KEY"] == DEV_SECRET_KEY and not config.get("TESTING"):
        # Dev servers get a per-process key rather than a well-known one.
        config["SECRET_KEY"] = _dev_secret(instance_path)
    return config


def _dev_secret(instance_path: str) -> str:
    path = Path(instance_path) / "dev-secret-key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key)
    except OSError:
        pass
    return key


def check_production(config: dict[str, Any]) -> None:
    problems = []
    if config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
        problems.append("SECRET_KEY must be set in production")
    if config["HOTLINE_TELEPHONY"] == "twilio":
        for key in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_PHONE_NUMBER"):
            if not config.get(key) or config[key] in (DEV_TWILIO_TOKEN,):
                problems.append(f"{key} must be set when HOTLINE_TELEPHONY=twilio")
    if config["TWILIO_AUTH_TOKEN"] == DEV_TWILIO_TOKEN:
        problems.append("TWILIO_AUTH_TOKEN must be set in production (it signs webhooks)")
    if not config.get("HOTLINE_PUBLIC_URL"):
        problems.append("HOTLINE_PUBLIC_URL must be set in production (webhook signatures)")
    if problems:
        raise ConfigError("; ".join(problems))
    if config["HOTLINE_TELEPHONY"] not in ("outbox", "twilio"):
        raise ConfigError("HOTLINE_TELEPHONY must be 'outbox' or 'twilio'")


def normalise_database_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def engine_options(url: str) -> dict[str, Any]:
    # Error messages name the statement, never its parameters (names, phone numbers).
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 10, "check_same_thread": False},
                "hide_parameters": True}
    return {"pool_pre_ping": True, "hide_parameters": True}
