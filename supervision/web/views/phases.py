"""Cockpit pages of issue 13 besides nodes: an indicator's period values (the responsible
unit enters them), and — on a task's page — 末端落实, 调整牵头单位 and 年度评定. Every write
goes through ``supervision.phases`` services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from supervision.loop.models import Indicator
from supervision.phases.indicators import (
    can_enter_values,
    indicator_lights,
    indicator_value_enter,
    plain,
)
from supervision.web import phase_forms
from supervision.web.views.common import attempt


@login_required
def indicator_detail(request, pk: int):
    """One indicator: its light against 序时, its period values, the tasks that repeat it, and
    for its responsible unit (and the office) the entry form."""
    indicator = Indicator.objects.select_related("department").filter(pk=pk).first()
    if indicator is None:
        raise Http404("指标不存在。")
    may_enter = can_enter_values(request.user, indicator)
    form = phase_forms.IndicatorValueForm(prefix="value")
    status, refusal = 200, None
    if request.method == "POST":
        form = phase_forms.IndicatorValueForm(request.POST, prefix="value")
        if form.is_valid():
            result, refusal = attempt(
                lambda: indicator_value_enter(
                    actor=request.user, indicator=indicator, **form.cleaned_data
                ),
                form=form,
            )
            if refusal is None:
                row, created = result
                verb = "已填报" if created else "已更正"
                messages.success(request, f"{verb} {row.period} 数值 {plain(row.value)}。")
                return redirect("web:indicator-detail", pk=indicator.pk)
            status = refusal.status
        else:
            status = 400
        if not may_enter:
            status = 403
    light = indicator_lights([indicator])[indicator.pk]
    context = {
        "indicator": indicator,
        "light": light,
        "values": list(indicator.values.select_related("entered_by").order_by("period")),
        "tasks": list(indicator.tasks.select_related("lead_department").order_by("code")),
        "form": form if may_enter else None,
        "refusal": refusal,
    }
    return render(request, "web/phases/indicator.html", context, status=status)
