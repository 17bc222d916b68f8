"""Wording of the knowledge base's codes, in zh-CN and English."""

from flask_babel import lazy_pgettext as _lp

CATEGORY = {"prices": _lp("knowledge", "Water prices"),
            "procedures": _lp("knowledge", "Application procedures"),
            "outages": _lp("knowledge", "Outage questions"),
            "water_quality": _lp("knowledge", "Water-quality advice")}
FIELD = {"category": _lp("knowledge", "Category"),
         "title_zh": _lp("knowledge", "Title (Chinese)"),
         "title_en": _lp("knowledge", "Title (English)"),
         "body_zh": _lp("knowledge", "Text (Chinese)"),
         "body_en": _lp("knowledge", "Text (English)")}
