"""Wiring of the work-order package into the app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from hotline import api as hotline_api
    from workorders import models  # noqa: F401
    from workorders.api import bp as api_bp

    hotline_api.register_blueprint(api_bp)


def wire(app: Flask) -> None:
    from sla import ports
    from workorders.sla_ports import SUBJECT_TYPE, cluster_candidates, describe_orders

    ports.register_subject(app, SUBJECT_TYPE, describe_orders)
    ports.register_cluster_source(app, cluster_candidates)
