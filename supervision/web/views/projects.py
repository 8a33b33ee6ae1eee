"""项目: the project list (the API's FilterSet: filters, search, ordering) and a project's
page with its forms."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import AuditRecord
from core import clock
from core.errors import NotPermitted
from projects import services as project_services
from projects.filters import ProjectFilter
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone
from projects.permissions import require_project_writer
from projects.selectors import project_list
from supervision.files import services as files
from supervision.files.selectors import project_attachments
from supervision.loop.models import ProgressReport
from supervision.loop.selectors import task_list
from supervision.web import charts
from supervision.web.forms import (
    AnnualPlanForm,
    InvestmentCorrectForm,
    InvestmentReportForm,
    MilestoneCompleteForm,
    initial_month,
)
from supervision.web.views.common import attempt, export_url, paginate
from supervision.web.views.filters import filtered
from supervision.web.views.kind_ops import project_instructions_context

FILTER_FIELDS = ["category", "stage", "department", "light"]


@login_required
def project_index(request):
    filterset, filters = filtered(request, ProjectFilter, project_list(), FILTER_FIELDS)
    context = {
        **filters,
        "page": paginate(request, filterset.qs),
        "export_url": export_url(request, "export-projects"),
    }
    return render(request, "web/projects/list.html", context)


@login_required
def milestone_redirect(request, pk: int):
    """A milestone is shown on its project's page."""
    project_id = Milestone.objects.filter(pk=pk).values_list("project_id", flat=True).first()
    if project_id is None:
        raise Http404("节点不存在。")
    return redirect(f"{reverse('web:project-detail', args=[project_id])}#milestone-{pk}")


def _load_project(pk: int):
    project = project_list().filter(pk=pk).first()
    if project is None:
        raise Http404("项目不存在。")
    return project


def _can_write(user, project) -> bool:
    try:
        require_project_writer(user, project)
    except NotPermitted:
        return False
    return True


def _year_reports(project):
    return InvestmentReport.objects.filter(project=project, period__year=project.year)


def _project_page(request, project, *, refusal=None, status=200, **bound_forms):
    today = clock.today()
    milestones = list(project.milestones.order_by("sequence", "due_date", "pk"))
    open_milestones = project.milestones.filter(completed_on__isnull=True).order_by(
        "sequence", "due_date", "pk"
    )
    reports = list(
        _year_reports(project)
        .select_related("reported_by")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=InvestmentReportRevision.objects.select_related("revised_by").order_by(
                    "revised_at", "pk"
                ),
            )
        )
        .order_by("period")
    )
    tasks = list(
        task_list(today=today)
        .filter(project=project)
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("department", "author").order_by(
                    "-created_at", "-pk"
                ),
            )
        )
        .order_by("deadline", "code")
    )
    can_write = _can_write(request.user, project)
    forms = {}
    if can_write:
        forms = {
            "invest_form": InvestmentReportForm(initial=initial_month(today), prefix="invest"),
            "correct_form": InvestmentCorrectForm(
                reports=_year_reports(project).order_by("period"),
                initial={"report": request.GET.get("correct")},
                prefix="correct",
            ),
            "milestone_form": MilestoneCompleteForm(
                milestones=open_milestones, initial={"completed_on": today}, prefix="milestone"
            ),
        }
    if request.user.is_supervisor:
        forms["plan_form"] = AnnualPlanForm(
            initial={"annual_plan_investment": project.annual_plan_investment}, prefix="plan"
        )
    forms.update(bound_forms)
    warn_days = settings.PROJECT_MILESTONE_WARNING_DAYS
    timeline = []
    for milestone in milestones:
        if milestone.completed_on:
            state, label = "done", f"已于 {milestone.completed_on:%Y-%m-%d} 完成"
        elif milestone.due_date < today:
            state, label = "overdue", f"已逾期 {(today - milestone.due_date).days} 天"
        elif (milestone.due_date - today).days <= warn_days:
            days = (milestone.due_date - today).days
            state, label = "soon", f"{days} 天后到期" if days else "今天到期"
        else:
            state, label = "pending", "未到期"
        timeline.append({"milestone": milestone, "state": state, "label": label})
    chart = charts.monthly_investment(
        year=project.year,
        annual_plan=project.annual_plan_investment,
        amounts={report.period.month: report.amount for report in reports},
        today=today,
    )
    context = {
        "project": project,
        "co_departments": list(project.co_departments.all()),
        "timeline": timeline,
        "has_open_milestones": any(m.completed_on is None for m in milestones),
        "reports": reports,
        "chart": chart,
        "chart_option": charts.investment_option(chart),
        "tasks": tasks,
        "attachments": project_attachments(project, request.user),
        "can_write": can_write,
        "plan_changes": AuditRecord.objects.filter(
            model="projects.Project", object_id=str(project.pk), action="plan"
        ).select_related("actor"),
        **forms,
        "refusal": refusal,
        "today": today,
        **project_instructions_context(request.user, project),
    }
    return render(request, "web/projects/detail.html", context, status=status)


@login_required
def project_detail(request, pk: int):
    return _project_page(request, _load_project(pk))


def _post(request, project, *, form, service, success, form_key, target_type):
    """Check the writer (403 before anything else), validate, call the service (and bind the
    uploaded files to what it created, in the same transaction), redirect."""
    _, refusal = attempt(lambda: require_project_writer(request.user, project))
    if refusal is None and form.is_valid():
        data = dict(form.cleaned_data)
        ids = data.pop("attachments", [])
        result, refusal = attempt(
            lambda: files.with_attachments(
                lambda: service(**data), actor=request.user, ids=ids, target_type=target_type
            ),
            form=form,
        )
        if refusal is None:
            messages.success(request, success(result))
            return redirect("web:project-detail", pk=project.pk)
    shown = refusal if refusal and refusal.status != 400 else None
    return _project_page(
        request,
        project,
        **{form_key: form},
        refusal=shown,
        status=refusal.status if refusal else 400,
    )


@login_required
@require_POST
def project_invest(request, pk: int):
    """填报月度投资 → ``investment_report_create`` (lead department's owners, supervisors)."""
    project = _load_project(pk)
    return _post(
        request,
        project,
        form=InvestmentReportForm(request.POST, prefix="invest"),
        service=lambda **data: project_services.investment_report_create(
            actor=request.user, project=project, **data
        ),
        success=lambda report: f"已填报 {report.period:%Y年%m月} 完成投资 {report.amount} 万元。",
        form_key="invest_form",
        target_type="investment_report",
    )


@login_required
@require_POST
def project_milestone_complete(request, pk: int):
    """完成节点 → ``milestone_complete`` (lead department's owners, supervisors)."""
    project = _load_project(pk)
    open_milestones = Milestone.objects.filter(project=project, completed_on__isnull=True)
    return _post(
        request,
        project,
        form=MilestoneCompleteForm(request.POST, milestones=open_milestones, prefix="milestone"),
        service=lambda **data: project_services.milestone_complete(actor=request.user, **data),
        success=lambda milestone: f"节点“{milestone.name}”已标记完成。",
        form_key="milestone_form",
        target_type="milestone",
    )


@login_required
@require_POST
def project_invest_correct(request, pk: int):
    """更正月度投资 → ``investment_report_correct`` with a reason (the project's writers)."""
    project = _load_project(pk)
    return _post(
        request,
        project,
        form=InvestmentCorrectForm(request.POST, reports=_year_reports(project), prefix="correct"),
        service=lambda report, amount, reason: project_services.investment_report_correct(
            actor=request.user, report=report, amount=amount, reason=reason
        ),
        success=lambda report: (
            f"已更正 {report.period:%Y年%m月} 完成投资为 {report.amount:.2f} 万元，原数已留痕。"
        ),
        form_key="correct_form",
        target_type=None,
    )


@login_required
@require_POST
def project_plan(request, pk: int):
    """设定年度计划投资 → ``project_plan_set`` (the office; audited)."""
    project = _load_project(pk)
    return _post(
        request,
        project,
        form=AnnualPlanForm(request.POST, prefix="plan"),
        service=lambda **data: project_services.project_plan_set(
            project=project, actor=request.user, **data
        ),
        success=lambda result: (
            f"{result.year} 年度计划投资已设为 {result.annual_plan_investment:.2f} 万元（已记录）。"
        ),
        form_key="plan_form",
        target_type=None,
    )
