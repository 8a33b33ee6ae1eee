"""领导批示意见: a leader's 批示 on a task (a follow-up on a 批示件, or on any task) or on a
project. It notifies the units that must act, is logged (the task's event, or an audit
record for a project) and tells other systems (``task.instructed`` / ``project.instructed``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.choices import Role
from accounts.models import User
from core import clock, events
from core.errors import NotPermitted
from supervision.choices import TaskAction
from supervision.kinds.models import Instruction, InstructionDetail
from supervision.kinds.notify import department_owners, notify_users
from supervision.loop import transitions
from supervision.loop.transitions import lock_task, record_event, task_payload

MAX_TEXT = 5000


def is_leader(user: User) -> bool:
    return user.is_active and user.role == Role.LEADER


def can_instruct(user: User) -> bool:
    """A district leader gives 批示; the office may record one on a leader's behalf."""
    return is_leader(user) or transitions.is_supervisor(user)


def _leader(actor: User, leader: User | None, fallback: User | None) -> User:
    if is_leader(actor):
        return actor
    leader = leader or fallback
    if leader is None:
        raise ValidationError({"leader": "请选择批示领导。"})
    if not is_leader(leader):
        raise ValidationError({"leader": "批示领导须为在岗的区领导账号。"})
    return leader


def _text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "请填写批示意见。"})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"批示意见不能超过 {MAX_TEXT} 个字。"})
    return text


@transaction.atomic
def task_instruct(*, task, actor: User, text: str, leader: User | None = None) -> Instruction:
    """A 批示 on a task: the lead and co-operating units are told; the task's log has it."""
    if not can_instruct(actor):
        raise NotPermitted("只有区领导（或督查办代为录入）可以批示。")
    task = lock_task(task)
    original = InstructionDetail.objects.filter(task=task).values_list("leader", flat=True).first()
    fallback = User.objects.filter(pk=original or task.responsible_leader_id).first()
    instruction = Instruction.objects.create(
        task=task,
        leader=_leader(actor, leader, fallback),
        text=_text(text),
        created_by=actor,
        created_at=clock.now(),
    )
    record_event(  # notifies the lead and co-operating units (reminders.notify.AUDIENCES)
        task=task,
        actor=actor,
        action=TaskAction.INSTRUCT,
        comment=f"{instruction.leader}批示：{instruction.text}",
        data={"instruction": instruction.pk, "leader": instruction.leader_id},
    )
    events.publish(
        "task.instructed",
        task_payload(
            task,
            actor,
            instruction.text,
            instruction=instruction.pk,
            leader=instruction.leader_id,
        ),
    )
    return instruction


@transaction.atomic
def project_instruct(*, project, actor: User, text: str, leader: User | None = None):
    """A 批示 on a key project: its lead and co-operating units are told; audited."""
    from projects.models import Project

    if not can_instruct(actor):
        raise NotPermitted("只有区领导（或督查办代为录入）可以批示。")
    project = Project.objects.select_for_update().get(pk=getattr(project, "pk", project))
    instruction = Instruction.objects.create(
        project=project,
        leader=_leader(actor, leader, project.responsible_leader),
        text=_text(text),
        created_by=actor,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="create",
        instance=instruction,
        after=audit.snapshot(instruction),
    )
    units = [project.lead_department_id, *project.co_departments.values_list("pk", flat=True)]
    notify_users(
        department_owners(units),
        title=f"【领导批示】{project.name}",
        body=f"{instruction.leader}批示：{instruction.text}",
        link=f"/projects/{project.pk}/",
    )
    events.publish(
        "project.instructed",
        {
            "id": project.pk,
            "code": project.code,
            "instruction": instruction.pk,
            "leader": instruction.leader_id,
            "text": instruction.text,
            "actor": actor.pk,
        },
    )
    return instruction
