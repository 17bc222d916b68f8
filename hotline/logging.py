"""Structured (JSON-lines) logging that never writes a full caller phone number, and request
logs (the development server's, gunicorn's access log) without query strings, which carry
phone numbers and names (`/customers?phone=%2B86…&q=王建国`)."""

from __future__ import annotations

import json
import logging
import re
import sys

# A phone number in any of the forms people, forms and URLs write it: +8613800138000,
# %2B8613800138000 (URL-encoded), 8613800138000, 13800138000, +86 138 0013 8000,
# 138-0013-8000, (010) 1234-5678, +86%20138%200013%208000: an optional international
# prefix, then 7 to 15 digits with at most two separators between two digits. Not inside a
# word, a %-escape or a dash-joined code (WO-20261124-0042 stays readable).
_SEPARATOR = r"(?:[ .()/\-]|%20|%2[dD]|%28|%29)"
_PHONE = re.compile(
    r"(?<![\w%\-])(?:\+|%2[bB]|\(\+?)?\d(?:" + _SEPARATOR + r"{0,2}\d){6,}\)?(?!\w)")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:\D|$)")
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
# A query string after a path (or after a full URL): `/path?a=b` keeps `/path`.
_QUERY = re.compile(r"((?:https?://[^\s/\"?]+)?/[^\s?\"]*)\?[^\s\"]*")


def mask_phone(text: str) -> str:
    """Keep the first 3 and last 2 digits of anything that looks like a phone number."""

    def _mask(match: re.Match[str]) -> str:
        found = match.group(0)
        if _ISO_DATE.match(found) or _IPV4.fullmatch(found):  # a date, an address
            return found
        if re.sub(r"[\d+()]", "", found) == ".":  # a decimal number (12.345678 s)
            return found
        digits = re.sub(r"\D", "", re.sub(r"%[0-9a-fA-F]{2}", " ", found))
        if len(digits) < 7 or len(digits) > 15:
            return found
        prefix = "+" if found.startswith(("+", "%2B", "%2b", "(+")) else ""
        return f"{prefix}{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"

    return _PHONE.sub(_mask, text)


def strip_queries(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": mask_phone(record.getMessage()),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            payload.update({k: mask_phone(str(v)) for k, v in extra.items()})
        if record.exc_info:
            payload["exc"] = mask_phone(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


class RequestLogFilter(logging.Filter):
    """For loggers whose lines name requests (werkzeug's development server, gunicorn's
    access log when its format prints the whole request line or the referrer): drop query
    strings, mask phone numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = mask_phone(strip_queries(record.getMessage()))
        record.msg, record.args = message, None
        return True


REQUEST_LOGGERS = ("werkzeug", "gunicorn.access")


def configure(level: str = "INFO", packages: tuple[str, ...] = ("hotline",)) -> None:
    """Every package's loggers (`hotline.*`, `ivr.*`, ...) write JSON lines with phone
    numbers masked; the app's own logger is `hotline` too (the Flask app's name). Request
    lines (werkzeug, gunicorn's access log) lose their query strings."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RequestLogFilter) for f in logger.filters):
            logger.addFilter(RequestLogFilter())
    for name in packages:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
