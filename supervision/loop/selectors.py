import datetime as dt

from core import clock
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.workdays import overdue_workdays


def task_list(*, today: dt.date | None = None, policy: EscalationPolicy | None = None):
    """Tasks with their light annotated by the database (constant query count)."""
    # ``current_value``: a task that repeats an indicator reads the indicator's latest value.
    return Task.objects.with_light(today or clock.today(), policy).select_related(
        "lead_department", "responsible_leader", "project"
    )


def overdue_days(task: Task, today: dt.date | None = None) -> int:
    """Working days past the earliest date the unit answers for (``first_due``, its deadline or
    an open node's, as ``with_light`` annotates; the deadline when not annotated),
    #{d : due < d ≤ today}: the largest of its overdue nodes' and its deadline's. 0 once
    closed or cancelled."""
    if not task.is_open:
        return 0
    due = getattr(task, "first_due", None) or task.deadline
    return overdue_workdays(due, today or clock.today())


def escalation_cutoff(now) -> dt.datetime:
    """A 督办/通报 sent before this instant has waited more than one working day."""
    from supervision.loop.workdays import add_workdays

    return clock.start_of(add_workdays(clock.localdate(now), -1) + dt.timedelta(days=1))


def unacknowledged_escalations(now=None):
    """督办 and 通报 reminders not acknowledged: sent more than one working day before ``now``
    (the overdue ones), or all of them without ``now``."""
    from supervision.reminders.models import Reminder

    pending = Reminder.objects.filter(
        level__in=["escalated", "notice"], acknowledged_at__isnull=True
    )
    if now is None:
        return pending
    return pending.filter(sent_at__lt=escalation_cutoff(now))
