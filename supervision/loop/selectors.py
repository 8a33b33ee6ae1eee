import datetime as dt

from django.db import connections, router

from core import clock
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.workdays import overdue_workdays

# What ``TaskQuerySet.with_light`` annotates.
LIGHT_FIELDS = ("first_due", "current_value", "schedule_target", "lag", "light", "is_overdue")


def task_list(*, today: dt.date | None = None, policy: EscalationPolicy | None = None):
    """Tasks with their light annotated by the database (constant query count)."""
    # ``current_value``: a task that repeats an indicator reads the indicator's latest value.
    return Task.objects.with_light(today or clock.today(), policy).select_related(
        "lead_department", "responsible_leader", "project"
    )


def attach_lights(tasks, *, today: dt.date | None = None, policy=None) -> None:
    """Set ``with_light``'s annotations on ``tasks`` (a page read without them) from one
    query over their ids.

    The light's expression takes Django longer to build and compile than the database takes
    to run it for a page, so the statement is compiled once per date, policy, page length
    and connection vendor and kept; only the ids change from page to page.
    """
    tasks = list(tasks)
    if not tasks:
        return
    today = today or clock.today()
    policy = policy or EscalationPolicy.current()
    connection = connections[router.db_for_read(Task)]  # the replica's, for a list read
    sql, head, compiler, converters = _lights_statement(connection, today, policy, len(tasks))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*head, *(task.pk for task in tasks)])
        rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    by_pk = {row[0]: row[1:] for row in rows}
    for task in tasks:
        for name, value in zip(LIGHT_FIELDS, by_pk[task.pk], strict=True):
            setattr(task, name, value)


def attach_nodes_summary(tasks, *, today: dt.date) -> None:
    """Set ``nodes_summary`` (``NodesSummarySerializer.of``'s figures) on each of ``tasks``
    from one grouped query, instead of loading every node of the page."""
    from django.db.models import Count, Min, Q

    from supervision.choices import NodeStatus
    from supervision.phases.models import Node

    approved = Q(status=NodeStatus.APPROVED)
    rows = (
        Node.objects.filter(task__in=[task.pk for task in tasks])
        .order_by()
        .values("task_id")
        .annotate(
            total=Count("pk"),
            proposed=Count("pk", filter=Q(status=NodeStatus.PROPOSED)),
            approved=Count("pk", filter=approved),
            done=Count("pk", filter=Q(status=NodeStatus.DONE)),
            overdue=Count("pk", filter=approved & Q(due_date__lt=today)),
            next_due=Min("due_date", filter=approved),
        )
    )
    by_task = {row.pop("task_id"): row for row in rows}
    for task in tasks:
        task.nodes_summary = by_task.get(task.pk) or {
            "total": 0,
            "proposed": 0,
            "approved": 0,
            "done": 0,
            "overdue": 0,
            "next_due": None,
        }


_LIGHT_STATEMENTS: dict = {}


def _lights_statement(connection, today: dt.date, policy: EscalationPolicy, n: int) -> tuple:
    settings = tuple(getattr(policy, f.attname) for f in policy._meta.concrete_fields)
    key = (connection.alias, connection.vendor, today, settings, n)
    statement = _LIGHT_STATEMENTS.get(key)
    if statement is None:
        marks = list(range(-n, 0))  # stand-ins for the ids, always the statement's last params
        query = (
            Task.objects.with_light(today, policy)
            .filter(pk__in=marks)
            .order_by()
            .values_list("pk", *LIGHT_FIELDS)
            .query
        )
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params[-n:]) != marks:  # pragma: no cover — Django changed its SQL layout
            raise AssertionError("the ids are not the last parameters of the light statement")
        fields = [s[0] for s in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        if len(_LIGHT_STATEMENTS) >= 64:  # a new day or policy: drop the old ones
            _LIGHT_STATEMENTS.clear()
        statement = _LIGHT_STATEMENTS[key] = (sql, tuple(params[:-n]), compiler, converters)
    return statement


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
