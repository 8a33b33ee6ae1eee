"""The office's batch work and the kinds' own steps in the cockpit: 批量交办, the 交办清单
import (a dry-run preview table, then commit), the per-source policy editor, a leader's 批示
on a task or project, and a proposal's 答复 / 满意度 — all through the services."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from supervision import excel
from supervision.choices import TaskAction, TaskSource
from supervision.files.services import with_attachments
from supervision.kinds import instructions, policies, proposals, services
from supervision.kinds.choices import ReplyClass
from supervision.kinds.models import MeetingItem
from supervision.kinds.selectors import task_instructions
from supervision.loop import transitions
from supervision.loop.models import Task
from supervision.scorecards.measures import NOT_COUNTED
from supervision.web import kind_forms
from supervision.web.views.common import Refusal, attempt
from supervision.web.views.kinds import forbid_unless_supervisor, refused_page

IMPORT_TTL = 30 * 60  # seconds an uploaded 交办清单 waits for its commit


@login_required
@require_POST
def tasks_assign(request):
    """批量交办 the drafts ticked in the task list (each on its own; refusals are listed)."""
    refusal = forbid_unless_supervisor(request, "交办")
    if refusal:
        return refused_page(request, refusal)
    form = kind_forms.BatchAssignForm(request.POST)
    back = request.POST.get("next", "")
    back = back if back.startswith("/tasks/") else reverse("web:tasks")
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, "；".join(errors))
        return redirect(back)
    tasks = sorted(form.cleaned_data["tasks"], key=lambda task: task.code)
    done, refused = services.tasks_assign(
        tasks=tasks, actor=request.user, comment=form.cleaned_data["comment"]
    )
    if done:
        messages.success(request, f"已交办 {len(done)} 项：{'、'.join(t.code for t in done)}。")
    for task, why in refused:
        messages.error(request, f"{task.code} 未交办：{why}")
    return redirect(back)


# --- 交办清单 import ---------------------------------------------------------------------


def _cache_key(request, token: str) -> str:
    return f"web:task-import:{request.user.pk}:{token}"


def _preview_rows(check) -> list[dict]:
    errors: dict[int, list] = {}
    for error in check.errors:
        errors.setdefault(error.row, []).append(error)
    rows = [{"row": row.row, "fields": row.fields, "errors": []} for row in check.valid]
    rows += [{"row": number, "fields": None, "errors": errs} for number, errs in errors.items()]
    return sorted(rows, key=lambda row: row["row"])


@login_required
def task_import(request):
    """导入交办清单: upload → preview (every row checked, nothing created) → 确认导入."""
    refusal = forbid_unless_supervisor(request, "导入交办清单")
    if refusal:
        return refused_page(request, refusal)
    form = kind_forms.ImportForm()
    context = {"form": form, "today": clock.today()}
    status = 200
    if request.method == "POST" and "token" in request.POST:
        return _import_commit(request)
    if request.method == "POST":
        form = kind_forms.ImportForm(request.POST, request.FILES)
        context["form"] = form
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            check, refusal = attempt(lambda: excel.check_rows(excel.read_sheet(upload)), form=form)
            if refusal is None:
                token = secrets.token_urlsafe(16)
                upload.seek(0)
                cache.set(_cache_key(request, token), upload.read(), IMPORT_TTL)
                context |= {
                    "check": check,
                    "rows": _preview_rows(check),
                    "commit": kind_forms.ImportCommitForm(initial={"token": token}),
                }
                status = 200
    return render(request, "web/kinds/import.html", context, status=status)


def _import_commit(request):
    form = kind_forms.ImportCommitForm(request.POST)
    content = form.is_valid() and cache.get(_cache_key(request, form.cleaned_data["token"]))
    if not content:
        messages.error(request, "预览已过期或不存在，请重新上传交办清单。")
        return redirect("web:task-import")
    check = excel.check_rows(excel.read_sheet(ContentFile(content, name="交办清单.xlsx")))
    if not check.errors:
        try:
            tasks = excel.tasks_import(
                actor=request.user, rows=check.valid, assign=form.cleaned_data["assign"]
            )
        except excel.ImportRejected as rejected:
            check.errors = rejected.errors
        else:
            cache.delete(_cache_key(request, form.cleaned_data["token"]))
            state = "并交办" if form.cleaned_data["assign"] else "为草稿"
            messages.success(request, f"已导入 {len(tasks)} 项{state}。")
            return redirect(reverse("web:tasks") + "?ordering=-created_at")
    messages.error(request, f"交办清单有 {len(check.errors)} 处错误，未导入任何事项。")
    context = {
        "form": kind_forms.ImportForm(),
        "check": check,
        "rows": _preview_rows(check),
        "today": clock.today(),
    }
    return render(request, "web/kinds/import.html", context, status=400)


# --- the per-source policy -----------------------------------------------------------------


@login_required
def policy_index(request):
    refusal = forbid_unless_supervisor(request, "查看和修改督办件类别规则")
    if refusal:
        return refused_page(request, refusal)
    context = {"policies": policies.all_policies(), "today": clock.today()}
    return render(request, "web/kinds/policies.html", context)


@login_required
def policy_edit(request, source: str):
    if source not in TaskSource.values:
        raise Http404("没有这个类别。")
    refusal = forbid_unless_supervisor(request, "修改督办件类别规则")
    if refusal:
        return refused_page(request, refusal)
    policy = policies.policy_for(source)
    initial = {name: getattr(policy, name) for name in kind_forms.PolicyForm.base_fields}
    data = request.POST if request.method == "POST" else None
    form = kind_forms.PolicyForm(data, source=source, initial=initial)
    status = 200
    if data is not None:
        status = 400
        if form.is_valid():
            _, refusal = attempt(
                lambda: services.source_policy_save(
                    actor=request.user, source=source, **form.cleaned_data
                ),
                form=form,
            )
            if refusal is None:
                messages.success(request, f"“{policy}”的规则已保存。")
                return redirect("web:kind-policies")
    context = {"form": form, "policy": policy, "today": clock.today()}
    return render(request, "web/kinds/policy_form.html", context, status=status)


# --- the kinds on a task's page --------------------------------------------------------------


def task_kind_context(request, task, bound: dict | None = None, events=None) -> dict:
    """What ``web/kinds/_task_kind.html`` shows on a task's page, and the forms it may use.

    ``events`` (the task's log, already read) tells whether there is any 批示 to read; a
    task of a kind without details costs no query for them.
    """
    user = request.user
    bound = bound or {}
    detail = dict.fromkeys(("instruction", "proposal", "problem", "meeting_item"))
    if task.source in policies.DETAIL_OF:
        details = (
            Task.objects.filter(pk=task.pk)
            .select_related(
                "instruction__leader", "problem", "meeting_item__meeting", "proposal__merged_into"
            )
            .prefetch_related("proposal__assist_departments")
            .get()
        )
        detail = {name: getattr(details, name, None) for name in detail}
    instructed = events is None or any(e.action == TaskAction.INSTRUCT for e in events)
    kind = {"detail": detail, "instructions": list(task_instructions(task)) if instructed else []}
    if detail["meeting_item"]:
        kind["meeting_items"] = list(
            MeetingItem.objects.filter(meeting=detail["meeting_item"].meeting)
            .select_related("task__lead_department")
            .order_by("sequence")
        )
    if detail["proposal"]:
        kind["merged"] = list(
            Task.objects.filter(proposal__merged_into=task).select_related("proposal")
        )
    forms = {}
    if instructions.can_instruct(user):
        forms["instruct"] = bound.get("instruct") or kind_forms.InstructForm(
            user=user, prefix="instruct"
        )
    if detail["proposal"] and proposals.can_reply(user, task) and task.status == "in_progress":
        forms["reply"] = bound.get("reply") or kind_forms.ReplyForm(prefix="reply")
    proposal = detail["proposal"]
    if (
        proposal
        and proposal.reply_class
        and task.status != "cancelled"
        and proposals.can_record_satisfaction(user, task)
    ):
        forms["satisfaction"] = bound.get("satisfaction") or kind_forms.SatisfactionForm(
            prefix="satisfaction"
        )
    if detail["problem"] and transitions.is_supervisor(user) and task.status not in NOT_COUNTED:
        from supervision.web.views.scorecards import FollowUpForm  # the 问题清单's own form

        forms["follow_up"] = FollowUpForm(initial={"lead_department": task.lead_department_id})
    kind["forms"] = forms
    kind["can_edit"] = transitions.is_supervisor(user) and task.is_open
    return {"kind": kind}


def _task_step(request, pk, key, form_class, perform, success, **form_kwargs):
    from supervision.web.views.tasks import _load_task, _task_page

    task = _load_task(pk)
    form = form_class(request.POST, prefix=key, **form_kwargs)
    refusal = None
    if form.is_valid():
        _, refusal = attempt(lambda: perform(task, form.cleaned_data), form=form)
        if refusal is None:
            messages.success(request, success(form.cleaned_data))
            return redirect("web:task-detail", pk=task.pk)
        if refusal.status != 400:
            return _task_page(request, _load_task(pk), refusal=refusal, status=refusal.status)
    return _task_page(request, task, kind_bound={key: form}, status=400)


@login_required
@require_POST
def task_instruct(request, pk: int):
    """领导批示 on a task (a leader, or the office recording one for a leader)."""
    return _task_step(
        request,
        pk,
        "instruct",
        kind_forms.InstructForm,
        lambda task, data: instructions.task_instruct(task=task, actor=request.user, **data),
        lambda data: "批示已送达牵头和配合单位。",
        user=request.user,
    )


def _reply(task, user, data: dict):
    """答复 and its reply letter (答复函), bound in the reply's transaction (as the API)."""
    ids = data.pop("attachments", [])
    return with_attachments(
        lambda: proposals.proposal_reply(task=task, actor=user, **data),
        actor=user,
        ids=ids,
        target_type="proposal_reply",
    )


@login_required
@require_POST
def task_reply(request, pk: int):
    return _task_step(
        request,
        pk,
        "reply",
        kind_forms.ReplyForm,
        lambda task, data: _reply(task, request.user, dict(data)),
        lambda data: f"已答复（{ReplyClass(data['reply_class']).label}）。",
    )


@login_required
@require_POST
def task_satisfaction(request, pk: int):
    def success(data):
        if data["satisfaction"] == "dissatisfied":
            return "已登记“不满意”，事项重新进入办理（二次办理），已通知主办单位。"
        return "满意度已登记。"

    return _task_step(
        request,
        pk,
        "satisfaction",
        kind_forms.SatisfactionForm,
        lambda task, data: proposals.proposal_satisfaction(task=task, actor=request.user, **data),
        success,
    )


@login_required
@require_POST
def project_instruct(request, pk: int):
    """领导批示 on a key project: its units are told; back to the project's page."""
    from projects.models import Project

    project = Project.objects.filter(pk=pk).first()
    if project is None:
        raise Http404("项目不存在。")
    if not instructions.can_instruct(request.user):
        return refused_page(request, Refusal(403, "只有区领导（或督查办代为录入）可以批示。"))
    form = kind_forms.InstructForm(request.POST, user=request.user, prefix="instruct")
    if form.is_valid():
        _, refusal = attempt(
            lambda: instructions.project_instruct(
                project=project, actor=request.user, **form.cleaned_data
            ),
            form=form,
        )
        if refusal is None:
            messages.success(request, "批示已送达项目牵头和配合单位。")
            return redirect("web:project-detail", pk=pk)
        message = refusal.message
    else:
        message = "；".join(e for errors in form.errors.values() for e in errors)
    messages.error(request, f"批示未保存：{message}")
    return redirect(reverse("web:project-detail", args=[pk]) + "#instructions")


def project_instructions_context(user, project) -> dict:
    """A project's 批示 and, for a leader (or the office), the form to add one."""
    from supervision.kinds.models import Instruction

    return {
        "instructions": list(
            Instruction.objects.filter(project=project).select_related("leader", "created_by")
        ),
        "instruct_form": kind_forms.InstructForm(user=user, prefix="instruct")
        if instructions.can_instruct(user)
        else None,
        "instruct_url": reverse("web:project-instruct", args=[project.pk]),
    }


def kind_tabs(request) -> dict:
    """The task list's kind tabs (全部 and each source, other filters kept) and whether the
    user files and assigns (新建 buttons, the batch 交办 checkboxes)."""
    params = request.GET.copy()
    params.pop("page", None)
    current = params.pop("source", [""])[-1] if "source" in params else ""
    base = params.urlencode()
    tabs = []
    for value, label in [("", "全部"), *TaskSource.choices]:
        query = "&".join(part for part in (base, f"source={value}" if value else "") if part)
        tabs.append({"label": label, "url": f"?{query}", "active": value == current})
    return {
        "kind_tabs": tabs,
        "can_file": transitions.is_supervisor(request.user),
        "list_url": request.get_full_path(),
    }
