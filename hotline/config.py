"""All configuration, in one place: every setting with its type, default and meaning.

Values come from the defaults below, then `instance/hotline.cfg` (Python syntax, UPPERCASE
names), then the environment (parsed to the setting's type: a count stays an int), then the
overrides passed to `create_app`. Production mode refuses to start with default secrets or
placeholder Twilio credentials. The README's configuration table lists every setting (a test
checks it)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_TWILIO_TOKEN = "dev-only-twilio-token"
DEV_TWILIO_SID = "ACdev0000000000000000000000000000"
DEV_TWILIO_NUMBER = "+861012345"
TELEPHONY_MODES = ("outbox", "twilio")


class ConfigError(RuntimeError):
    """The app must not start; the message names what to set."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # str, int, float or bool
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    # Core
    Setting("DATABASE_URL", str, None, "database; default SQLite in instance/"),
    Setting("SECRET_KEY", str, DEV_SECRET_KEY, "signs sessions; required in production"),
    Setting("HOTLINE_ENV", str, "development", "`production` refuses default secrets"),
    Setting("HOTLINE_TIMEZONE", str, "Asia/Shanghai", "the utility's local zone"),
    Setting("HOTLINE_LOCALE", str, "zh_CN", "default console and IVR language"),
    Setting("HOTLINE_COUNTRY", str, "CN", "statutory calendar country code"),
    Setting("HOTLINE_PROXY_FIX", bool, True, "trust X-Forwarded-Proto/Host"),
    Setting("LOG_LEVEL", str, "INFO", "level of the JSON log"),
    Setting("MAX_CONTENT_LENGTH", int, 1024 * 1024, "largest request body in bytes"),
    Setting("LOGIN_MAX_FAILURES", int, 5,
            "failed logins of one account from one address before delays start"),
    Setting("LOGIN_IP_MAX_FAILURES", int, 20,
            "failed logins from one address (any account) per hour before delays start"),
    Setting("LOGIN_ACCOUNT_MAX_FAILURES", int, 50,
            "failed logins of one account from all addresses before delays start"),
    Setting("LOGIN_FIRST_DELAY_SECONDS", int, 30, "the first delay; each failure doubles it"),
    Setting("LOGIN_LOCKOUT_MINUTES", int, 15, "the longest delay"),
    # Security headers and outages
    Setting("HOTLINE_CSP", str, "", "Content-Security-Policy; empty: the built-in policy"),
    Setting("HOTLINE_HSTS_SECONDS", int, 31536000, "HSTS max-age in production (0: none)"),
    Setting("HOTLINE_REFERRER_POLICY", str, "same-origin", "the Referrer-Policy header"),
    Setting("HOTLINE_RETRY_AFTER_SECONDS", int, 10, "Retry-After of the database-down 503"),
    Setting("HOTLINE_DB_OUTAGE_LOG_SECONDS", int, 60,
            "database failures less than this apart are one outage, logged once"),
    Setting("HOTLINE_SIMULATOR", bool, False,
            "the phone simulator in production (it is on elsewhere in outbox mode)"),
    # Telephony
    Setting("HOTLINE_TELEPHONY", str, "outbox", "`outbox` (stored) or `twilio` (sent)"),
    Setting("HOTLINE_PUBLIC_URL", str, "", "the base URL Twilio calls"),
    Setting("TWILIO_ACCOUNT_SID", str, DEV_TWILIO_SID, "Twilio account"),
    Setting("TWILIO_AUTH_TOKEN", str, DEV_TWILIO_TOKEN, "Twilio token; signs webhooks"),
    Setting("TWILIO_PHONE_NUMBER", str, DEV_TWILIO_NUMBER, "the hotline's number"),
    Setting("TWILIO_TWIML_APP_SID", str, "", "agents' TwiML App (softphone)"),
    Setting("TWILIO_API_KEY_SID", str, "", "API key for softphone tokens"),
    Setting("TWILIO_API_KEY_SECRET", str, "", "API key secret for softphone tokens"),
    Setting("TWILIO_HTTP_TIMEOUT_SECONDS", float, 10.0, "Twilio REST timeout (worker)"),
    Setting("OUTBOX_POLL_SECONDS", float, 1.0, "delivery worker's poll on SQLite"),
    Setting("OUTBOX_CLAIM_SECONDS", float, 120.0,
            "how long a worker's claim on a message lasts; must exceed the Twilio timeout"),
    # IVR
    Setting("IVR_CALLBACK_OFFER_SECONDS", int, 30, "queue wait before a callback is offered"),
    Setting("IVR_CALLBACK_DUE_MINUTES", int, 30, "when a callback request falls due"),
    Setting("IVR_WRAP_UP_SECONDS", int, 30,
            "after-call work: an agent is available again this long after a call ends"),
    Setting("IVR_OUTAGE_CACHE_SECONDS", float, 5.0, "greeting cache per process (0: none)"),
    Setting("IVR_RECORD_LINES", str, "",
            "dialled numbers whose agent calls are recorded, comma separated; `*` every line"),
    Setting("IVR_RECORDINGS_DIR", str, "",
            "local copies of recordings; empty: instance/recordings"),
    Setting("IVR_SAY_LANGUAGE_ZH", str, "cmn-CN", "TwiML `<Say>` language, Mandarin"),
    Setting("IVR_VOICE_ZH", str, "Polly.Zhiyu", "TwiML `<Say>` voice, Mandarin"),
    Setting("IVR_SAY_LANGUAGE_EN", str, "en-US", "TwiML `<Say>` language, English"),
    Setting("IVR_VOICE_EN", str, "Polly.Joanna", "TwiML `<Say>` voice, English"),
    # SLA and the clock
    Setting("HOTLINE_ANSWER_SECONDS", int, 12, "R1 answer target"),
    Setting("HOTLINE_SHORT_ABANDON_SECONDS", int, 5, "R2: shorter abandons not offered"),
    Setting("HOTLINE_SERVICE_LEVEL_TARGET", float, 0.8,
            "the hotline's share answered within R1"),
    Setting("HOTLINE_ANSWER_RATE_TARGET", float, 0.98, "R2 answer rate target"),
    Setting("HOTLINE_OTHER_LINES_SERVICE_LEVEL_TARGET", float, 0.8,
            "service level target of every other line"),
    Setting("HOTLINE_OTHER_LINES_ANSWER_RATE_TARGET", float, 0.95,
            "R2 answer rate target of every other line"),
    Setting("HOTLINE_CLUSTER_SIZE", int, 3, "R13: complaints that make a cluster"),
    Setting("HOTLINE_CLUSTER_WINDOW_MINUTES", int, 0,
            "R13: cluster window in minutes; 0 is the local day"),
    Setting("HOTLINE_REPEAT_COMPLAINT_DAYS", int, 30,
            "R13: a complaint repeats an order still open or closed this many days ago"),
    Setting("HOTLINE_RETURN_WORKING_DAYS", int, 2,
            "P3: a department returns an order within this many working days of dispatch"),
    Setting("HOTLINE_REMIND_WORKING_DAYS", int, 1,
            "P4: an overdue order's reminder (催办) comes on this working day after it fell due"),
    Setting("HOTLINE_ESCALATE_WORKING_DAYS", int, 5,
            "P4: still overdue this many working days after the reminder: 督办"),
    Setting("HOTLINE_VISIT_NOTICE_MINUTES", int, 120,
            "R31: a crew that cannot come tells the customer this long before the window"),
    Setting("HOTLINE_ENQUIRY_CALL_MINUTES", int, 5,
            "R5: the softphone warns when an enquiry call passes this"),
    Setting("HOTLINE_WALLBOARD_REFRESH_SECONDS", int, 10, "wallboard refresh"),
    Setting("HOTLINE_CLOCK_TICK_SECONDS", float, 15.0, "clock: how often jobs run"),
    Setting("HOTLINE_CLOCK_ROLLUP_SECONDS", float, 60.0, "clock: service-level rollups"),
    Setting("HOTLINE_CLOCK_LEASE_SECONDS", float, 10.0,
            "clock: lease a standby waits out (takeover within ~12.5 s)"),
)
BY_NAME = {s.name: s for s in SETTINGS}
# Limits that make no sense at 0 or below (the app refuses to start with them).
AT_LEAST_ONE = ("HOTLINE_RETURN_WORKING_DAYS", "HOTLINE_REMIND_WORKING_DAYS",
                "HOTLINE_ESCALATE_WORKING_DAYS", "HOTLINE_VISIT_NOTICE_MINUTES",
                "HOTLINE_ENQUIRY_CALL_MINUTES")

# Framework settings fixed by the app (not for operators).
FIXED = {
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


def parse(setting: Setting, raw: str) -> Any:
    """An environment string as the setting's type; a clear error naming the setting."""
    try:
        if setting.type is bool:
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        return setting.type(raw)
    except ValueError:
        kind = {int: "a whole number", float: "a number", bool: "true or false"}.get(
            setting.type, "text")
        raise ConfigError(f"{setting.name} must be {kind}, not {raw!r}") from None


def defaults(instance_path: str) -> dict[str, Any]:
    values = {s.name: s.default for s in SETTINGS}
    values["DATABASE_URL"] = f"sqlite:///{Path(instance_path) / 'hotline.sqlite3'}"
    values.update(FIXED)
    return values


def read_instance_file(instance_path: str) -> dict[str, Any]:
    """`instance/hotline.cfg`: Python syntax, UPPERCASE names (Flask's from_pyfile format)."""
    path = Path(instance_path) / "hotline.cfg"
    if not path.exists():
        return {}
    values: dict[str, Any] = {}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), {}, values)
    return {k: v for k, v in values.items() if k.isupper()}


def from_environment(environ: os._Environ | dict[str, str]) -> dict[str, Any]:
    return {s.name: parse(s, environ[s.name]) for s in SETTINGS if environ.get(s.name)}


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    config = defaults(instance_path)
    config.update(read_instance_file(instance_path))
    config.update(from_environment(os.environ))
    config.update(overrides or {})
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["SQLALCHEMY_DATABASE_URI"])
    production = config["HOTLINE_ENV"] == "production"
    config["SESSION_COOKIE_SECURE"] = config.get("SESSION_COOKIE_SECURE", production)
    config["REMEMBER_COOKIE_SECURE"] = config.get("REMEMBER_COOKIE_SECURE", production)
    check(config)
    if not production and config["SECRET_KEY"] == DEV_SECRET_KEY and not config.get("TESTING"):
        # Dev servers get a per-install key rather than a well-known one.
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


POSITIVE_SECONDS = ("OUTBOX_POLL_SECONDS", "OUTBOX_CLAIM_SECONDS",
                    "TWILIO_HTTP_TIMEOUT_SECONDS")


def check(config: dict[str, Any]) -> None:
    """Refuse settings the app cannot run with, naming every one to set."""
    problems = []
    for key in POSITIVE_SECONDS:
        try:
            config[key] = float(config[key])
        except (TypeError, ValueError):
            raise ConfigError(f"{key} must be a number of seconds, not {config[key]!r}") from None
        if config[key] <= 0:
            problems.append(f"{key} must be more than 0 seconds, not {config[key]!r}")
    if config["OUTBOX_CLAIM_SECONDS"] <= config["TWILIO_HTTP_TIMEOUT_SECONDS"]:
        problems.append("OUTBOX_CLAIM_SECONDS must exceed TWILIO_HTTP_TIMEOUT_SECONDS "
                        "(a claim must outlast one Twilio request)")
    if config["HOTLINE_TELEPHONY"] not in TELEPHONY_MODES:
        problems.append(f"HOTLINE_TELEPHONY must be one of {', '.join(TELEPHONY_MODES)} "
                        f"(not {config['HOTLINE_TELEPHONY']!r})")
    if config["HOTLINE_TELEPHONY"] == "twilio":
        placeholders = {"TWILIO_ACCOUNT_SID": DEV_TWILIO_SID,
                        "TWILIO_AUTH_TOKEN": DEV_TWILIO_TOKEN,
                        "TWILIO_PHONE_NUMBER": DEV_TWILIO_NUMBER}
        for key, placeholder in placeholders.items():
            if config.get(key) in ("", None, placeholder):
                problems.append(f"{key} must be set to your Twilio account's value when "
                                "HOTLINE_TELEPHONY=twilio")
    for key in AT_LEAST_ONE:
        if not isinstance(config.get(key), int) or config[key] < 1:
            problems.append(f"{key} must be a whole number of at least 1 "
                            f"(not {config.get(key)!r})")
    if config["HOTLINE_ENV"] == "production":
        if config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
            problems.append("SECRET_KEY must be set in production")
        if config["TWILIO_AUTH_TOKEN"] == DEV_TWILIO_TOKEN:
            problems.append("TWILIO_AUTH_TOKEN must be set in production (it signs webhooks)")
        if not config.get("HOTLINE_PUBLIC_URL"):
            problems.append("HOTLINE_PUBLIC_URL must be set in production "
                            "(webhook signatures)")
    if problems:
        raise ConfigError("; ".join(dict.fromkeys(problems)))


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
