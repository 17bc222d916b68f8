"""The adapter protocol and the local outbox adapter."""

from __future__ import annotations

from typing import Protocol


class DeliveryError(Exception):
    """Sending failed. `permanent` errors (bad number, blocked) are not retried."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class TelephonyAdapter(Protocol):
    name: str

    def send_sms(self, to: str, body: str) -> str:
        """Send an SMS and return the provider's id for it."""

    def place_call(self, to: str, url: str) -> str:
        """Place a call whose TwiML comes from `url`; return the provider's call id."""


class LocalOutboxAdapter:
    """Delivers nothing: the stored outbox row is the message, listed in the console."""

    name = "outbox"

    def send_sms(self, to: str, body: str) -> str:
        return "local"

    def place_call(self, to: str, url: str) -> str:
        return "local"
