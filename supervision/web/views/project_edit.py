"""新建/修改重点项目 and 新增/修改节点 (the office), through the API's services
(``projects.services``: permission, validation, audit record in one transaction)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from accounts.choices import Role
from accounts.models import Department, User
from projects import services as project_services
from projects.models import Milestone, Project
from supervision.web.forms import TextInputFormMixin
from supervision.web.views.common import attempt
from supervision.web.views.kinds import forbid_unless_supervisor, refused_page

# The plan the office keeps (in the model's order); provenance and archiving stay the API's.
PROJECT_FIELDS = [
    field.name
    for field in Project._meta.get_fields()
    if field.name in {"code", "co_departments", *project_services.PROJECT_EDITABLE}
    and field.name not in {"source_ref", "assumed", "assumed_fields", "is_archived"}
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class ProjectForm(TextInputFormMixin, forms.ModelForm):
    """The project's plan; the service validates again and writes (ModelForm only shapes)."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "target_text": TEXTAREA,
            "description": TEXTAREA,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = Department.objects.filter(is_active=True).order_by("code")
        self.fields["lead_department"].queryset = units
        self.fields["co_departments"].queryset = units
        self.fields["co_departments"].required = False
        self.fields["responsible_leader"].queryset = User.objects.filter(
            role=Role.LEADER, is_active=True
        ).order_by("username")
        self.fields["responsible_leader"].empty_label = "（未定）"
        if self.instance.pk:
            self.fields["code"].disabled = True  # the code is the project's key everywhere


class MilestoneForm(TextInputFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["name", "due_date", "sequence", "note"]
        widgets = {"due_date": DATE, "note": TEXTAREA}


def _project(pk: int) -> Project:
    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise Http404("项目不存在。")
    return project


def _render(request, template, context, status=200, refusal=None):
    return render(request, template, {**context, "refusal": refusal}, status=status)


def _changed(form) -> dict:
    """The fields the office changed (so the audit record and the rights check see only them)."""
    data = {}
    for name in form.changed_data:
        if form.fields[name].disabled:
            continue
        data[name] = form.cleaned_data[name]
    return data


@login_required
def project_new(request):
    refusal = forbid_unless_supervisor(request, "新建重点项目")
    if refusal:
        return refused_page(request, refusal)
    form = ProjectForm(request.POST or None)
    context = {"form": form, "project": None}
    if request.method != "POST":
        return _render(request, "web/projects/edit.html", context)
    if not form.is_valid():
        return _render(request, "web/projects/edit.html", context, 400)
    data = dict(form.cleaned_data)
    data["co_departments"] = list(data["co_departments"])
    project, refusal = attempt(
        lambda: project_services.project_create(actor=request.user, **data), form=form
    )
    if refusal is not None:
        return _render(request, "web/projects/edit.html", context, refusal.status, refusal)
    messages.success(request, f"已新建重点项目 {project.code} {project.name}（已记录）。")
    return redirect("web:project-detail", pk=project.pk)


@login_required
def project_edit(request, pk: int):
    refusal = forbid_unless_supervisor(request, "修改重点项目")
    if refusal:
        return refused_page(request, refusal)
    project = _project(pk)
    form = ProjectForm(request.POST or None, instance=project)
    context = {"form": form, "project": project}
    if request.method != "POST":
        return _render(request, "web/projects/edit.html", context)
    if not form.is_valid():
        return _render(request, "web/projects/edit.html", context, 400)
    changes = _changed(form)
    if not changes:
        messages.info(request, "项目没有改动。")
        return redirect("web:project-detail", pk=pk)
    if "co_departments" in changes:
        changes["co_departments"] = list(changes["co_departments"])
    labels = "、".join(str(form.fields[name].label) for name in changes)
    _, refusal = attempt(
        lambda: project_services.project_update(
            actor=request.user, project=Project(pk=pk), **changes
        ),
        form=form,
    )
    if refusal is not None:
        return _render(request, "web/projects/edit.html", context, refusal.status, refusal)
    messages.success(request, f"已修改项目 {project.code}：{labels}（已记录）。")
    return redirect("web:project-detail", pk=pk)


@login_required
def milestone_edit(request, pk: int, milestone_pk: int | None = None):
    """新增节点 (no ``milestone_pk``) or 修改节点: its name, planned date, order and note."""
    refusal = forbid_unless_supervisor(request, "设置项目节点")
    if refusal:
        return refused_page(request, refusal)
    project = _project(pk)
    milestone = None
    if milestone_pk is not None:
        milestone = project.milestones.filter(pk=milestone_pk).first()
        if milestone is None:
            raise Http404("节点不存在。")
    initial = None if milestone else {"sequence": project.milestones.count() + 1}
    form = MilestoneForm(request.POST or None, instance=milestone, initial=initial)
    context = {"form": form, "project": project, "milestone": milestone}
    if request.method != "POST":
        return _render(request, "web/projects/milestone_edit.html", context)
    if not form.is_valid():
        return _render(request, "web/projects/milestone_edit.html", context, 400)
    if milestone is None:
        call = lambda: project_services.milestone_create(  # noqa: E731
            actor=request.user, project=project, **form.cleaned_data
        )
        done = "已新增节点"
    else:
        changes = _changed(form)
        if not changes:
            messages.info(request, "节点没有改动。")
            return redirect("web:project-detail", pk=pk)
        call = lambda: project_services.milestone_update(  # noqa: E731
            actor=request.user, milestone=Milestone(pk=milestone.pk), **changes
        )
        done = "已修改节点"
    saved, refusal = attempt(call, form=form)
    if refusal is not None:
        return _render(
            request, "web/projects/milestone_edit.html", context, refusal.status, refusal
        )
    messages.success(request, f"{done}“{saved.name}”（计划 {saved.due_date:%Y-%m-%d}，已记录）。")
    return redirect("web:project-detail", pk=pk)
