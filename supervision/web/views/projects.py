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

from config import clock
from config.errors import NotPermitted
from projects import services as project_services
from projects.filters import ProjectFilter
from projects.models import InvestmentReport, Milestone
from projects.permissions import require_project_writer
from projects.selectors import project_list
from supervision.files import services as files
from supervision.files.selectors import project_attachments
from supervision.loop.models import ProgressReport
from supervision.loop.selectors import task_list
from supervision.web import charts
from supervision.web.forms import InvestmentReportForm, MilestoneCompleteForm, initial_month
from supervision.web.views.common import attempt, export_url, paginate
from supervision.web.views.filters import list_context
from supervision.web.views.kind_ops import project_instructions_context

FILTER_FIELDS = ["category", "stage", "department", "light"]


@login_required
def project_index(request):
    filterset = ProjectFilter(request.GET, queryset=project_list())
    context = {
        **list_context(request, filterset, FILTER_FIELDS),
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


def _project_page(
    request, project, *, invest_form=None, milestone_form=None, refusal=None, status=200
):
    today = clock.today()
    milestones = list(project.milestones.order_by("sequence", "due_date", "pk"))
    open_milestones = project.milestones.filter(completed_on__isnull=True).order_by(
        "sequence", "due_date", "pk"
    )
    reports = list(
        InvestmentReport.objects.filter(project=project, period__year=project.year)
        .select_related("reported_by")
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
    if can_write:
        invest_form = invest_form or InvestmentReportForm(
            initial=initial_month(today), prefix="invest"
        )
        milestone_form = milestone_form or MilestoneCompleteForm(
            milestones=open_milestones, initial={"completed_on": today}, prefix="milestone"
        )
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
    context = {
        "project": project,
        "co_departments": list(project.co_departments.all()),
        "timeline": timeline,
        "has_open_milestones": any(m.completed_on is None for m in milestones),
        "reports": reports,
        "chart": charts.monthly_investment(
            year=project.year,
            annual_plan=project.annual_plan_investment,
            amounts={report.period.month: report.amount for report in reports},
            today=today,
        ),
        "tasks": tasks,
        "attachments": project_attachments(project, request.user),
        "can_write": can_write,
        "invest_form": invest_form,
        "milestone_form": milestone_form,
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
            project=project, reported_by=request.user, **data
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
        service=project_services.milestone_complete,
        success=lambda milestone: f"节点“{milestone.name}”已标记完成。",
        form_key="milestone_form",
        target_type="milestone",
    )
