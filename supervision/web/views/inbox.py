"""我的待办 (what waits for me) and 消息 (my notifications)."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from accounts.choices import Role
from core import clock
from supervision.choices import (
    OPEN_STATUSES,
    EmailPreference,
    ExtensionStatus,
    NodeStatus,
    ReassignStatus,
    TaskAction,
    TaskStatus,
)
from supervision.kinds.models import Instruction
from supervision.loop.filters import TaskFilter
from supervision.loop.models import EscalationPolicy, ExtensionRequest, Task
from supervision.loop.progress import node_light
from supervision.loop.querysets import light_thresholds
from supervision.loop.reporting import report_owed_now
from supervision.loop.selectors import overdue_days, task_list, unacknowledged_escalations
from supervision.phases.models import Node, ReassignRequest
from supervision.reminders.models import Notification, NotificationPreference, Reminder
from supervision.reminders.notify import AUDIENCES
from supervision.reminders.services import (
    notification_preference_save,
    notification_read,
    reminder_acknowledge,
)
from supervision.web.forms import NotificationPreferenceForm
from supervision.web.views.common import Refusal, attempt, paginate
from supervision.web.views.kind_ops import kind_tabs

LIMIT = 50  # rows per inbox list; the rest are one click away in the task list


def instructed_by(user, today: dt.date):
    """Open work a leader gave a 批示 on (his 批示件 and follow-up 批示), latest moved first:
    where the units' reports come back to him."""
    mine = Q(instruction__leader=user) | Q(
        pk__in=Instruction.objects.filter(leader=user).values("task")
    )
    return (
        task_list(today=today)
        .filter(mine, status__in=OPEN_STATUSES)
        .exclude(status=TaskStatus.DRAFT)
        .order_by("-updated_at")
    )


def _capped(queryset, link: str = "") -> dict:
    rows = list(queryset[: LIMIT + 1])
    return {"rows": rows[:LIMIT], "more": len(rows) > LIMIT, "link": link}


def _tasks_link(kind: "_Kind", **params) -> str:
    return f"{reverse('web:tasks')}?{urlencode({**params, **kind.params})}"


def _reminders(queryset):
    return queryset.select_related("task", "milestone__project", "department").order_by(
        "-created_at", "-pk"
    )


class _Kind:
    """The kind tab's narrowing with the task list's own ``source`` filter (an unknown kind
    is left out, as on the list): ``tasks(qs)`` for task rows, ``rows(qs)`` for rows that
    point at a task (reminders, extension requests)."""

    def __init__(self, source: str = ""):
        filterset = TaskFilter({"source": source}, queryset=Task.objects.none())
        self.active = bool(source) and filterset.is_valid()
        self.filter = filterset.filters["source"]
        self.params = {"source": filterset.form.cleaned_data["source"]} if self.active else {}

    def tasks(self, queryset):
        return self.filter.filter(queryset, self.params["source"]) if self.active else queryset

    def rows(self, queryset):
        if not self.active:
            return queryset
        return queryset.filter(task__in=self.tasks(Task.objects.all()))


def _inbox_context(user, today: dt.date, kind: _Kind | None = None) -> dict:
    sections = {}
    kind = kind or _Kind()

    def open_tasks():
        return kind.tasks(task_list(today=today))

    if user.is_owner:
        mine = open_tasks().filter(lead_department=user.department_id)
        needs_report, due = report_owed_now(today)
        sections["to_accept"] = _capped(
            mine.filter(status=TaskStatus.ASSIGNED),
            _tasks_link(kind, status=TaskStatus.ASSIGNED, lead_department=user.department_id),
        )
        sections["to_report"] = _capped(
            mine.filter(status=TaskStatus.IN_PROGRESS).filter(needs_report)
        )
        for task in sections["to_report"]["rows"]:
            task.report_due = due[task.report_frequency]
        # Nodes to complete: approved, not done, due within the warning window or past.
        policy = EscalationPolicy.current()
        _, warn_before = light_thresholds(today, policy.warning_days)
        sections["nodes_due"] = _capped(
            kind.rows(
                Node.objects.filter(
                    task__lead_department=user.department_id,
                    task__status=TaskStatus.IN_PROGRESS,
                    status=NodeStatus.APPROVED,
                    due_date__lt=warn_before,
                )
            )
            .select_related("task")
            .order_by("due_date", "task__code", "sequence")
        )
        for node in sections["nodes_due"]["rows"]:
            node.light = node_light(node, today, policy)
        sections["reminders"] = _capped(
            _reminders(
                kind.rows(
                    Reminder.objects.filter(
                        department=user.department_id,
                        acknowledged_at__isnull=True,
                        sent_at__isnull=False,
                    )
                )
            )
        )
    if user.is_supervisor:
        sections["to_assign"] = _capped(
            open_tasks().filter(status=TaskStatus.DRAFT),
            _tasks_link(kind, status=TaskStatus.DRAFT),
        )
        sections["to_verify"] = _capped(
            open_tasks().filter(status=TaskStatus.SUBMITTED).order_by("submitted_at"),
            _tasks_link(kind, status=TaskStatus.SUBMITTED),
        )
        sections["plans"] = _capped(  # 分解计划 proposed by the lead units, to approve
            open_tasks()
            .filter(Exists(Node.objects.filter(task=OuterRef("pk"), status=NodeStatus.PROPOSED)))
            .order_by("code")
        )
        sections["extensions"] = _capped(
            kind.rows(ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING))
            .select_related("task__lead_department", "requested_by")
            .order_by("created_at")
        )
        sections["reassigns"] = _capped(  # 申请调整牵头单位 awaiting the office
            ReassignRequest.objects.filter(status=ReassignStatus.PENDING)
            .select_related("task", "department", "suggested_department")
            .order_by("created_at")
        )
    if user.role == Role.LEADER:
        sections["instructed"] = _capped(kind.tasks(instructed_by(user, today)))
    if user.is_supervisor or user.role == Role.LEADER:
        escalations = kind.rows(unacknowledged_escalations(clock.now()))
        if not user.is_supervisor:
            escalations = escalations.filter(
                Q(task__responsible_leader=user) | Q(milestone__project__responsible_leader=user)
            )
        sections["escalations"] = _capped(_reminders(escalations))
    for key in ("to_accept", "to_report", "to_verify", "instructed"):
        for task in sections.get(key, {}).get("rows", []):
            task.overdue = overdue_days(task, today)
    return sections


def _inbox_page(request, *, refusal: Refusal | None = None, status: int = 200):
    today = clock.today()
    sections = _inbox_context(request.user, today, _Kind(request.GET.get("source", "")))
    context = {
        **sections,
        "kind_tabs": kind_tabs(request)["kind_tabs"],
        "today": today,
        "refusal": refusal,
        "nothing": not any(section["rows"] for section in sections.values()),
    }
    return render(request, "web/inbox.html", context, status=status)


@login_required
def inbox(request):
    return _inbox_page(request)


@login_required
@require_POST
def reminder_ack(request, pk: int):
    """确认收到催办 → ``reminder_acknowledge`` (the reminded department's owners only)."""
    reminder = Reminder.objects.filter(pk=pk).first()
    if reminder is None:
        raise Http404("提醒不存在。")
    _, refusal = attempt(lambda: reminder_acknowledge(reminder=reminder, actor=request.user))
    if refusal:
        return _inbox_page(request, refusal=refusal, status=refusal.status)
    messages.success(request, "已确认收到催办。")
    return redirect("web:inbox")


# --- messages ------------------------------------------------------------------------------


def web_link(notification: Notification) -> str:
    """Where a notification leads in the cockpit (its stored link is the API's)."""
    if notification.event_id is not None:
        return reverse("web:task-detail", args=[notification.event.task_id])
    reminder = notification.reminder
    if reminder is not None and reminder.task_id:
        return reverse("web:task-detail", args=[reminder.task_id])
    if reminder is not None and reminder.milestone_id:
        return reverse("web:project-detail", args=[reminder.milestone.project_id])
    return ""


@login_required
def message_index(request):
    queryset = (
        Notification.objects.filter(recipient=request.user)
        .select_related("reminder__milestone", "event")
        .order_by("-created_at", "-pk")
    )
    if request.GET.get("unread") == "1":
        queryset = queryset.filter(read_at__isnull=True)
    page = paginate(request, queryset)
    for notification in page:
        notification.web_link = web_link(notification)
    return render(
        request,
        "web/messages.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1"},
    )


@login_required
@require_POST
def message_read(request, pk: int):
    """标记已读 → ``notification_read`` (one's own messages; others' are not found)."""
    notification = Notification.objects.filter(pk=pk, recipient=request.user).first()
    if notification is None:
        raise Http404("消息不存在。")
    notification_read(notification=notification, actor=request.user)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:messages")
    return redirect(target)


@login_required
@require_POST
def message_read_all(request):
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
    count = 0
    for notification in unread:
        notification_read(notification=notification, actor=request.user)
        count += 1
    messages.success(request, f"已将 {count} 条消息标为已读。")
    return redirect("web:messages")


# --- notification settings -----------------------------------------------------------------


def _steps() -> list[tuple[str, str]]:
    """The loop steps that notify someone by default, as (action, label)."""
    return [(action, TaskAction(action).label) for action in AUDIENCES]


@login_required
def message_settings(request):
    """消息设置 → ``notification_preference_save`` (one's own settings)."""
    preference = NotificationPreference.objects.filter(user=request.user).first()
    muted = set(preference.muted) if preference else set()
    steps = _steps()
    shown = {action for action, _ in steps}
    initial = {
        "email_mode": preference.email_mode if preference else EmailPreference.UNIT,
        "receive": [action for action in shown if action not in muted],
    }
    form = NotificationPreferenceForm(request.POST or None, initial=initial, steps=steps)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            keep = muted - shown  # steps this form does not show stay as they were
            chosen = set(form.cleaned_data["receive"])
            _, refusal = attempt(
                lambda: notification_preference_save(
                    actor=request.user,
                    email_mode=form.cleaned_data["email_mode"],
                    muted=sorted(keep | (shown - chosen)),
                ),
                form=form,
            )
            if refusal is None:
                messages.success(request, "消息设置已保存。")
                return redirect("web:message-settings")
        status = 400
    unit_mode = request.user.department.get_email_mode_display() if request.user.department else ""
    context = {"form": form, "unit_mode": unit_mode}
    return render(request, "web/message_settings.html", context, status=status)
