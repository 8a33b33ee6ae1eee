"""人大建议 / 政协提案: the 主办 unit's reply, and the proposer's satisfaction the office records.

不满意 re-opens the proposal for 二次办理 (``transitions.task_reopen`` when it was submitted or
closed) with a new deadline, and so a fresh reminder ladder: reminders are keyed by deadline.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from core import clock, events
from core.validators import validate_year_range
from supervision.choices import TaskAction, TaskStatus
from supervision.kinds import policies
from supervision.kinds.choices import MeetingForm, ReplyClass, Satisfaction
from supervision.kinds.models import ProposalDetail
from supervision.loop import transitions
from supervision.loop.models import Task
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    lock_task,
    record_event,
    task_payload,
)


def can_reply(user: User, task: Task) -> bool:
    return task.source in policies.PROPOSAL_SOURCES and transitions.is_lead_owner(user, task)


def can_record_satisfaction(user: User, task: Task) -> bool:
    return task.source in policies.PROPOSAL_SOURCES and transitions.is_supervisor(user)


def _detail(task: Task) -> ProposalDetail:
    detail = ProposalDetail.objects.select_for_update().filter(task=task).first()
    if detail is None:
        raise TransitionNotAllowed("该事项不是建议或提案（没有建议/提案信息）。")
    return detail


def _in_range(field: str, day: dt.date | None) -> None:
    try:
        validate_year_range(day)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _not_after_today(field: str, day: dt.date | None) -> None:
    _in_range(field, day)
    if day is not None and day > clock.today():
        raise ValidationError({field: "日期不能晚于今天。"})


def _meeting(detail: ProposalDetail, met_on, meeting_form) -> dict:
    if met_on is None and meeting_form:
        raise ValidationError({"met_on": "填写了沟通形式，请同时填写见面沟通日期。"})
    if met_on is None:
        return {}
    _not_after_today("met_on", met_on)
    if meeting_form and meeting_form not in MeetingForm.values:
        raise ValidationError({"meeting_form": "未知的沟通形式。"})
    old = [str(detail.met_on) if detail.met_on else None, detail.meeting_form]
    detail.met_on, detail.meeting_form = met_on, meeting_form or MeetingForm.IN_PERSON
    return {"met_on": [old[0], str(met_on)], "meeting_form": [old[1], detail.meeting_form]}


@transaction.atomic
def proposal_reply(
    *,
    task: Task | int,
    actor: User,
    reply_class: str,
    replied_on: dt.date,
    summary: str,
    met_on: dt.date | None = None,
    meeting_form: str = "",
) -> ProposalDetail:
    """答复: the 主办 unit answers the proposer (class A/B/C, date, summary) while handling it.

    Merged proposals (并案) get the same reply, each under its own number. In 二次办理 a new
    reply clears the earlier 不满意 until the office records the proposer's new answer.
    """
    task = lock_task(task)
    if not transitions.is_lead_owner(actor, task):
        raise ActorNotAllowed("只有主办单位可以答复建议/提案。")
    detail = _detail(task)
    if detail.merged_into_id:
        raise TransitionNotAllowed(f"该件已并入 {detail.merged_into.code} 办理，请在主办件上答复。")
    if task.status != TaskStatus.IN_PROGRESS:
        raise TransitionNotAllowed(
            f"事项当前状态为“{task.get_status_display()}”，不能答复（须签收后、申请办结前）。"
        )
    summary = (summary or "").strip()
    errors = {}
    if reply_class not in ReplyClass.values:
        errors["reply_class"] = "答复类别须为 A、B 或 C。"
    if not summary:
        errors["summary"] = "请填写答复摘要（C 类须说明暂不能解决的原因）。"
    if errors:
        raise ValidationError(errors)
    _not_after_today("replied_on", replied_on)
    group = [(task, detail)] + [
        (follower, _detail(follower))
        for follower in Task.objects.select_for_update()
        .filter(proposal__merged_into=task, status=TaskStatus.IN_PROGRESS)
        .order_by("code")
    ]
    for member, member_detail in group:
        data = {"reply_class": [member_detail.reply_class or None, reply_class]}
        data.update(_meeting(member_detail, met_on, meeting_form))
        if member_detail.satisfaction and member_detail.round > 1:
            data["satisfaction"] = [member_detail.satisfaction, None]
            member_detail.satisfaction, member_detail.satisfaction_on = "", None
            member_detail.satisfaction_comment = ""
        member_detail.reply_class = reply_class
        member_detail.replied_on = replied_on
        member_detail.reply_summary = summary
        member_detail.full_clean(exclude=["task"])
        member_detail.save()
        note = "" if member is task else f"（并案，随 {task.code} 答复）"
        record_event(
            task=member,
            actor=actor,
            action=TaskAction.REPLY,
            comment=f"{ReplyClass(reply_class).label}{note}：{summary}",
            data=data,
        )
        events.publish(
            "proposal.replied",
            task_payload(
                member,
                actor,
                summary,
                number=member_detail.number,
                reply_class=reply_class,
                replied_on=str(replied_on),
            ),
        )
    return detail


@transaction.atomic
def proposal_satisfaction(
    *,
    task: Task | int,
    actor: User,
    satisfaction: str,
    met_on: dt.date | None = None,
    meeting_form: str = "",
    comment: str = "",
    deadline: dt.date | None = None,
) -> ProposalDetail:
    """The office records the proposer's answer to the reply (满意 / 基本满意 / 不满意).

    不满意 re-opens the proposal for 二次办理 with ``deadline`` (default: the policy's time
    limit from today), taking it out of a 并案 group first.
    """
    task = lock_task(task)
    if not transitions.is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以登记代表/委员的满意度。")
    detail = _detail(task)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": "满意度须为满意、基本满意或不满意。"})
    if not detail.reply_class:
        raise TransitionNotAllowed("该件尚未答复，不能登记满意度。")
    if task.status == TaskStatus.CANCELLED:
        raise TransitionNotAllowed("事项已撤销，不能登记满意度。")
    comment = (comment or "").strip()
    today = clock.today()
    dissatisfied = satisfaction == Satisfaction.DISSATISFIED
    if dissatisfied:
        deadline = deadline or policies.limit_from(policies.policy_for(task.source), today)
        if deadline is None:
            raise ValidationError({"deadline": "不满意须重新办理，请填写二次办理时限。"})
        _in_range("deadline", deadline)
        if deadline <= today:
            raise ValidationError({"deadline": "二次办理时限须晚于今天。"})
        if not comment:
            raise ValidationError({"comment": "不满意须填写代表/委员的意见。"})
    data = {"satisfaction": [detail.satisfaction or None, satisfaction]}
    data.update(_meeting(detail, met_on, meeting_form))
    detail.satisfaction, detail.satisfaction_on = satisfaction, today
    detail.satisfaction_comment = comment
    if dissatisfied and detail.merged_into_id:
        data["merged_into"] = [detail.merged_into_id, None]
        detail.merged_into = None
    detail.full_clean(exclude=["task"])
    detail.save()
    label = Satisfaction(satisfaction).label
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.SATISFACTION,
        comment=f"{label}{'：' + comment if comment else ''}",
        data=data,
    )
    if dissatisfied:
        _reopen(task, detail, actor, deadline, comment)
    return detail


def _reopen(task: Task, detail: ProposalDetail, actor: User, deadline: dt.date, comment: str):
    """二次办理: the next round, a new deadline and (from a finished status) back to 办理中."""
    reason = f"代表/委员不满意，二次办理：{comment}"
    detail.round += 1
    detail.save(update_fields=["round"])
    if task.status in (TaskStatus.SUBMITTED, TaskStatus.CLOSED):
        transitions.task_reopen(task=task, actor=actor, deadline=deadline, reason=reason)
        return
    old = task.deadline
    task.deadline = deadline
    task.save(update_fields=["deadline", "updated_at"])
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.REOPEN,
        comment=reason,
        data={"deadline": [str(old), str(deadline)], "round": detail.round},
    )
