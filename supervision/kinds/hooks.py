"""What a kind adds to the closed loop's moves, asked by ``supervision.loop.transitions``.

The transitions stay the only place a status changes; these functions only say what the
kind requires first (``before_move``), which other fields a move sets (``move_updates``) and
which merged proposals (并案) make the same move (``followers``). Tasks of kinds without
such rules cost no query here.
"""

import datetime as dt

from core import clock
from supervision.choices import TaskAction, TaskSource
from supervision.kinds import policies
from supervision.kinds.models import ProposalDetail

# Moves a merged proposal makes together with its main one. 二次办理 is per proposer.
_FOLLOWED = (
    TaskAction.ASSIGN,
    TaskAction.ACCEPT,
    TaskAction.SUBMIT,
    TaskAction.CLOSE,
    TaskAction.RETURN,
    TaskAction.CANCEL,
)


def _is_proposal(task) -> bool:
    return task.source in policies.PROPOSAL_SOURCES


def before_move(task, action: str, actor) -> None:
    """Refuse a move the task's kind does not allow yet (``ValidationError`` / ``DomainError``)."""
    from supervision.loop.transitions import TransitionNotAllowed

    if _is_proposal(task) and action != TaskAction.CANCEL:
        main = (
            ProposalDetail.objects.filter(task=task, merged_into__isnull=False)
            .values_list("merged_into__code", flat=True)
            .first()
        )
        if main:
            raise TransitionNotAllowed(f"该件已并入 {main} 办理，请在主办件上操作。")
    if action == TaskAction.SUBMIT:
        policies.check_submit(task, has_files=None)
        from supervision.phases.split import check_submit as check_children

        check_children(task)  # 末端落实: no 申请办结 while a child is open


def move_updates(task, action: str, now: dt.datetime) -> dict:
    """Fields a move sets besides the status: at 交办, a deadline the policy counts from 交办."""
    if action == TaskAction.ASSIGN and task.deadline_auto:
        policy = policies.policy_for(task.source)
        deadline = policies.limit_from(policy, clock.localdate(now))
        if deadline is not None:
            return {"deadline": deadline, "deadline_auto": False}
    return {}


def followers(task, action: str) -> list:
    """The proposals merged into ``task`` (locked) that make ``action`` with it."""
    from supervision.loop.models import Task

    if task.source not in (TaskSource.NPC, TaskSource.CPPCC) or action not in _FOLLOWED:
        return []
    return list(
        Task.objects.select_for_update().filter(proposal__merged_into=task).order_by("code")
    )
