"""Who hears of a kind's events beyond the loop's own audiences (``reminders.notify``): the
批示领导 gets each progress report and the closure of his 批示件 back (a notification on that
step and the ``task.reported_back`` webhook); a 批示 on a project reaches its units.

``on_event`` hears ``core.events`` inside the publishing service's transaction.
"""

from accounts.choices import Role
from accounts.models import User
from core import clock, events
from supervision.choices import TaskAction
from supervision.reminders import notify as notifications
from supervision.reminders.models import Notification


def notify_users(users, *, title: str, body: str, link: str) -> int:
    """One unread in-app notification per distinct active user, for something that is not a
    task's step (a 批示 on a project)."""
    now = clock.now()
    rows = [
        Notification(recipient=user, title=title[:200], body=body, link=link[:300], created_at=now)
        for user in {
            user.pk: user for user in users if user is not None and user.is_active
        }.values()
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def department_owners(department_ids) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.OWNER, department_id__in=list(department_ids), is_active=True
        ).order_by("pk")
    )


def on_event(event_type: str, data: dict) -> None:
    """``core.events`` subscriber: the 批示件's progress and closure back to its leader."""
    if event_type == "task.progress":
        _report_back(data, TaskAction.PROGRESS)
    elif event_type == "task.closed":
        _report_back(data, TaskAction.CLOSE)


def _report_back(data: dict, action: str) -> None:
    from supervision.kinds.models import InstructionDetail
    from supervision.loop.models import ProgressReport, TaskEvent

    detail = (
        InstructionDetail.objects.filter(task_id=data["id"])
        .select_related("leader", "task__lead_department")
        .first()
    )
    if detail is None:
        return
    task = detail.task
    event = TaskEvent.objects.filter(task=task, action=action).order_by("-id").first()
    if action == TaskAction.PROGRESS:
        report = ProgressReport.objects.select_related("department").get(pk=data["report"])
        text = report.content
        title = f"【批示件办理情况】{task.code} {task.title}"
        body = f"{report.department}报送办理进展：{text}"
        kind = "progress"
    else:
        text = (
            TaskEvent.objects.filter(task=task, action=TaskAction.SUBMIT)
            .order_by("-created_at", "-id")
            .values_list("comment", flat=True)
            .first()
        ) or ""
        title = f"【批示件已办结】{task.code} {task.title}"
        body = f"{task.lead_department}办结情况：{text}（督查办已核验销号）"
        kind = "closure"
    notifications.notify(event=event, to=[detail.leader], title=title, body=body)
    events.publish(
        "task.reported_back",
        {
            "id": task.pk,
            "code": task.code,
            "leader": detail.leader_id,
            "kind": kind,
            "text": text,
            "report": data.get("report"),
        },
    )
