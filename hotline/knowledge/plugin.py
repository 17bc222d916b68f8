"""The knowledge base's console entries: its pages, the wording of its codes, its navigation
entry (everyone reads) and its demo articles."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from hotline.auth import roles
from hotline.knowledge import demo, labels
from hotline.knowledge import models  # noqa: F401 (tables)
from hotline.knowledge.views import bp
from hotline.registry import NavItem, registry
from hotline.web.labels import register


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    register(app, "kb_category", labels.CATEGORY)
    reg = registry(app)
    reg.nav.append(NavItem("knowledge.index", _l("Knowledge base"), roles.EVERYONE, order=31))
    reg.add_demo_loader("knowledge", demo.load_articles)
