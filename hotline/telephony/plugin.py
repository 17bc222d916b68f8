"""Wires the telephony adapter into the app. Requests and jobs only write outbox rows;
the delivery worker (`hotline telephony worker`) sends them."""

from __future__ import annotations

from flask import Flask, current_app

from hotline.telephony.adapter import LocalOutboxAdapter, TelephonyAdapter


def make_adapter(app: Flask) -> TelephonyAdapter:
    if app.config.get("TELEPHONY_ADAPTER") is not None:
        return app.config["TELEPHONY_ADAPTER"]
    if app.config["HOTLINE_TELEPHONY"] == "twilio":
        from hotline.telephony.twilio_adapter import TwilioAdapter

        public = (app.config.get("HOTLINE_PUBLIC_URL") or "").rstrip("/")
        return TwilioAdapter(app.config["TWILIO_ACCOUNT_SID"], app.config["TWILIO_AUTH_TOKEN"],
                             app.config["TWILIO_PHONE_NUMBER"],
                             http_client=app.config.get("TWILIO_HTTP_CLIENT"),
                             timeout=float(app.config["TWILIO_HTTP_TIMEOUT_SECONDS"]),
                             sms_status_callback=f"{public}/webhooks/twilio/sms-status"
                             if public else "")
    return LocalOutboxAdapter()


def telephony(app: Flask | None = None) -> TelephonyAdapter:
    return (app or current_app).extensions["hotline.telephony"]


def init_app(app: Flask) -> None:
    app.extensions["hotline.telephony"] = make_adapter(app)
