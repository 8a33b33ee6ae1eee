"""Every step of the loop notified (DESIGN.md, "Reminders"): one call, inside the service's
transaction, tells the people who must act next.

``record_event`` (``supervision.loop.transitions``) calls ``notify(event)`` for every
``TaskEvent`` it writes, so a service that logs a step notifies without doing anything
else: the recipients come from ``AUDIENCES[event.action]``. A service that knows better
passes ``notify=[…]`` to ``record_event`` (audiences and/or users), or ``notify=[]`` for
nobody. Each recipient gets one ``Notification`` (站内消息), unique per (event, recipient),
written in the same transaction as the step; the ``Notification`` row is also the e-mail
outbox (immediate mail is queued after commit, the 09:00 digest collects the rest, each by
the person's preference or else the department's setting). Webhooks stay with the service
(``core.events.publish``), which knows the event type other systems subscribe to.
"""

import enum
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q

from accounts.choices import EmailMode, Role
from accounts.models import User
from config.celery import enqueue
from supervision.choices import EmailPreference, TaskAction, TaskStatus
from supervision.loop.models import Task, TaskEvent
from supervision.reminders.models import Notification


class Audience(enum.Enum):
    """Who, relative to the task."""

    LEAD = "lead"  # the lead department's owners (牵头单位)
    CO = "co"  # the co-operating departments' owners (配合单位)
    OFFICE = "office"  # the supervision office (督查办)
    LEADER = "leader"  # the task's responsible leader (责任领导)


A = Audience
# Who must act next (or must know) after each step. Actions not listed notify nobody
# unless the service names recipients.
AUDIENCES: dict[str, tuple[Audience, ...]] = {
    TaskAction.ASSIGN: (A.LEAD, A.CO),  # 签收 and co-operate
    TaskAction.ACCEPT: (A.OFFICE,),  # it is in hand
    TaskAction.PROGRESS: (A.OFFICE, A.LEAD),  # read it (the lead hears its co-departments)
    TaskAction.EXTENSION_REQUEST: (A.OFFICE,),  # decide
    TaskAction.EXTENSION_APPROVE: (A.LEAD,),  # new deadline
    TaskAction.EXTENSION_REJECT: (A.LEAD,),  # deadline stands
    TaskAction.SUBMIT: (A.OFFICE,),  # 核验
    TaskAction.RETURN: (A.LEAD,),  # redo
    TaskAction.CLOSE: (A.LEAD, A.CO, A.LEADER),  # done
    TaskAction.CANCEL: (A.LEAD, A.CO, A.LEADER),  # stop
    TaskAction.EDIT: (A.LEAD,),  # the office changed the task (not while a draft)
    # kinds (supervision.kinds): a 批示 to act on; a reply for the office to put to the
    # proposer; the proposer's answer; 二次办理; proposals merged into the unit's one.
    TaskAction.INSTRUCT: (A.LEAD, A.CO),
    TaskAction.REPLY: (A.OFFICE,),
    TaskAction.SATISFACTION: (A.LEAD,),
    TaskAction.REOPEN: (A.LEAD, A.CO),
    TaskAction.MERGE: (A.LEAD,),
    TaskAction.DOCUMENT: (A.LEAD,),  # a 督办/催办通知书 (or 通报) addressed to the lead unit
    # phased targets (supervision.phases): the parent's lead unit hears of its children; a
    # request to change the lead goes to the office, its outcome to the unit(s); ratings and
    # carry-over to the lead unit.
    TaskAction.SPLIT: (A.LEAD,),
    TaskAction.REASSIGN_REQUEST: (A.OFFICE,),
    TaskAction.REASSIGN_REJECT: (A.LEAD,),
    TaskAction.RATE: (A.LEAD,),
    TaskAction.CARRY_OVER: (A.LEAD,),
    # nodes (supervision.phases.nodes): a 分解计划 to approve; the plan in force; a node done
    TaskAction.NODES_PROPOSE: (A.OFFICE,),
    TaskAction.NODES_APPROVE: (A.LEAD,),
    TaskAction.NODE_SET: (A.LEAD,),
    TaskAction.NODE_EDIT: (A.LEAD,),
    TaskAction.NODE_DELETE: (A.LEAD,),
    TaskAction.NODE_COMPLETE: (A.OFFICE,),
}

Recipient = Audience | User | int


def _what(event: TaskEvent, task: Task) -> str:
    """The body: what happened, in words that say which way it went."""
    comment = (event.comment or "").strip()
    actor = str(event.actor) if event.actor else "系统"
    dates = (event.data or {}).get("deadline") or ["", ""]
    subject = f"督办事项“{task.title}”（{task.code}）"
    texts = {
        TaskAction.ASSIGN: f"督查办交办{subject}，办理时限 {task.deadline}。请及时签收。",
        TaskAction.ACCEPT: f"{task.lead_department}已签收{subject}。",
        TaskAction.PROGRESS: f"{actor}反馈了{subject}的进展：{comment}",
        TaskAction.SUBMIT: f"{task.lead_department}申请办结{subject}：{comment}。请核验。",
        TaskAction.CLOSE: f"{subject}已核验销号。",
        TaskAction.RETURN: f"{subject}已退回，理由：{comment}。请继续办理。",
        TaskAction.CANCEL: f"{subject}已撤销，理由：{comment}。",
        TaskAction.EXTENSION_REQUEST: (
            f"{task.lead_department}申请将{subject}的办理时限由 {dates[0]} 延至 {dates[1]}，"
            f"理由：{comment}。请审批。"
        ),
        TaskAction.EXTENSION_APPROVE: (
            f"已批准延期至 {dates[1]}（原时限 {dates[0]}）：{subject}。"
        ),
        TaskAction.EXTENSION_REJECT: (
            f"{subject}的延期申请已驳回，理由：{comment}。办理时限仍为 {task.deadline}。"
        ),
        TaskAction.EDIT: f"督查办修改了{subject}的事项信息，请留意。",
        TaskAction.INSTRUCT: f"{subject}有新的领导批示。{comment}。请抓紧落实。",
        TaskAction.REOPEN: f"{subject}转入二次办理，新的办理时限 {task.deadline}。{comment}",
    }
    text = texts.get(event.action)
    if text is None:
        label = TaskAction(event.action).label if event.action in TaskAction.values else ""
        text = f"{actor}{label}：{subject}" + (f"。{comment}" if comment else "。")
    elif comment and event.action in (TaskAction.ASSIGN, TaskAction.CLOSE, TaskAction.ACCEPT):
        text += f"意见：{comment}"
    elif comment and event.action == TaskAction.EXTENSION_APPROVE:
        text += f"审批意见：{comment}"
    return text


def _title(event: TaskEvent, task: Task) -> str:
    label = {
        TaskAction.CLOSE: "已销号",
        TaskAction.RETURN: "已退回",
        TaskAction.EXTENSION_APPROVE: "已批准延期",
        TaskAction.EXTENSION_REJECT: "延期已驳回",
    }.get(event.action) or (
        TaskAction(event.action).label if event.action in TaskAction.values else event.action
    )
    return f"【{label}】{task.code} {task.title}"[:200]


def _audience_filter(task: Task, audiences: set[Audience]) -> Q:
    condition = Q(pk__in=[])
    if A.LEAD in audiences:
        condition |= Q(role=Role.OWNER, department_id=task.lead_department_id)
    if A.CO in audiences:
        condition |= Q(role=Role.OWNER, department__in=task.co_departments.values("pk"))
    if A.OFFICE in audiences:
        condition |= Q(role=Role.SUPERVISOR)
    if A.LEADER in audiences and task.responsible_leader_id:
        condition |= Q(pk=task.responsible_leader_id)
    return condition


def email_mode(preference: str | None, department_mode: str | None) -> str:
    """The e-mail mode that applies to one person: their own choice, else their unit's."""
    if preference and preference != EmailPreference.UNIT:
        return preference
    return department_mode or EmailMode.NONE


def notify(
    *,
    event: TaskEvent,
    to: Iterable[Recipient] | None = None,
    title: str | None = None,
    body: str | None = None,
) -> list[Notification]:
    """Notify the recipients of one logged step (call inside the step's transaction).

    ``to``: audiences (``Audience.LEAD`` …) and/or users (or their ids); default
    ``AUDIENCES[event.action]``. The actor is never told of their own step, nor is anyone
    about a draft, nor anyone who muted this kind of step. Returns the new notifications.
    """
    task = event.task
    if task.status == TaskStatus.DRAFT:
        return []
    recipients = list(AUDIENCES.get(event.action, ()) if to is None else to)
    audiences = {r for r in recipients if isinstance(r, Audience)}
    people = {r.pk if isinstance(r, User) else r for r in recipients if not isinstance(r, Audience)}
    if not audiences and not people:
        return []
    condition = _audience_filter(task, audiences) | Q(pk__in=people)
    rows = (
        User.objects.filter(condition, is_active=True)
        .exclude(pk=event.actor_id)
        .values_list(
            "pk",
            "email",
            "department__email_mode",
            "notification_preference__email_mode",
            "notification_preference__muted",
        )
        .distinct()
    )
    title = title or _title(event, task)
    body = body or _what(event, task)
    link = f"/api/v1/tasks/{task.pk}/"
    notifications, mail_now = [], False
    for pk, address, unit_mode, own_mode, muted in rows:
        if event.action in (muted or []):
            continue
        notifications.append(
            Notification(
                recipient_id=pk,
                event=event,
                title=title,
                body=body,
                link=link,
                created_at=event.created_at,
            )
        )
        mail_now = mail_now or (
            bool(address) and email_mode(own_mode, unit_mode) == EmailMode.IMMEDIATE
        )
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    if mail_now:
        transaction.on_commit(lambda: enqueue("supervision.tasks.send_notification_emails"))
    return notifications
