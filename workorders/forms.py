from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hotline.directory.models import DEPARTMENT_KINDS
from hotline.web.forms import choices
from workorders.labels import DEPARTMENT_KIND, PRIORITY
from workorders.models import PRIORITIES


class CreateOrderForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    description = TextAreaField(_l("What the caller reports"), validators=[Length(max=4000)])
    contact_name = StringField(_l("Caller name"), validators=[Length(max=100)])
    contact_phone = StringField(_l("Caller phone"), validators=[Length(max=32)])
    account_number = StringField(_l("Account number"), validators=[Length(max=32)])
    area = SelectField(_l("Area"), validators=[Optional()])
    street = StringField(_l("Street"), validators=[Length(max=200)])
    house_number = StringField(_l("House number"), validators=[Length(max=50)])
    landmark = StringField(_l("Nearby landmark"), validators=[Length(max=200)])
    work_street = StringField(_l("Work location: street (if not the caller's address)"),
                              validators=[Length(max=200)])
    work_house_number = StringField(_l("Work location: house number"),
                                    validators=[Length(max=50)])
    work_landmark = StringField(_l("Work location: nearby landmark"),
                                validators=[Length(max=200)])
    department = SelectField(_l("Department (leave empty to route automatically)"),
                             validators=[Optional()])
    confidential = BooleanField(_l("Complainant asks for confidentiality (R27)"))
    small_repair = BooleanField(_l("Small repair: fixed today, due by 24:00 (R16, leaks)"))
    subject_user = SelectField(_l("Staff member the complaint is about (R28)"),
                               validators=[Optional()])
    subject_department = SelectField(_l("Unit the complaint is about (R10)"),
                                     validators=[Optional()])
    answer = TextAreaField(_l("Answered on the call: the answer given (closes the order)"),
                           validators=[Length(max=4000)])
    article = StringField(_l("Answered from knowledge-base article (optional)"),
                          validators=[Length(max=300)])
    master_number = StringField(_l("Same problem as order (merge into)"),
                                validators=[Length(max=32)])
    call_sid = HiddenField()


class CategoryForm(FlaskForm):
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    department_kind = SelectField(
        _l("Default department kind"),
        choices=choices([("", _l("None: answered on the call"))]
                        + [(k, DEPARTMENT_KIND[k]) for k in DEPARTMENT_KINDS]))
    priority = SelectField(_l("Priority"),
                           choices=choices([(p, PRIORITY[p]) for p in PRIORITIES]))
    position = IntegerField(_l("Order in lists"), validators=[NumberRange(min=0)], default=0)
    active = BooleanField(_l("Active"))


class RoutingRuleForm(FlaskForm):
    category_code = SelectField(_l("Category"), validators=[DataRequired()])
    area = SelectField(_l("Area (empty: every area)"), validators=[Optional()])
    department_kind = SelectField(_l("Department kind"),
                                  choices=choices([(k, DEPARTMENT_KIND[k])
                                                   for k in DEPARTMENT_KINDS]))
    department = SelectField(_l("Fixed department (empty: by kind and area)"),
                             validators=[Optional()])
    position = IntegerField(_l("Order (lower first)"), validators=[NumberRange(min=0)],
                            default=10)
    rule_ref = StringField(_l("Rule reference"), validators=[Length(max=32)])
    active = BooleanField(_l("Active"), default=True)
