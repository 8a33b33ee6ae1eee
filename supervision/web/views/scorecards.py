"""八张报表 (heat map, publish), 问题清单 (清零 progress) and a unit's profile (its cards over
the quarters with the metrics behind each score, its problems, tasks and 激励问责)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Department
from core import clock
from supervision.choices import Domain, TaskStatus
from supervision.kinds.choices import ProblemOrigin
from supervision.loop.models import Task
from supervision.loop.selectors import task_list
from supervision.scorecards.cards import report_cards
from supervision.scorecards.choices import Component, InterventionType, Track
from supervision.scorecards.interventions import intervention_create, interview_proposals
from supervision.scorecards.models import Intervention
from supervision.scorecards.periods import parse_period, period_of, quarters_of_year
from supervision.scorecards.problems import problem_follow_up, problem_stats
from supervision.scorecards.publish import publish_quarter
from supervision.web.forms import CockpitForm
from supervision.web.views.common import attempt

TASK_ROWS = 20
# Heat-map bands (score ≥ lower bound), best first.
HEAT = ((95, "heat-5"), (85, "heat-4"), (75, "heat-3"), (60, "heat-2"), (0, "heat-1"))
COMPONENT_LABELS = dict(Component.choices)


def heat(score) -> str:
    if score is None:
        return "heat-none"
    return next(css for lower, css in HEAT if score >= lower)


def _period(request, today) -> tuple[str, str | None]:
    period = request.GET.get("period") or period_of(today)
    try:
        return parse_period(period).label, None
    except ValueError as exc:
        return period_of(today), str(exc)


def _decorate(row: dict) -> dict:
    for card in row["cards"]:
        card["heat"] = heat(card["score"])
        card["label"] = Domain(card["domain"]).label
        for component in card["components"]:
            component["label"] = COMPONENT_LABELS[component["component"]]
    row["heat"] = heat(row["total"])
    return row


@login_required
def report_card_index(request):
    """Units × the eight cards for a quarter (``?period=2024Q2&track=town``)."""
    today = clock.today()
    period, error = _period(request, today)
    track = request.GET.get("track") or Track.DEPARTMENT
    if track not in Track.values:
        track, error = Track.DEPARTMENT, "赛道不正确。"
    data = report_cards(period=period, today=today, track=track)
    quarter = parse_period(period)
    context = {
        "period": period,
        "periods": quarters_of_year(quarter.year, today) or [period],
        "previous_year": f"{quarter.year - 1}Q4",
        "track": track,
        "tracks": Track.choices,
        "domains": Domain.choices,
        "data": data,
        "rows": [_decorate(row) for row in data["rows"]],
        "rescaled": any(card["rescaled"] for row in data["rows"] for card in row["cards"]),
        "can_publish": request.user.is_supervisor and not data["published"] and today > quarter.end,
        "proposals": interview_proposals(period) if request.user.is_supervisor else [],
        "error": error,
    }
    return render(request, "web/report_cards.html", context, status=400 if error else 200)


@login_required
@require_POST
def report_card_publish(request):
    period = request.POST.get("period", "")
    _, refusal = attempt(lambda: publish_quarter(period=period, actor=request.user))
    if refusal is None:
        messages.success(request, f"{period} 八张报表已发布（晾晒），此后不再变动。")
    else:
        messages.error(request, refusal.message)
    return redirect(f"{reverse('web:report-cards')}?period={period if refusal is None else ''}")


class ProblemFilterForm(CockpitForm):
    domain = forms.ChoiceField(
        label="报表", choices=[("", "全部"), *Domain.choices], required=False
    )
    origin = forms.ChoiceField(
        label="来源", choices=[("", "全部"), *ProblemOrigin.choices], required=False
    )
    department = forms.ModelChoiceField(
        label="责任单位",
        queryset=Department.objects.filter(is_active=True).order_by("code"),
        required=False,
        empty_label="全部",
    )


@login_required
def problem_index(request):
    """八张问题清单: per card, origin and unit — total, rectified, open, overdue, 清零率 — and
    what stands between each card and 清零."""
    form = ProblemFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    stats = problem_stats(today=clock.today(), **filters)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "stats": stats}
    if request.user.is_supervisor:  # the follow-up forms' unit list, read once
        context["units"] = list(
            Department.objects.filter(is_active=True).order_by("code").values_list("pk", "name")
        )
    return render(request, "web/problems.html", context, status=status)


class FollowUpForm(CockpitForm):
    title = forms.CharField(label="跟进事项", max_length=200)
    lead_department = forms.ModelChoiceField(
        label="牵头单位", queryset=Department.objects.filter(is_active=True).order_by("code")
    )
    deadline = forms.DateField(
        label="办理时限", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


@login_required
@require_POST
def problem_follow_up_create(request, pk: int):
    """由问题派生跟进事项 (the office): a draft with the problem as its parent, then its page."""
    problem = Task.objects.filter(pk=pk).first()
    if problem is None:
        raise Http404("事项不存在。")
    back = (  # the problem's own page when the form was sent from there, else the list
        reverse("web:task-detail", args=[problem.pk])
        if request.POST.get("from") == "task"
        else reverse("web:problems")
    )
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    task, refusal = attempt(
        lambda: problem_follow_up(actor=request.user, problem=problem, **form.cleaned_data)
    )
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(back)
    messages.success(request, f"已由问题 {problem.code} 派生跟进事项（草稿），请完善后交办。")
    return redirect("web:task-detail", pk=task.pk)


class InterventionForm(CockpitForm):
    type = forms.ChoiceField(label="类型", choices=InterventionType.choices)
    occurred_on = forms.DateField(
        label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period = forms.CharField(
        label="季度",
        required=False,
        max_length=6,
        help_text="依据已发布季度通报或约谈时填写，如 2024Q2",
    )
    task = forms.IntegerField(label="事项编号（ID）", required=False, min_value=1)
    summary = forms.CharField(
        label="事由/摘要", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    participants = forms.CharField(label="参加人员（约谈）", required=False, max_length=2000)
    outcome = forms.CharField(label="结果（约谈）", required=False, max_length=2000)
    issue_document = forms.BooleanField(label="同时印发通报公文（通报表扬/批评）", required=False)


def _department(pk: int) -> Department:
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise Http404("单位不存在。")
    return department


def _profile_context(request, department: Department, form: InterventionForm | None) -> dict:
    today = clock.today()
    period, _ = _period(request, today)
    year = parse_period(period).year
    trend = []
    selected = None
    for label in quarters_of_year(year, today):
        data = report_cards(period=label, today=today)
        row = next((r for r in data["rows"] if r["department"] == department.pk), None)
        if row is not None:
            row = _decorate(row)
        trend.append({"period": label, "published": data["published"], "row": row})
        if label == period:
            selected = row
    tasks = list(
        task_list(today=today)
        .filter(lead_department=department)
        .exclude(status__in=(TaskStatus.DRAFT, TaskStatus.CANCELLED))
        .order_by("status", "deadline", "pk")[: TASK_ROWS + 1]
    )
    return {
        "department": department,
        "period": period,
        "year": year,
        "domains": Domain.choices,
        "trend": trend,
        "selected": selected,
        "problems": problem_stats(today=today, department=department),
        "tasks": tasks[:TASK_ROWS],
        "tasks_more": len(tasks) > TASK_ROWS,
        "interventions": Intervention.objects.filter(department=department).select_related(
            "task", "created_by", "document"
        )[:50],
        "form": form or InterventionForm(initial={"occurred_on": today, "period": period}),
    }


@login_required
def unit_profile(request, pk: int):
    department = _department(pk)
    return render(request, "web/unit_profile.html", _profile_context(request, department, None))


@login_required
@require_POST
def unit_intervention(request, pk: int):
    """登记通报/约谈/问责移送/最佳实践 for the unit (the office; the service checks)."""
    department = _department(pk)
    form = InterventionForm(request.POST)
    refusal = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        task_id = data.pop("task")
        task = department.led_tasks.filter(pk=task_id).first() if task_id else None
        if task_id and task is None:
            form.add_error("task", "该单位没有牵头这一事项。")
        else:
            created, refusal = attempt(
                lambda: intervention_create(
                    actor=request.user, department=department, task=task, **data
                ),
                form=form,
            )
            if refusal is None:
                messages.success(request, f"已登记{created.get_type_display()}。")
                return redirect("web:unit-profile", pk=department.pk)
    context = _profile_context(request, department, form)
    status = refusal.status if refusal else 400
    return render(request, "web/unit_profile.html", context, status=status)
