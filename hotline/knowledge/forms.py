from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from hotline.knowledge.labels import CATEGORY
from hotline.knowledge.models import ARTICLE_CATEGORIES
from hotline.knowledge.services import LIMITS, NOTE_MAX
from hotline.web.forms import choices


class ArticleForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()], choices=choices(
        [("", "—")] + [(c, CATEGORY[c]) for c in ARTICLE_CATEGORIES]))
    title_zh = StringField(_l("Title (Chinese)"),
                           validators=[DataRequired(), Length(max=LIMITS["title_zh"])])
    title_en = StringField(_l("Title (English, optional)"),
                           validators=[Length(max=LIMITS["title_en"])])
    body_zh = TextAreaField(_l("Text (Chinese): what the agent tells the caller"),
                            validators=[DataRequired(), Length(max=LIMITS["body_zh"])])
    body_en = TextAreaField(_l("Text (English, optional)"),
                            validators=[Length(max=LIMITS["body_en"])])
    note = StringField(_l("What changed and why (kept in the history)"),
                       validators=[Length(max=NOTE_MAX)])
    revision = HiddenField()

