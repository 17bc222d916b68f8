from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional


class PolicyForm(FlaskForm):
    limit_minutes = IntegerField(_l("Limit in minutes"), validators=[Optional(),
                                                                     NumberRange(min=1)])
    limit_working_days = IntegerField(_l("Limit in working days"),
                                      validators=[Optional(), NumberRange(min=0, max=60)])
    warn_ratio = FloatField(_l("Warn at (share of the time)"),
                            validators=[InputRequired(), NumberRange(min=0.05, max=0.99)])
    active = BooleanField(_l("Active"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if (self.limit_minutes.data is None) == (self.limit_working_days.data is None):
            self.limit_minutes.errors = list(self.limit_minutes.errors) + [
                _l("Give either minutes or working days.")]
            ok = False
        return ok


class CalendarDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    kind = SelectField(_l("Make it a"), choices=[SelectChoice("holiday", _l("holiday")),
                                                 SelectChoice("workday", _l("working day"))])
    note = StringField(_l("Official notice"), validators=[DataRequired()])


class ConfirmYearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(),
                                                NumberRange(min=2000, max=2100)])
    note = StringField(_l("Official notice reviewed"), validators=[DataRequired()])


class CloseClusterForm(FlaskForm):
    note = StringField(_l("How it was handled"), validators=[DataRequired()])
