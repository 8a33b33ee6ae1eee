"""Cockpit pages of issue 13 besides nodes: an indicator's period values (the responsible
unit enters them), and — on a task's page — 末端落实, 调整牵头单位 and 年度评定. Every write
goes through ``supervision.phases`` services."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from supervision.choices import ReassignStatus, TaskAction, TaskStatus
from supervision.loop import transitions
from supervision.loop.models import Indicator, Task
from supervision.loop.services import indicator_save
from supervision.phases import reassign, split, yearend
from supervision.phases.indicators import (
    can_enter_values,
    indicator_lights,
    indicator_value_enter,
    plain,
)
from supervision.web import charts, phase_forms
from supervision.web.views.common import Action, Refusal, attempt

CARRY_PREVIEW = 100  # rows of the preview; the count is always whole


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
    return _indicator_page(request, indicator, form if may_enter else None, refusal, status)


def _indicator_page(request, indicator, form, refusal, status, edit_form=None):
    light = indicator_lights([indicator])[indicator.pk]
    if edit_form is None and transitions.is_supervisor(request.user):
        edit_form = phase_forms.IndicatorEditForm.for_indicator(indicator)
    values = list(indicator.values.select_related("entered_by").order_by("period"))
    context = {
        "indicator": indicator,
        "light": light,
        "values": values,
        "chart_option": charts.indicator_option(
            name=indicator.name,
            unit=indicator.unit,
            values=[(value.period, value.value) for value in values],
            target=indicator.target_value,
        )
        if len(values) > 1
        else None,
        "tasks": list(indicator.tasks.select_related("lead_department").order_by("code")),
        "form": form,
        "edit_form": edit_form,
        "refusal": refusal,
    }
    return render(request, "web/phases/indicator.html", context, status=status)


def _shown(value) -> str:
    if value is None:
        return "—"
    return plain(value) if isinstance(value, Decimal) else str(value)


@login_required
@require_POST
def indicator_edit(request, pk: int):
    """修改指标 (the office): its responsible unit and target, audited; a field set here is no
    longer marked 推定."""
    indicator = Indicator.objects.select_related("department").filter(pk=pk).first()
    if indicator is None:
        raise Http404("指标不存在。")
    form = phase_forms.IndicatorEditForm.for_indicator(indicator, request.POST)
    value_form = (
        phase_forms.IndicatorValueForm(prefix="value")
        if can_enter_values(request.user, indicator)
        else None
    )
    if not transitions.is_supervisor(request.user):
        refusal = Refusal(403, "只有督查办可以修改指标。")
        return _indicator_page(request, indicator, value_form, refusal, 403)
    if not form.is_valid():
        return _indicator_page(request, indicator, value_form, None, 400, form)
    changed = {
        name: value
        for name, value in form.cleaned_data.items()
        if value != getattr(indicator, name)
    }
    if not changed:
        messages.info(request, "指标没有改动。")
        return redirect("web:indicator-detail", pk=indicator.pk)
    labels = {name: form.fields[name].label for name in changed}
    text = "；".join(
        f"{labels[name]} {_shown(getattr(indicator, name))} → {_shown(value)}"
        for name, value in changed.items()
    )
    assumed = [name for name in indicator.assumed_fields or () if name not in changed]
    _, refusal = attempt(
        lambda: indicator_save(
            code=indicator.code, actor=request.user, assumed_fields=assumed, **changed
        ),
        form=form,
    )
    if refusal is not None:
        return _indicator_page(request, indicator, value_form, refusal, refusal.status, form)
    messages.success(request, f"已修改指标“{indicator.name}”：{text}。")
    return redirect("web:indicator-detail", pk=indicator.pk)


# --- on a task's page: 末端落实 (and, below, 调整牵头单位 and 年度评定) -----------------------


PHASE_ACTIONS = {
    a.key: a
    for a in [
        Action("split", "分解交办", phase_forms.SplitChildForm, "primary"),
        Action("split-override", "放行申请办结", phase_forms.ReasonForm),
        Action("reassign-request", "申请调整牵头单位", phase_forms.ReassignRequestForm),
        Action("reassign-decide", "审批调整申请", phase_forms.ReassignDecisionForm, "primary"),
        Action("rate", "年度评定", phase_forms.RatingForm),
    ]
}


def _pending_request(task):
    return task.reassign_requests.filter(status=ReassignStatus.PENDING).first()


def phase_actions(task, user, roll, pending) -> list[str]:
    """The issue-13 buttons ``user`` gets on ``task`` (the services' own predicates)."""
    keys = []
    if split.can_split(user, task):
        keys.append("split")
    if transitions.is_supervisor(user) and roll.open and task.is_open:
        keys.append("split-override")
    if reassign.can_request(user, task, pending=pending is not None):
        keys.append("reassign-request")
    if pending is not None and transitions.is_supervisor(user):
        keys.append("reassign-decide")
    if yearend.can_rate(user, task):
        keys.append("rate")
    return keys


def phases_context(task, user, bound=None, events=None) -> dict:
    """What the task page's issue-13 section shows; ``bound`` = (key, form) with errors.

    ``events`` (the task's log, already read by the page) says whether the task was ever
    split or asked to be reassigned, so a task with neither costs no query here.
    """
    logged = None if events is None else {event.action for event in events}
    roll = split.Rollup()
    if logged is None or TaskAction.SPLIT in logged:
        roll = split.rollup(task)
    requests = []
    if logged is None or TaskAction.REASSIGN_REQUEST in logged:
        requests = list(
            task.reassign_requests.select_related(
                "department", "suggested_department", "new_department", "requested_by",
                "decided_by",
            ).order_by("created_at", "pk")
        )  # fmt: skip
    pending = next((r for r in requests if r.status == ReassignStatus.PENDING), None)
    keys = phase_actions(task, user, roll, pending)
    panels = []
    for key in keys:
        action = PHASE_ACTIONS[key]
        is_bound = bool(bound and bound[0] == key)
        form = bound[1] if is_bound else action.form(prefix=key)
        panels.append({"action": action, "form": form, "open": is_bound})
    return {
        "rollup": roll,
        "panels": panels,
        "blocking": split.open_children_blocking(task) if roll.open else [],
        "requests": requests,
        "pending": pending,
        "window_end": reassign.window_end(task) if "reassign-request" in keys else None,
    }


def _perform(key: str, task, user, data: dict):
    if key == "split":
        return split.task_split(task=task, actor=user, children=[data])
    if key == "split-override":
        return split.task_split_override(task=task, actor=user, reason=data["reason"])
    if key == "reassign-request":
        return reassign.reassign_request_create(task=task, actor=user, **data)
    if key == "reassign-decide":
        pending = _pending_request(task)
        if phase_forms.ReassignDecisionForm.DECISIONS[data["decision"]]:
            return reassign.reassign_approve(
                request=pending,
                actor=user,
                new_department=data["new_department"],
                comment=data["comment"],
            )
        return reassign.reassign_reject(request=pending, actor=user, comment=data["comment"])
    if key == "rate":
        return yearend.task_rate(task=task, actor=user, **data)
    raise Http404


def _success(key: str, data: dict, result) -> str:
    if key == "split":
        child = result[0]
        return f"已分解交办 {child.code} 至{child.lead_department}，已通知其签收。"
    if key == "rate":
        return f"年度评定：{result.get_rating_display()}。"
    if key == "reassign-decide":
        if result.status == ReassignStatus.APPROVED:
            return f"已将牵头单位调整为{result.new_department}，已通知其重新签收。"
        return f"已决定不予调整，理由：{result.decision_comment}"
    return {
        "split-override": "已放行，牵头单位可申请办结。",
        "reassign-request": "调整牵头单位申请已提交，等待督查办审批。",
    }[key]


@login_required
@require_POST
def task_phase_action(request, pk: int, action: str):
    from supervision.web.views.tasks import _load_task, _task_page

    if action not in PHASE_ACTIONS:
        raise Http404("没有这个操作。")
    task = _load_task(pk)
    form = PHASE_ACTIONS[action].form(request.POST, prefix=action)
    if action not in phase_actions(task, request.user, split.rollup(task), _pending_request(task)):
        allowed = transitions.is_supervisor(request.user) or (
            action == "reassign-request" and transitions.is_lead_owner(request.user, task)
        )
        refusal = Refusal(
            409 if allowed else 403,
            f"您当前不能对该事项执行“{PHASE_ACTIONS[action].label}”。",
        )
        return _task_page(request, task, refusal=refusal, status=refusal.status)
    if form.is_valid():
        result, refusal = attempt(
            lambda: _perform(action, task, request.user, form.cleaned_data), form=form
        )
        if refusal is None:
            messages.success(request, _success(action, form.cleaned_data, result))
            return redirect("web:task-detail", pk=task.pk)
        if refusal.status != 400:
            return _task_page(request, _load_task(pk), refusal=refusal, status=refusal.status)
    return _task_page(request, task, bound=(action, form), status=400)


# --- 年度结转 (the office; ``manage.py carry_over`` does the same) --------------------------


@login_required
def carry_over_page(request):
    """结转下年: the open work of a year (a preview), then next-year tasks linked to it."""
    from supervision.web.views.kinds import forbid_unless_supervisor, refused_page

    refusal = forbid_unless_supervisor(request, "结转下年")
    if refusal:
        return refused_page(request, refusal)
    data = request.POST if request.method == "POST" else request.GET
    form = phase_forms.CarryOverForm(data or None, initial={"year": clock.today().year})
    status, refusal = 200, None
    year = form.cleaned_data["year"] if form.is_valid() else clock.today().year
    if request.method == "POST":
        if form.is_valid():
            draft = form.cleaned_data["draft"]
            result, refusal = attempt(
                lambda: yearend.carry_over(year=year, actor=request.user, assign=not draft),
                form=form,
            )
            if refusal is None:
                how = "保留为草稿" if draft else "并已交办"
                messages.success(
                    request,
                    f"已将 {year} 年未办结事项 {len(result.created)} 项结转至 {year + 1} 年"
                    f"（{how}）；原事项均未销号，请逐项核验销号或撤销。",
                )
                return redirect(f"{reverse('web:carry-over')}?year={year}")
            status = refusal.status
        else:
            status = 400
    open_work = yearend.open_work(year)
    context = {
        "form": form,
        "year": year,
        "count": open_work.count(),
        "rows": list(open_work[:CARRY_PREVIEW]),
        "drafts": Task.objects.filter(deadline__year=year, status=TaskStatus.DRAFT).count(),
        "carried": Task.objects.filter(carried_from__deadline__year=year).count(),
        "refusal": refusal,
    }
    return render(request, "web/phases/carry_over.html", context, status=status)
