from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from hotline.web.forms import choices
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

# What browsers send from <input type="datetime-local"> (the first is also how it is shown).
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
KIND_CHOICES = [("planned", _l("Planned")), ("emergency", _l("Emergency"))]


class OutageForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices(KIND_CHOICES))
    areas = SelectMultipleField(_l("Areas"), coerce=int, widget=ListWidget(prefix_label=False),
                                option_widget=CheckboxInput())
    start_at = DateTimeLocalField(_l("Start (local time)"), format=LOCAL_FORMATS,
                                  validators=[DataRequired()])
    expected_end_at = DateTimeLocalField(_l("Expected restoration (local time)"),
                                         format=LOCAL_FORMATS, validators=[DataRequired()])
    cause = TextAreaField(_l("Cause"), validators=[DataRequired(), Length(max=2000)])
    extent = TextAreaField(_l("Extent (streets, buildings)"), validators=[Length(max=2000)])
    approver_id = SelectField(_l("Approved by"), coerce=int, validators=[Optional()])
    urgent = BooleanField(_l("Urgent: announce with less notice than R25 asks"))


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Progress note"), validators=[DataRequired(), Length(max=2000)])


class ActionForm(FlaskForm):
    """Restore, start or cancel: only the CSRF token."""


class ReportForm(FlaskForm):
    """An agent records a caller's no-water report against a running outage."""

    phone = StringField(_l("Caller's phone"), validators=[DataRequired(), Length(max=32)])
    language = SelectField(_l("Language of the SMS"),
                           choices=choices([("zh", _l("Chinese")), ("en", _l("English"))]))
    wants_call = BooleanField(_l("Also call the caller when water is back"))
