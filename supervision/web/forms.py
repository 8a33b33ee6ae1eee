"""Cockpit forms. They only shape input; the services decide (and their errors come back
onto these fields, see ``views.common.attach_errors``)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from accounts.models import Department
from config.api.filters import BoundedDateField
from core.validators import TextValidator, validate_year_range
from projects.money import MONEY
from supervision.choices import EmailPreference
from supervision.files.choices import DocumentType
from supervision.loop.models import Task

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class TextInputFormMixin:
    """Every text field refuses control characters (``TextValidator``, as the API's
    serializer base does); a textarea keeps tab and line breaks. Passwords are left alone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators.append(TextValidator(multiline=multiline))


class CockpitForm(TextInputFormMixin, forms.Form):
    """The base of every cockpit form."""


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(TextInputFormMixin, AuthenticationForm):
    """Password guessing is limited by ``accounts.login_limits`` (django-axes), the same at
    every door."""

    username = forms.CharField(
        label="用户名",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


# --- files -------------------------------------------------------------------------------


class UploaderWidget(forms.Widget):
    """The upload widget (static/web/uploads.js): several files, drag and drop, progress and a
    preview; each file is uploaded at once (staged) and its id sent with the form."""

    template_name = "web/_uploader.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["ids"] = [str(pk) for pk in (value or []) if str(pk).isdigit()]
        context["max_mb"] = settings.FILES_MAX_SIZE_MB
        return context

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False


class AttachmentsField(forms.Field):
    """佐证材料: the ids of files this user just uploaded (bound to what the form creates)."""

    widget = UploaderWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "佐证材料")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        values = [v for v in (value or []) if str(v).strip()]
        if len(values) > 50:
            raise forms.ValidationError("一次最多附 50 个文件。")
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise forms.ValidationError("材料编号无效。") from None


# --- tasks -------------------------------------------------------------------------------


class SubmitterChoice(forms.HiddenInput):
    """A choice sent by the button pressed (``name=<field> value=<choice>``): no input of its own."""

    def render(self, name, value, attrs=None, renderer=None):
        return ""


class CommentForm(CockpitForm):
    """交办 / 签收: an optional remark."""

    comment = forms.CharField(label="意见/说明", required=False, widget=TEXTAREA)


class SubmitForm(CockpitForm):
    """申请办结: the summary of what was done (the transition requires it)."""

    summary = forms.CharField(label="办结情况", widget=TEXTAREA)
    attachments = AttachmentsField()


class VerifyForm(CockpitForm):
    """核验: 通过 (销号) or 退回; a return needs a reason, which the transition enforces."""

    DECISIONS = {"close": True, "return": False}

    decision = forms.ChoiceField(
        label="核验结论",
        choices=[("close", "核验通过"), ("return", "退回")],
        widget=SubmitterChoice,
    )
    comment = forms.CharField(
        label="核验意见", required=False, widget=TEXTAREA, help_text="退回时须说明理由。"
    )


class CancelForm(CockpitForm):
    reason = forms.CharField(label="撤销理由", widget=TEXTAREA)


class UrgeForm(CockpitForm):
    """催办 by hand: the office's message to the lead department (a default when empty)."""

    message = forms.CharField(
        label="催办意见",
        required=False,
        max_length=500,
        widget=TEXTAREA,
        help_text="留空则为“请抓紧办理，并及时反馈进展。”",
    )


class ProgressForm(CockpitForm):
    content = forms.CharField(label="进展情况", widget=TEXTAREA)
    problems = forms.CharField(label="存在问题", required=False, widget=TEXTAREA)
    coordination = forms.CharField(label="需协调事项", required=False, widget=TEXTAREA)
    next_steps = forms.CharField(label="下步计划", required=False, widget=TEXTAREA)
    percent = forms.IntegerField(label="完成进度%", required=False, min_value=0, max_value=100)
    value = forms.DecimalField(label="指标完成值", required=False, max_digits=16, decimal_places=4)
    attachments = AttachmentsField()


class ExtensionRequestForm(CockpitForm):
    requested_deadline = BoundedDateField(label="申请延至", widget=_date_widget())
    reason = forms.CharField(label="延期理由", widget=TEXTAREA)
    attachments = AttachmentsField()


class ExtensionDecisionForm(CockpitForm):
    DECISIONS = {"approve": True, "reject": False}

    extension = forms.IntegerField(label="延期申请", widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="审批结论",
        choices=[("approve", "批准延期"), ("reject", "驳回延期")],
        widget=SubmitterChoice,
    )
    comment = forms.CharField(
        label="审批意见", required=False, widget=TEXTAREA, help_text="驳回时须说明理由。"
    )


# --- projects ----------------------------------------------------------------------------


class MonthField(forms.DateField):
    """``YYYY-MM`` (an ``<input type=month>``), read as the month's first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def validate(self, value):
        super().validate(value)
        validate_year_range(value)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class InvestmentReportForm(CockpitForm):
    period = MonthField(label="填报月份")
    amount = forms.DecimalField(label="当月完成投资（万元）", min_value=Decimal(0), **MONEY)
    note = forms.CharField(label="说明", required=False, widget=TEXTAREA)
    attachments = AttachmentsField()


class InvestmentCorrectForm(CockpitForm):
    """更正: one month already reported, its right figure and why (the revision keeps the old)."""

    report = forms.ModelChoiceField(label="更正月份", queryset=None, empty_label=None)
    amount = forms.DecimalField(label="更正后金额（万元）", min_value=Decimal(0), **MONEY)
    reason = forms.CharField(label="更正理由", max_length=500, widget=TEXTAREA)

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"{r.period:%Y-%m}（现为 {r.amount} 万元）"
        )


class AnnualPlanForm(CockpitForm):
    annual_plan_investment = forms.DecimalField(
        label="年度计划投资（万元）", min_value=Decimal(0), **MONEY
    )
    reason = forms.CharField(label="设定/调整依据", max_length=500, widget=TEXTAREA)


class MilestoneCompleteForm(CockpitForm):
    milestone = forms.ModelChoiceField(label="节点", queryset=None, empty_label=None)
    completed_on = BoundedDateField(label="实际完成日期", widget=_date_widget())
    note = forms.CharField(label="说明/佐证", required=False, widget=TEXTAREA)
    attachments = AttachmentsField()

    def __init__(self, *args, milestones, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = milestones


def initial_month(today: dt.date) -> dict:
    return {"period": today.replace(day=1)}


# --- notification settings ---------------------------------------------------------------


class NotificationPreferenceForm(CockpitForm):
    """消息设置: how to be e-mailed, and which loop steps to hear about (checked = receive)."""

    email_mode = forms.ChoiceField(label="邮件提醒", choices=EmailPreference.choices)
    receive = forms.MultipleChoiceField(
        label="接收以下流转消息",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="催办、督办等提醒总会送达，不能关闭。",
    )

    def __init__(self, *args, steps: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receive"].choices = steps


# --- documents ---------------------------------------------------------------------------


class DocumentForm(CockpitForm):
    """印发公文: the type, and the task, unit or period it is about."""

    type = forms.ChoiceField(label="文种", choices=DocumentType.choices)
    task = forms.ModelChoiceField(
        label="事项", queryset=Task.objects.all(), required=False, widget=forms.HiddenInput
    )
    department = forms.ModelChoiceField(
        label="单位（表扬/批评）",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
    )
    period = forms.CharField(
        label="期间（通报）", required=False, max_length=10, help_text="周：2024-W26；季度：2024Q2"
    )
    reason = forms.CharField(label="事由（表扬/批评）", required=False, widget=TEXTAREA)
