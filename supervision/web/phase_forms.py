"""Cockpit forms of issue 13 (indicator values, 末端落实, 调整牵头单位, 年度评定). They only
shape input; the services in ``supervision.phases`` decide."""

from django import forms

from accounts.models import Department
from config.api.filters import BoundedDateField
from supervision.choices import Rating
from supervision.web.forms import TEXTAREA, CockpitForm, SubmitterChoice


class IndicatorValueForm(CockpitForm):
    period = forms.CharField(
        label="期别",
        max_length=7,
        help_text="月度如 2024-05，季度如 2024Q1；已填报的期别再次填报即为更正",
    )
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4)
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=TEXTAREA)


class IndicatorEditForm(CockpitForm):
    """The office sets an indicator's responsible unit and target (``indicator_save``)."""

    department = forms.ModelChoiceField(
        label="责任单位",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label="（未指定）",
        help_text="负责填报分期数值的单位",
    )
    target_value = forms.DecimalField(
        label="年度目标值", required=False, max_digits=16, decimal_places=4
    )
    tolerance = forms.DecimalField(
        label="允许偏差", required=False, max_digits=16, decimal_places=4, min_value=0
    )

    FIELDS = ("department", "target_value", "tolerance")

    @classmethod
    def for_indicator(cls, indicator, data=None):
        initial = {name: getattr(indicator, name) for name in cls.FIELDS}
        return cls(data, prefix="edit", initial=initial)


class SplitChildForm(CockpitForm):
    lead_department = forms.ModelChoiceField(label="承办单位", queryset=Department.objects.none())
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = _departments()


class ReasonForm(CockpitForm):
    reason = forms.CharField(label="理由", widget=TEXTAREA, max_length=5000)


def _departments():
    return Department.objects.filter(is_active=True).order_by("kind", "code")


class ReassignRequestForm(CockpitForm):
    suggested_department = forms.ModelChoiceField(
        label="建议牵头单位", required=False, queryset=Department.objects.none()
    )
    reason = forms.CharField(label="申请理由", widget=TEXTAREA, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_department"].queryset = _departments()


class ReassignDecisionForm(CockpitForm):
    DECISIONS = {"approve": True, "reject": False}

    decision = forms.ChoiceField(
        label="审批结论",
        choices=[("approve", "调整牵头单位"), ("reject", "不予调整")],
        widget=SubmitterChoice,
    )
    new_department = forms.ModelChoiceField(
        label="调整后的牵头单位",
        required=False,
        queryset=Department.objects.none(),
        help_text="不选则为申请建议的单位",
    )
    comment = forms.CharField(
        label="审批意见", required=False, widget=TEXTAREA, help_text="不予调整时须说明理由。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_department"].queryset = _departments()


class RatingForm(CockpitForm):
    rating = forms.ChoiceField(label="评定结果", choices=Rating.choices)
    comment = forms.CharField(
        label="评定说明", required=False, widget=TEXTAREA, help_text="基本完成或未完成须说明理由。"
    )


class CarryOverForm(CockpitForm):
    year = forms.IntegerField(label="结转年度", min_value=2000, max_value=2100)
    draft = forms.BooleanField(label="新事项保留为草稿（不立即交办）", required=False)
