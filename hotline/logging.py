"""Structured (JSON-lines) logging that never writes a full caller phone number."""

from __future__ import annotations

import json
import logging
import re
import sys

_PHONE = re.compile(r"(?<![\w])(\+?\d[\d \-]{6,}\d)(?![\w])")


def mask_phone(text: str) -> str:
    """Keep the first 3 and last 2 digits of anything that looks like a phone number."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(1))
        if len(digits) < 7:
            return match.group(1)
        prefix = "+" if match.group(1).startswith("+") else ""
        return f"{prefix}{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"

    return _PHONE.sub(_mask, text)


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


def configure(level: str = "INFO", packages: tuple[str, ...] = ("hotline",)) -> None:
    """Every package's loggers (`hotline.*`, `ivr.*`, ...) write JSON lines with phone
    numbers masked; the app's own logger is `hotline` too (the Flask app's name)."""
    for name in packages:
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
            continue
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logger.propagate = False
