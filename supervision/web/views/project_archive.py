"""归档 / 取消归档 / 删除 a key project (the office), through ``projects.services`` as the API
does: a project anything refers to (milestones, investment reports, tasks) cannot be deleted
(the API's 409) — the page says so and offers 归档 instead."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from projects import services as project_services
from projects.models import Project
from supervision.web.views.common import Refusal, attempt
from supervision.web.views.kinds import forbid_unless_supervisor, refused_page
from supervision.web.views.projects import _load_project, _project_page


@login_required
@require_POST
def project_archive(request, pk: int):
    """``archived`` = 1 归档 (leaves the year's dashboard figures and report-card scores), 0 取消归档."""
    refusal = forbid_unless_supervisor(request, "归档重点项目")
    if refusal:
        return refused_page(request, refusal)
    project = _load_project(pk)
    archived = request.POST.get("archived", "1") != "0"
    _, refusal = attempt(
        lambda: project_services.project_update(
            actor=request.user, project=Project(pk=pk), is_archived=archived
        )
    )
    if refusal is not None:
        return _project_page(request, project, refusal=refusal, status=refusal.status)
    verb = "已归档" if archived else "已取消归档"
    messages.success(request, f"{verb}项目 {project.code} {project.name}（已记录）。")
    return redirect("web:project-detail", pk=pk)


@login_required
@require_POST
def project_delete(request, pk: int):
    refusal = forbid_unless_supervisor(request, "删除重点项目")
    if refusal:
        return refused_page(request, refusal)
    project = _load_project(pk)
    _, refusal = attempt(
        lambda: project_services.project_delete(actor=request.user, project=Project(pk=pk))
    )
    if refusal is not None:
        if refusal.status == 409:
            refusal = Refusal(409, f"无法删除：{refusal.message.rstrip('。')}。")
        return _project_page(request, project, refusal=refusal, status=refusal.status)
    messages.success(request, f"已删除项目 {project.code} {project.name}（已记录）。")
    return redirect("web:projects")
