"""并案 and the units of a proposal: 主办 (lead), 会办 (co-operating), 协办 (assisting).

Proposals merged into a main one keep their numbers and make every move of the loop with
it (``supervision.kinds.hooks.followers``); their deadline and lead unit follow the main's.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from supervision.choices import OPEN_STATUSES, TaskAction
from supervision.kinds.models import ProposalDetail
from supervision.kinds.policies import PROPOSAL_SOURCES


def is_assist_owner(user: User, task) -> bool:
    """An owner of one of a proposal's 协办 units (who report to the 主办 unit)."""
    if not (user.is_active and user.is_owner) or task.source not in PROPOSAL_SOURCES:
        return False
    return ProposalDetail.assist_departments.through.objects.filter(
        proposaldetail__task=task, department_id=user.department_id
    ).exists()


def follow_deadline(task, actor) -> None:
    """After the main proposal's deadline moved, move its open followers' with it (logged)."""
    from supervision.loop.models import Task
    from supervision.loop.transitions import record_event

    if task.source not in PROPOSAL_SOURCES:
        return
    for follower in Task.objects.select_for_update().filter(
        proposal__merged_into=task, status__in=OPEN_STATUSES
    ):
        if follower.deadline != task.deadline:
            old = follower.deadline
            follower.deadline = task.deadline
            follower.save(update_fields=["deadline", "updated_at"])
            record_event(
                task=follower,
                actor=actor,
                action=TaskAction.EDIT,
                comment=f"随并案主办件 {task.code} 调整办理时限。",
                data={"changes": {"deadline": [str(old), str(task.deadline)]}},
            )


@transaction.atomic
def proposal_merge(*, main, others, actor) -> list:
    """并案: ``others`` are handled as part of ``main`` (each keeping its number).

    All must be open proposals of the same source, in the same status, not yet answered,
    neither already merged nor carrying merged proposals of their own. The followers take
    the main's lead unit and deadline (logged on each).
    """
    from supervision.loop.models import Task
    from supervision.loop.services import _require_supervisor, task_update
    from supervision.loop.transitions import lock_task, record_event

    _require_supervisor(actor, "并案")
    main = lock_task(main)
    others = [lock_task(task) for task in others if getattr(task, "pk", task) != main.pk]
    if not others:
        raise ValidationError({"merged_with": "请选择要并入的建议/提案。"})
    problems = []
    group = [main, *others]
    for task in group:
        detail = ProposalDetail.objects.filter(task=task).first()
        if task.source not in PROPOSAL_SOURCES or detail is None:
            problems.append(f"{task.code} 不是建议或提案")
        elif task.source != main.source:
            problems.append(f"{task.code} 与主办件来源不同（人大建议与政协提案不能并案）")
        elif task.status not in OPEN_STATUSES or task.status != main.status:
            problems.append(f"{task.code} 的状态与主办件不同或已结束")
        elif detail.merged_into_id and detail.merged_into_id != main.pk:
            problems.append(f"{task.code} 已并入其他件")
        elif detail.reply_class:
            problems.append(f"{task.code} 已答复")
        elif task is not main and Task.objects.filter(proposal__merged_into=task).exists():
            problems.append(f"{task.code} 已有并入的件")
    if ProposalDetail.objects.filter(task=main, merged_into__isnull=False).exists():
        problems.append(f"{main.code} 本身已并入其他件")
    if problems:
        raise ValidationError({"merged_with": "；".join(problems) + "。"})
    for task in others:
        task_update(
            task=task,
            actor=actor,
            lead_department=main.lead_department,
            deadline=main.deadline,
            reason=f"并入 {main.code} 办理。",
        )
        ProposalDetail.objects.filter(task=task).update(merged_into=main)
        record_event(
            task=task, actor=actor, action=TaskAction.MERGE, comment=f"并入 {main.code} 办理。"
        )
    codes = "、".join(task.code for task in others)
    record_event(
        task=main,
        actor=actor,
        action=TaskAction.MERGE,
        comment=f"并案：{codes} 并入本件办理。",
        data={"merged": [task.pk for task in others]},
    )
    return others
