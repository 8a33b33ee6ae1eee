"""Cockpit forms of issue 13 (indicator values, 末端落实, 调整牵头单位, 年度评定). They only
shape input; the services in ``supervision.phases`` decide."""

from django import forms

from accounts.models import Department
from config.api.filters import BoundedDateField
from supervision.web.forms import TEXTAREA, CockpitForm


class IndicatorValueForm(CockpitForm):
    period = forms.CharField(
        label="期别",
        max_length=7,
        help_text="月度如 2024-05，季度如 2024Q1；已填报的期别再次填报即为更正",
    )
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4)
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=TEXTAREA)


class SplitChildForm(CockpitForm):
    lead_department = forms.ModelChoiceField(
        label="承办单位", queryset=Department.objects.order_by("kind", "code")
    )
    title = forms.CharField(
        label="子事项名称",
        required=False,
        max_length=200,
        help_text="不填则为“上级事项名称（单位）”",
    )
    deadline = BoundedDateField(
        label="办理时限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填则同上级事项时限",
    )
    target_value = forms.DecimalField(
        label="目标值", required=False, max_digits=16, decimal_places=4, min_value=0
    )
    target_unit = forms.CharField(label="单位", required=False, max_length=20)


class ReasonForm(CockpitForm):
    reason = forms.CharField(label="理由", widget=TEXTAREA, max_length=5000)
