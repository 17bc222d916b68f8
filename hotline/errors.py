"""Errors the domain raises and how they reach people: JSON for the API
(`{"error": {"code", "message", "fields"}}`), friendly pages for the console."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from hotline.extensions import db
from hotline.web.sessions import sessionless_prefixes


class DomainError(Exception):
    """A refused request. `status` is the HTTP status it maps to."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None,
                 code: str | None = None, status: int | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def error_body(code: str, message: str, fields: dict[str, Any] | None = None,
               details: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "fields": fields or {}}}
    if details is not None:
        body["error"]["details"] = details
    return body


def json_error(err: DomainError):
    """A refusal as the API answers it: the JSON error body and the refusal's status."""
    return jsonify(error_body(err.code, err.message, err.fields, err.details)), err.status


def wants_json() -> bool:
    # Machine endpoints (the API, Twilio's webhooks, which have no session for a page).
    return request.path.startswith(("/api/", *sessionless_prefixes(current_app))) or (
        request.accept_mimetypes.best == "application/json"
    )


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(err: DomainError):
        db.session.rollback()
        if wants_json():
            return json_error(err)
        return render_template("errors/error.html", status=err.status,
                               message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        if wants_json():
            code = (err.name or "error").lower().replace(" ", "_")
            fields = {}
            data = getattr(err, "data", None)
            if isinstance(data, dict) and isinstance(data.get("messages"), dict):
                # webargs/flask-smorest validation errors: {"json": {"field": [...]}}, or a
                # list for the whole location ({"json": ["Invalid JSON body."]})
                for location, messages in data["messages"].items():
                    if isinstance(messages, dict):
                        fields.update(messages)
                    else:
                        fields[location] = messages
                code = "validation_failed"
            # Keep the exception's own headers (405's Allow, 401's WWW-Authenticate).
            headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
            return jsonify(error_body(code, err.description or err.name, fields)), err.code, \
                headers
        headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
        return render_template("errors/error.html", status=err.code,
                               message=err.description), err.code, headers

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if isinstance(err, HTTPException):
            return _http(err)
        app.logger.exception("unhandled error")
        db.session.rollback()
        if wants_json():
            return jsonify(error_body("internal_error", "internal server error")), 500
        return render_template("errors/error.html", status=500,
                               message="internal server error"), 500
