"""REST API under /api/v1: flask-smorest (OpenAPI at /api/v1/openapi.json), bearer tokens,
errors as `{"error": {"code", "message", "fields"}}`."""

from __future__ import annotations

from functools import wraps

import marshmallow as ma
from flask import Flask
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint

from hotline.auth.access import PUBLIC, TOKEN, Access, declare, declare_endpoint
from hotline.auth.access import unauthorized_token
from hotline.auth.current import bearer_user
from hotline.errors import DomainError, json_error
from hotline.extensions import csrf, db

API_PREFIX = "/api/v1"


class ErrorDetail(ma.Schema):
    code = ma.fields.String(required=True)
    message = ma.fields.String(required=True)
    fields = ma.fields.Dict()


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetail)


class HotlineApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # hotline.errors renders every error in the project's own JSON shape.
        pass


api = HotlineApi()


class ApiBlueprint(SmorestBlueprint):
    """A blueprint whose every view needs a valid bearer token (401 otherwise)."""

    def __init__(self, name: str, import_name: str, *, url_prefix: str, **kwargs):
        super().__init__(name, import_name, url_prefix=API_PREFIX + url_prefix, **kwargs)
        csrf.exempt(self)
        self.before_request(_require_token)


@declare(Access(TOKEN))
def _require_token():
    if bearer_user() is None:
        return unauthorized_token()
    return None


def transaction(view):
    """The API's transaction boundary, for every view that writes. Put it right under the
    route, above `@bp.arguments` and `@bp.response`: the view parses (its schema), calls one
    service and returns what `@bp.response` serialises; then this commits once. A refusal
    (a `DomainError`) rolls back everything and answers the JSON error body with its status.

    The response body is complete before the commit, so a write that committed never
    answers 500 for reading expired objects afterwards. (Console forms: `hotline.web.
    transactions`.)"""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
        except DomainError as err:
            db.session.rollback()
            return json_error(err)
        db.session.commit()
        return response

    return wrapper


# The API refuses a NUL character in any text (hotline.web.security): the document says so.
NO_NUL = r"^[^\x00]*$"


def _string_properties(self, field, ret, **kwargs):
    """apispec attribute function: decimals travel as strings ("12.50"), and no string may
    contain a NUL."""
    if isinstance(field, ma.fields.Decimal) and field.as_string:
        return {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    if isinstance(field, ma.fields.String) and "pattern" not in ret and "enum" not in ret:
        return {"pattern": NO_NUL}
    return {}


def init_app(app: Flask) -> None:
    app.config.setdefault("API_TITLE", "Hotline")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    })
    api.init_app(app)
    api.ma_plugin.converter.add_attribute_function(_string_properties)
    declare_endpoint(app, "api-docs.openapi_json", Access(PUBLIC))
    # X-Pagination carries JSON: declared as JSON content, not as a header `schema` (which
    # OpenAPI serialises in the `simple` style, `total,3,page,1`).
    lazy_headers = api.spec.components.headers_lazy
    pagination = lazy_headers.get("PAGINATION")
    if pagination is not None and "schema" in pagination:
        lazy_headers["PAGINATION"] = {
            "description": pagination.get("description", ""),
            "content": {"application/json": {"schema": pagination["schema"]}}}


def register_blueprint(blueprint: ApiBlueprint) -> None:
    api.register_blueprint(blueprint)
