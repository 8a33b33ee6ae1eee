import datetime as dt

from django.db import connections, router
from django.db.models import Expression
from django.utils import timezone

from config.api.rows import rows_by_ids
from core import clock
from supervision.choices import OPEN_STATUSES
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


def page_rows(
    ids: list[int],
    fields: tuple[str, ...] = (),
    *,
    lights: bool = True,
    today: dt.date | None = None,
    policy: EscalationPolicy | None = None,
) -> dict[int, tuple]:
    """The tasks ``ids`` as ``values_list(*LIGHT_FIELDS, *fields)`` (``with_light``'s
    annotations first, unless ``lights`` is false) by id, from one query. ``fields``: paths
    or expressions (a list page's datetimes written as text, ``isotime``).

    The light's expression takes Django longer to build and compile than the database takes
    to run it for a page, so the statement is compiled once per date, policy and fields
    (``rows_by_ids``); only the ids change from page to page. On PostgreSQL ``first_due``
    and ``schedule_target`` are computed once per row (``Lateral``) instead of inlined into
    ``lag``, ``light`` and ``is_overdue``: the statement had 28 subplans to plan (2–5 ms a
    page, more than running it), now 7.
    """
    # The zone: a datetime column written as text (``isotime``) is written in it.
    # The zone: a datetime column written as text (``isotime``) is written in it.
    key: tuple = ("tasks", fields, timezone.get_current_timezone_name())
    if lights:
        today = today or clock.today()
        policy = policy or EscalationPolicy.current()
        settings = tuple(getattr(policy, f.attname) for f in policy._meta.concrete_fields)
        key = (*key, today, settings)

    using = router.db_for_read(Task)  # the replica's connection, for a list read
    lateral = lights and connections[using].vendor == "postgresql"

    def build(pks):
        if lateral:
            return _lit_rows(today, policy, pks, ("pk", *names))
        queryset = Task.objects.with_light(today, policy) if lights else Task.objects.all()
        return queryset.filter(pk__in=pks).order_by().values_list("pk", *names)

    names = (*LIGHT_FIELDS, *fields) if lights else fields
    rows = rows_by_ids(key, build, ids, using=using)
    return {row[0]: row[1:] for row in rows}


# ``with_light``'s annotations that hold the subqueries, computed once per row in the lateral.
LATERAL = ("first_due", "schedule_target")


class Lateral:
    """``CROSS JOIN LATERAL (SELECT … OFFSET 0) "lit"``: an entry of a query's ``alias_map``
    (Django compiles each as the FROM clause's next item) computing ``expressions`` (resolved
    against the query) once per row, for the select list to read as ``"lit"."name"``.
    ``OFFSET 0`` keeps PostgreSQL from pulling the subquery up and inlining it again."""

    alias = "lit"
    join_type = None
    parent_alias = None

    def __init__(self, expressions: dict):
        self.expressions = expressions

    def as_sql(self, compiler, connection):
        columns, params = [], []
        for name, expression in self.expressions.items():
            sql, more = compiler.compile(expression)
            columns.append(f"{sql} AS {connection.ops.quote_name(name)}")
            params.extend(more)
        alias = connection.ops.quote_name(self.alias)
        return f"CROSS JOIN LATERAL (SELECT {', '.join(columns)} OFFSET 0) {alias}", params

    def relabeled_clone(self, change_map):
        return self


class LateralColumn(Expression):
    """A column of the ``Lateral``: ``"lit"."name"``."""

    def __init__(self, name: str, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        quote = connection.ops.quote_name
        return f"{quote(Lateral.alias)}.{quote(self.name)}", []


def _lit_rows(today: dt.date, policy, pks, names: tuple[str, ...]):
    """``Task.objects.with_light(today, policy)``'s ``values_list(*names)`` for the tasks
    ``pks``, the light's figures read from a ``Lateral`` (PostgreSQL only)."""
    from supervision.loop.progress import progress_annotations

    figures, *steps = progress_annotations(today, policy)
    refs = {name: LateralColumn(name, figures[name].output_field) for name in LATERAL}
    queryset = Task.objects.annotate(**{**figures, **refs})
    for step in steps:
        queryset = queryset.annotate(**step)
    queryset = queryset.filter(pk__in=pks).order_by().values_list(*names)
    query = queryset.query
    query.alias_map[Lateral.alias] = Lateral(
        {name: figures[name].resolve_expression(query, allow_joins=True) for name in LATERAL}
    )
    query.alias_refcount[Lateral.alias] = 1
    return queryset


def attach_lights(tasks, *, today: dt.date | None = None, policy=None) -> None:
    """Set ``with_light``'s annotations on ``tasks`` (model instances read without them)
    from one query over their ids (``page_rows``)."""
    tasks = list(tasks)
    rows = page_rows([task.pk for task in tasks], today=today, policy=policy)
    for task in tasks:
        for name, value in zip(LIGHT_FIELDS, rows[task.pk], strict=True):
            setattr(task, name, value)


NO_NODES = {"total": 0, "proposed": 0, "approved": 0, "done": 0, "overdue": 0, "next_due": None}


def nodes_summaries(ids: list[int], *, today: dt.date) -> dict[int, dict]:
    """``NodesSummarySerializer.of``'s figures for each of the tasks ``ids`` from one grouped
    query (compiled once a day), instead of loading every node of the page."""
    from django.db.models import Count, Min, Q

    from supervision.choices import NodeStatus
    from supervision.phases.models import Node

    def build(pks):
        approved = Q(status=NodeStatus.APPROVED)
        return (
            Node.objects.filter(task__in=pks)
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
            .values_list("task_id", *NO_NODES)
        )

    rows = rows_by_ids(("nodes", today), build, ids, using=router.db_for_read(Node))
    by_task = {row[0]: dict(zip(NO_NODES, row[1:], strict=True)) for row in rows}
    return {pk: by_task.get(pk) or dict(NO_NODES) for pk in ids}


def overdue_days(task: Task, today: dt.date | None = None) -> int:
    """Working days past the earliest date the unit answers for (``first_due``, its deadline or
    an open node's, as ``with_light`` annotates; the deadline when not annotated),
    #{d : due < d ≤ today}: the largest of its overdue nodes' and its deadline's. 0 once
    closed or cancelled."""
    return overdue_days_of(
        task.status, getattr(task, "first_due", None), task.deadline, today or clock.today()
    )


def overdue_days_of(status: str, first_due: dt.date | None, deadline: dt.date, today) -> int:
    """``overdue_days`` of a task read as values (a list's row)."""
    if status not in OPEN_STATUSES:
        return 0
    return overdue_workdays(first_due or deadline, today)


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
