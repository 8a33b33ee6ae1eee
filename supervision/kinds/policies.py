"""Per-source policy: default time limits, urgency → deadline, what 申请办结 needs.

Pure reads and date arithmetic; the services and the transitions ask these functions.
"""

import calendar
import datetime as dt

from django.core.exceptions import ValidationError

from supervision.choices import TaskSource
from supervision.kinds.choices import TimeLimitUnit
from supervision.kinds.models import SourcePolicy
from supervision.loop.workdays import add_workdays

# What a source uses until the office saves its own row (DESIGN.md, "Kinds").
DEFAULTS: dict[str, dict] = {
    TaskSource.INSTRUCTION: {"detail_required": True},
    TaskSource.NPC: {
        "time_limit": 3,
        "time_limit_unit": TimeLimitUnit.MONTHS,
        "detail_required": True,
        "reply_required": True,
    },
    TaskSource.CPPCC: {
        "time_limit": 3,
        "time_limit_unit": TimeLimitUnit.MONTHS,
        "detail_required": True,
        "reply_required": True,
    },
    TaskSource.PROBLEM: {"detail_required": True, "submit_needs_file": True},
}
PROPOSAL_SOURCES = (TaskSource.NPC, TaskSource.CPPCC)
# The nested detail object a source's tasks carry (API.md, "Kind details").
DETAIL_OF = {
    TaskSource.INSTRUCTION: "instruction",
    TaskSource.DECISION: "meeting",
    TaskSource.NPC: "proposal",
    TaskSource.CPPCC: "proposal",
    TaskSource.PROBLEM: "problem",
}
DETAIL_LABELS = {
    "instruction": "批示信息",
    "meeting": "会议信息",
    "proposal": "建议/提案信息",
    "problem": "问题信息",
}


def default_policy(source: str) -> SourcePolicy:
    return SourcePolicy(source=source, **DEFAULTS.get(source, {}))


def policy_for(source: str) -> SourcePolicy:
    """The saved policy of ``source``, or an unsaved one with the defaults."""
    return SourcePolicy.objects.filter(source=source).first() or default_policy(source)


def all_policies() -> list[SourcePolicy]:
    """One policy per source, in the order of ``TaskSource`` (saved rows or defaults)."""
    saved = {policy.source: policy for policy in SourcePolicy.objects.all()}
    return [saved.get(source) or default_policy(source) for source in TaskSource.values]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def limit_from(policy: SourcePolicy, start: dt.date) -> dt.date | None:
    """The deadline ``policy``'s default time limit gives when counted from ``start``."""
    if not policy.time_limit:
        return None
    if policy.time_limit_unit == TimeLimitUnit.MONTHS:
        return add_months(start, policy.time_limit)
    if policy.time_limit_unit == TimeLimitUnit.DAYS:
        return start + dt.timedelta(days=policy.time_limit)
    return add_workdays(start, policy.time_limit)


def instruction_deadline(policy: SourcePolicy, instructed_on: dt.date, urgency: str) -> dt.date:
    """批示件: ``urgency``'s working days after the 批示 date (the day itself not counted)."""
    return add_workdays(instructed_on, policy.urgency_days(urgency))


def default_deadline(source: str, *, today: dt.date, instruction: dict | None = None):
    """``(deadline, auto)`` for a task filed without a deadline, or ``(None, False)``.

    ``auto`` says the deadline counts from 交办 and is recomputed then (a draft's is
    provisional, from ``today``).
    """
    policy = policy_for(source)
    instructed_on = (instruction or {}).get("instructed_on")
    urgency = (instruction or {}).get("urgency")
    if source == TaskSource.INSTRUCTION and instructed_on and urgency:
        return instruction_deadline(policy, instructed_on, urgency), False
    deadline = limit_from(policy, today)
    return deadline, deadline is not None


def check_submit(task, *, has_files: bool | None) -> None:
    """What the task's policy requires before 申请办结 (``ValidationError`` names the field).

    ``has_files`` is None where no file store exists to ask (then the file rule is not
    checked).
    """
    policy = policy_for(task.source)
    if policy.reply_required and task.source in PROPOSAL_SOURCES:
        proposal = getattr(task, "proposal", None)
        if proposal is None or not proposal.reply_class:
            raise ValidationError(
                {"reply": "须先答复代表/委员（填写答复类别、日期和摘要），再申请办结。"}
            )
    if policy.submit_needs_file and has_files is False:
        raise ValidationError({"attachments": "该类事项申请办结须附佐证材料。"})
