from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from hotline.web.forms import choices
from wtforms.validators import DataRequired, Length, Optional

ROLE_CHOICES = [("agent", _l("Agent")), ("staff", _l("Department staff")),
                ("supervisor", _l("Supervisor")), ("admin", _l("Administrator"))]
LOCALE_CHOICES = [("zh_CN", "中文"), ("en", "English")]
AREA_KIND_CHOICES = [("urban", _l("Urban")), ("suburban", _l("Suburban"))]
DEPARTMENT_KIND_CHOICES = [("maintenance", _l("Maintenance")),
                           ("water_quality", _l("Water quality")),
                           ("enforcement", _l("Enforcement")), ("billing", _l("Billing")),
                           ("customer_service", _l("Customer service"))]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    display_name = StringField(_l("Name"), validators=[Length(max=100)])
    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES))
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    backup_user_id = SelectField(_l("Backup (covers when absent)"), coerce=int,
                                 validators=[Optional()])
    locale = SelectField(_l("Language"), choices=choices(LOCALE_CHOICES))
    phone = StringField(_l("Phone"), validators=[Length(max=32)])
    absent = BooleanField(_l("Absent (the backup takes over)"))
    active = BooleanField(_l("Active (may log in)"), default=True)
    password = PasswordField(_l("Password"), validators=[Length(max=200)])


class AreaForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices(AREA_KIND_CHOICES))


class DepartmentForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Kind"), choices=choices(DEPARTMENT_KIND_CHOICES))
    area_id = SelectField(_l("Area"), coerce=int, validators=[Optional()])
    liaison_name = StringField(_l("24-hour liaison"), validators=[Length(max=100)])
    liaison_phone = StringField(_l("Liaison phone"), validators=[Length(max=32)])
