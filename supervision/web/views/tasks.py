"""督办事项: the task list (the API's FilterSet: filters, search, ordering) and a task's page
with its closed-loop log and the actions the current user may take — through
``transitions`` and ``services`` only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import clock
from supervision.choices import ExtensionStatus, TaskAction
from supervision.files import services as files
from supervision.files.documents.services import can_generate
from supervision.files.selectors import documents_visible_to, task_attachments
from supervision.loop import services, transitions
from supervision.loop.filters import TaskFilter
from supervision.loop.models import ExtensionRequest
from supervision.loop.selectors import overdue_days, task_list
from supervision.reminders.services import can_urge, task_urge
from supervision.web import forms as web_forms
from supervision.web.views.common import Action, Refusal, attempt, export_url, paginate
from supervision.web.views.filters import filtered
from supervision.web.views.kind_ops import kind_tabs, task_kind_context
from supervision.web.views.nodes import nodes_context
from supervision.web.views.phases import phases_context

FILTER_FIELDS = [
    "status",
    "domain",
    "source",
    "priority",
    "light",
    "department",
    "deadline_after",
    "deadline_before",
    "overdue",
    "node_overdue",
    "behind",
]


@login_required
def task_index(request):
    today = clock.today()
    filterset, filters = filtered(request, TaskFilter, task_list(today=today), FILTER_FIELDS)
    page = paginate(request, filterset.qs)  # a bad filter is shown on the form and left out
    for task in page:
        task.overdue = overdue_days(task, today)
    context = {
        **filters,
        **kind_tabs(request),
        "page": page,
        "export_url": export_url(request, "export-tasks"),
        "today": today,
    }
    return render(request, "web/tasks/list.html", context)


# --- one task ------------------------------------------------------------------------------


ACTIONS = {
    action.key: action
    for action in [
        Action("assign", "交办", web_forms.CommentForm, "primary"),
        Action("accept", "签收任务", web_forms.CommentForm, "primary"),
        Action("progress", "反馈进展", web_forms.ProgressForm),
        Action("submit", "申请办结", web_forms.SubmitForm, "primary"),
        Action("verify", "核验", web_forms.VerifyForm, "primary"),
        Action("extend", "申请延期", web_forms.ExtensionRequestForm),
        Action("decide", "审批延期", web_forms.ExtensionDecisionForm, "primary"),
        Action("urge", "催办", web_forms.UrgeForm),
        Action("cancel", "撤销", web_forms.CancelForm, "danger"),
    ]
}
# Buttons for the status moves ``transitions.allowed_actions`` returns.
_MOVES = {
    TaskAction.ASSIGN: "assign",
    TaskAction.ACCEPT: "accept",
    TaskAction.SUBMIT: "submit",
    TaskAction.CLOSE: "verify",
    TaskAction.RETURN: "verify",
    TaskAction.CANCEL: "cancel",
}


def available_actions(task, user, pending: ExtensionRequest | None) -> list[str]:
    """The buttons ``user`` gets on ``task``: the status moves the transition table allows,
    plus progress, extension and approval by the predicates the services enforce."""
    keys = {_MOVES[move] for move in transitions.allowed_actions(task, user)}
    for key, verdict in _predicates(task, user, pending).items():
        if verdict:
            keys.add(key)
    if can_urge(user, task):
        keys.add("urge")
    return [key for key in ACTIONS if key in keys]


def _predicates(task, user, pending: ExtensionRequest | None) -> dict:
    return {
        "progress": transitions.can_report_progress(user, task),
        "extend": transitions.can_request_extension(user, task, pending=pending is not None),
        "decide": transitions.can_decide_extension(user, pending),
    }


def _load_task(pk: int):
    task = (
        task_list()
        .filter(pk=pk)
        .select_related("indicator")
        .prefetch_related("co_departments")
        .first()
    )
    if task is None:
        raise Http404("督办事项不存在。")
    return task


def _task_page(
    request,
    task,
    *,
    bound=None,
    refusal: Refusal | None = None,
    status=200,
    kind_bound=None,
    node_bound=None,
):
    """Render the task page; ``bound`` = (action key, form) re-shows a form with its errors."""
    today = clock.today()
    extensions = list(
        task.extensions.select_related("requested_by", "decided_by").order_by("created_at", "pk")
    )
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    keys = available_actions(task, request.user, pending)
    panels = []
    for key in keys:
        action = ACTIONS[key]
        if bound and bound[0] == key:
            form = bound[1]
        else:
            initial = {"extension": pending.pk} if key == "decide" and pending else None
            form = action.form(initial=initial, prefix=key)
        panels.append({"action": action, "form": form, "open": bool(bound and bound[0] == key)})
    events = list(task.events.select_related("actor").order_by("created_at", "pk"))
    reports = list(
        task.reports.select_related("author", "department").order_by("-created_at", "-pk")
    )
    context = {
        "task": task,
        "co_departments": list(task.co_departments.all()),
        "events": events,
        "reports": reports,
        "extensions": extensions,
        "pending": pending,
        "panels": panels,
        "overdue_days": overdue_days(task, today),
        "attachments": task_attachments(task, request.user),
        "documents": list(documents_visible_to(request.user).filter(task=task)),
        "can_generate": can_generate(request.user),
        "refusal": refusal,
        "today": today,
        "phases": phases_context(task, request.user, bound, events),
        "node_section": nodes_context(task, request.user, today, reports, node_bound),
        **task_kind_context(request, task, kind_bound, events),
    }
    return render(request, "web/tasks/detail.html", context, status=status)


@login_required
def task_detail(request, pk: int):
    return _task_page(request, _load_task(pk))


def _perform(key: str, task, user, data: dict):
    """Call the one service or transition behind a button."""
    if key == "assign":
        return transitions.task_assign(task=task, actor=user, comment=data["comment"])
    if key == "accept":
        return transitions.task_accept(task=task, actor=user, comment=data["comment"])
    if key == "submit":
        return files.task_submit_with_evidence(task=task, actor=user, **data)
    if key == "verify":
        approved = web_forms.VerifyForm.DECISIONS[data["decision"]]
        return transitions.task_verify(
            task=task, actor=user, approved=approved, comment=data["comment"]
        )
    if key == "cancel":
        return transitions.task_cancel(task=task, actor=user, reason=data["reason"])
    if key in ("progress", "extend"):
        data = dict(data)
        ids = data.pop("attachments", [])
        service, target_type = {
            "progress": (services.progress_report_create, "progress_report"),
            "extend": (services.extension_request_create, "extension"),
        }[key]
        return files.with_attachments(
            lambda: service(task=task, actor=user, **data),
            actor=user,
            ids=ids,
            target_type=target_type,
        )
    if key == "urge":
        return task_urge(task=task, actor=user, message=data["message"])
    if key == "decide":
        extension = ExtensionRequest.objects.filter(pk=data["extension"], task=task).first()
        if extension is None:
            raise Http404("延期申请不存在。")
        decide = (
            services.extension_approve
            if web_forms.ExtensionDecisionForm.DECISIONS[data["decision"]]
            else services.extension_reject
        )
        return decide(extension=extension, actor=user, comment=data["comment"])
    raise Http404


def success_message(key: str, data: dict, task) -> str:
    """What happened, in words that say which way it went."""
    if key == "verify":
        if web_forms.VerifyForm.DECISIONS[data["decision"]]:
            return "已销号。"
        return f"已退回，理由：{data['comment'].strip()}"
    if key == "decide":
        extension = task.extensions.filter(pk=data["extension"]).first()
        if web_forms.ExtensionDecisionForm.DECISIONS[data["decision"]]:
            return f"已批准延期至 {extension.requested_deadline:%Y-%m-%d}。"
        return f"已驳回延期申请，理由：{data['comment'].strip()}"
    if key == "cancel":
        return f"已撤销，理由：{data['reason'].strip()}"
    return {
        "assign": "已交办，已通知牵头单位签收。",
        "accept": "已签收任务，事项进入办理中。",
        "progress": "进展已反馈。",
        "submit": "已申请办结，等待督查办核验。",
        "extend": "延期申请已提交，等待督查办审批。",
        "urge": "已催办，已通知牵头单位。",
    }[key]


def _not_available(key: str, task, user) -> Refusal:
    """Why a button the user pressed is not (or no longer) theirs: 403 for the wrong role or
    department (the rule's own words), else 409 for the task's current status."""
    move = next((move for move, button in _MOVES.items() if button == key), None)
    if move:
        rule = transitions.RULES[move]
        if not rule.who(user, task):
            return Refusal(403, f"只有{rule.who_label}可以{TaskAction(move).label}该事项。")
    elif key in ("progress", "extend", "decide"):
        pending = task.extensions.filter(status=ExtensionStatus.PENDING).first()
        error = _predicates(task, user, pending)[key].error
        if error is not None:
            status = 403 if isinstance(error, transitions.ActorNotAllowed) else 409
            return Refusal(status, error.message)
    elif key == "urge" and not transitions.is_supervisor(user):
        return Refusal(403, "只有督查办可以催办。")
    return Refusal(409, f"事项当前状态为“{task.get_status_display()}”，不能{ACTIONS[key].label}。")


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("没有这个操作。")
    task = _load_task(pk)
    form = ACTIONS[action].form(request.POST, prefix=action)
    if form.is_valid():
        _, refusal = attempt(
            lambda: _perform(action, task, request.user, form.cleaned_data), form=form
        )
        if refusal is None:
            messages.success(request, success_message(action, form.cleaned_data, task))
            return redirect("web:task-detail", pk=task.pk)
        if refusal.status != 400:
            task = _load_task(pk)  # show what is there now
            return _task_page(request, task, refusal=refusal, status=refusal.status)
        return _task_page(request, task, bound=(action, form), status=400)
    pending = task.extensions.filter(status=ExtensionStatus.PENDING).first()
    if action not in available_actions(task, request.user, pending):
        refusal = _not_available(action, task, request.user)
        return _task_page(request, task, refusal=refusal, status=refusal.status)
    return _task_page(request, task, bound=(action, form), status=400)
