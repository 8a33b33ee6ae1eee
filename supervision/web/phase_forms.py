"""Cockpit forms of issue 13 (indicator values, 末端落实, 调整牵头单位, 年度评定). They only
shape input; the services in ``supervision.phases`` decide."""

from django import forms

from supervision.web.forms import TEXTAREA, CockpitForm


class IndicatorValueForm(CockpitForm):
    period = forms.CharField(
        label="期别",
        max_length=7,
        help_text="月度如 2024-05，季度如 2024Q1；已填报的期别再次填报即为更正",
    )
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4)
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=TEXTAREA)
