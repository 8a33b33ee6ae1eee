"""新建 and 修改 督办件 of every kind, and a meeting with its 议定事项 entered together.

Each kind has its own form (the shared ``TaskForm`` plus the kind's details); 保存 keeps a
draft, 保存并交办 also assigns it. Everything goes through ``supervision.kinds.services``
(and ``transitions`` for 交办); their refusals come back onto the fields.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from core import clock
from supervision.choices import TaskSource, TaskStatus
from supervision.kinds import policies, services
from supervision.kinds.models import InstructionDetail, MeetingItem, ProblemDetail, ProposalDetail
from supervision.loop import transitions
from supervision.web import kind_forms
from supervision.web.views.common import Refusal, attempt

# The kinds the office files by hand, in the order of the 新建 page (decision = one item).
KIND_HINTS = {
    TaskSource.INSTRUCTION: "区领导批示：紧急程度决定时限，办理情况反馈批示领导",
    TaskSource.DECISION: "单个会议议定事项（多个事项请用“录入会议议定事项”）",
    TaskSource.NPC: "人大代表建议：主办/协办/会办，答复与满意度测评",
    TaskSource.CPPCC: "政协委员提案：主办/协办/会办，答复与满意度测评",
    TaskSource.PROBLEM: "问题清单：来源、整改目标与措施，销号须佐证",
    TaskSource.WORK_REPORT: "政府工作报告目标任务",
    TaskSource.LIVELIHOOD: "民生实事",
    TaskSource.PETITION: "群众诉求",
    TaskSource.OTHER: "其他督办事项",
}
TASK_FIELDS = (
    "title",
    "content",
    "domain",
    "lead_department",
    "responsible_leader",
    "priority",
    "report_frequency",
)


def forbid_unless_supervisor(request, what: str) -> Refusal | None:
    if transitions.is_supervisor(request.user):
        return None
    return Refusal(403, f"只有督查办可以{what}。")


def refused_page(request, refusal: Refusal):
    return render(request, "web/kinds/refused.html", {"refusal": refusal}, status=refusal.status)


@login_required
def task_new(request):
    """新建: pick the kind (each has its own form), or a meeting, or the 交办清单 import."""
    refusal = forbid_unless_supervisor(request, "新建督办事项")
    if refusal:
        return refused_page(request, refusal)
    labels = dict(TaskSource.choices)
    kinds = [{"source": s, "label": labels[s], "hint": hint} for s, hint in KIND_HINTS.items()]
    return render(request, "web/kinds/new.html", {"kinds": kinds, "today": clock.today()})


def _detail_initial(task, name: str) -> dict:
    if name == "instruction":
        detail = InstructionDetail.objects.filter(task=task).first()
        fields = kind_forms.InstructionForm.base_fields
    elif name == "proposal":
        detail = ProposalDetail.objects.filter(task=task).first()
        fields = kind_forms.ProposalForm.base_fields
    elif name == "problem":
        detail = ProblemDetail.objects.filter(task=task).first()
        fields = kind_forms.ProblemForm.base_fields
    else:
        item = MeetingItem.objects.filter(task=task).select_related("meeting").first()
        detail = item.meeting if item else None
        fields = kind_forms.MeetingInfoForm.base_fields
    if detail is None:
        return {}
    initial = {f: getattr(detail, f) for f in fields if hasattr(detail, f)}
    if name == "proposal":
        initial["assist_departments"] = list(detail.assist_departments.all())
        initial.pop("merged_codes", None)
    if name == "instruction":
        initial["leader"] = detail.leader_id
    return initial


def _task_initial(task) -> dict:
    initial = {f: getattr(task, f) for f in TASK_FIELDS}
    initial["co_departments"] = list(task.co_departments.all())
    initial["deadline"] = task.deadline
    return initial


def _forms(request, source: str, task=None):
    """The task form and the kind's form (``None`` for kinds without details)."""
    name = policies.DETAIL_OF.get(source)
    data = request.POST if request.method == "POST" else None
    task_form = kind_forms.TaskForm(
        data,
        source=source,
        task=task,
        prefix="task",
        initial=_task_initial(task) if task else None,
    )
    detail_form = None
    if name:
        detail_form = kind_forms.DETAIL_FORMS[name](
            data, prefix=name, initial=_detail_initial(task, name) if task else None
        )
    return name, task_form, detail_form


def _save(request, source, name, task_form, detail_form, task=None):
    """Call the service; on its refusal, errors keyed ``<kind>.<field>`` go to the kind form."""
    data = dict(task_form.cleaned_data)
    details = {}
    merged = []
    if detail_form is not None:
        details = {name: dict(detail_form.cleaned_data)}
        merged = details[name].pop("merged_codes", [])
    reason = data.pop("reason", "")
    deadline = data.pop("deadline")
    if task is None:
        return services.task_file(
            actor=request.user,
            source=source,
            details=details,
            deadline=deadline,
            merged_with=merged,
            **data,
        )
    if deadline is not None:
        data["deadline"] = deadline
    return services.task_revise(
        task=task, actor=request.user, details=details, reason=reason, merged_with=merged, **data
    )


def _spread_errors(task_form, detail_form, name, refusal_form):
    """Move ``<kind>.<field>`` errors the service raised from the task form to the kind's."""
    if detail_form is None or not refusal_form.errors:
        return
    if not hasattr(detail_form, "cleaned_data"):
        detail_form.cleaned_data = {}
    kept = []
    for message in refusal_form.errors.get("__all__", []):
        prefix, _, text = message.partition("：")
        field = prefix.split(".", 1)[1] if prefix.startswith(f"{name}.") else None
        if prefix == name:
            detail_form.add_error(None, text)
        elif field in detail_form.fields:
            detail_form.add_error(field, text)
        elif prefix == "merged_with":
            detail_form.add_error("merged_codes", text)
        else:
            kept.append(message)
    refusal_form.errors["__all__"] = refusal_form.error_class(kept)
    if not kept:
        del refusal_form.errors["__all__"]


def _then_assign(request, task) -> None:
    """保存并交办: assign the saved draft; a refusal leaves the draft and says why."""
    _, refusal = attempt(lambda: transitions.task_assign(task=task, actor=request.user))
    if refusal is None:
        messages.success(request, f"{task.code} 已保存并交办，已通知牵头单位签收。")
    else:
        messages.warning(request, f"{task.code} 已保存为草稿，但未能交办：{refusal.message}")


def _form_page(request, source, *, task=None):
    name, task_form, detail_form = _forms(request, source, task)
    status = 200
    if request.method == "POST":
        status = 400
        valid = task_form.is_valid() & (detail_form is None or detail_form.is_valid())
        if valid:
            result, refusal = attempt(
                lambda: _save(request, source, name, task_form, detail_form, task), form=task_form
            )
            if refusal is None:
                if request.POST.get("then") == "assign" and result.status == TaskStatus.DRAFT:
                    _then_assign(request, result)
                else:
                    verb = "已保存" if task is None else "已修改"
                    messages.success(request, f"{result.code} {verb}。")
                return redirect("web:task-detail", pk=result.pk)
            if refusal.status != 400:
                return refused_page(request, refusal)
            _spread_errors(task_form, detail_form, name, task_form)
    context = {
        "source": source,
        "source_label": TaskSource(source).label,
        "task": task,
        "form": task_form,
        "detail_form": detail_form,
        "detail_label": policies.DETAIL_LABELS.get(name, ""),
        "today": clock.today(),
    }
    return render(request, "web/kinds/task_form.html", context, status=status)


@login_required
def task_create(request, source: str):
    if source not in TaskSource.values:
        raise Http404("没有这个类别。")
    refusal = forbid_unless_supervisor(request, "新建督办事项")
    if refusal:
        return refused_page(request, refusal)
    return _form_page(request, source)


@login_required
def task_edit(request, pk: int):
    """修改: a draft freely; once 交办 with a reason (kept on the EDIT event)."""
    from supervision.loop.models import Task

    task = Task.objects.filter(pk=pk).first()
    if task is None:
        raise Http404("督办事项不存在。")
    refusal = forbid_unless_supervisor(request, "修改督办事项")
    if refusal is None and not task.is_open:
        refusal = Refusal(409, f"事项已{task.get_status_display()}，不能修改。")
    if refusal:
        return refused_page(request, refusal)
    return _form_page(request, task.source, task=task)


# --- a meeting and its items -----------------------------------------------------------------


def _item_errors(formset, used: list, exc_form) -> None:
    """Put ``items.<n>.<field>`` errors (``n`` over the filled rows) on their rows."""
    kept = []
    for message in exc_form.errors.get("__all__", []):
        key, _, text = message.partition("：")
        parts = key.split(".")
        if parts[0] == "items" and len(parts) >= 2 and parts[1].isdigit():
            row = used[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in row.fields else None
            row.add_error(field, text)
        else:
            kept.append(message)
    exc_form.errors["__all__"] = exc_form.error_class(kept)
    if not kept:
        del exc_form.errors["__all__"]


@login_required
def meeting_new(request):
    """录入会议议定事项: the meeting and its items in one form, saved (and assigned) together."""
    refusal = forbid_unless_supervisor(request, "录入会议议定事项")
    if refusal:
        return refused_page(request, refusal)
    data = request.POST if request.method == "POST" else None
    meeting_form = kind_forms.MeetingInfoForm(data, prefix="meeting")
    formset = kind_forms.MeetingItemFormSet(data, prefix="items")
    status = 200
    if data is not None:
        status = 400
        if meeting_form.is_valid() & formset.is_valid():
            used = [f for f in formset.forms if f.has_changed()]
            if not used:
                meeting_form.add_error(None, "请至少填写一项议定事项。")
            else:
                assign = request.POST.get("then") == "assign"
                items = [dict(f.cleaned_data) for f in used]
                result, refusal = attempt(
                    lambda: services.meeting_file(
                        actor=request.user, items=items, assign=assign, **meeting_form.cleaned_data
                    ),
                    form=meeting_form,
                )
                if refusal is None:
                    meeting, tasks = result
                    done = "并交办" if assign else "（草稿，待交办）"
                    messages.success(request, f"{meeting} 的 {len(tasks)} 项议定事项已保存{done}。")
                    return redirect("web:task-detail", pk=tasks[0].pk)
                if refusal.status != 400:
                    return refused_page(request, refusal)
                _item_errors(formset, used, meeting_form)
    context = {"form": meeting_form, "formset": formset, "today": clock.today()}
    return render(request, "web/kinds/meeting_form.html", context, status=status)
