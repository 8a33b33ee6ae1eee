"""A task's light from its progress (DESIGN.md, "Phased targets"), computed in the database.

``progress_annotations(today, policy)`` gives the expressions ``TaskQuerySet.with_light``
annotates, so a list is one query and every place that shows a light (API, cockpit,
dashboard, Excel, admin) shows the same one:

- ``first_due``: the earliest date the lead unit is answerable for — its deadline or an
  approved node not done, whichever comes first. Overdue days (``overdue_days``) count from
  it, so they are the largest of its overdue nodes' and its deadline's.
- ``schedule_target`` (序时目标): for a quantitative task (a target to reach, ``at_least``),
  the cumulative value due today: linear between the node targets in force (approved or done
  nodes with a value target) around today, starting from 0 on 1 January of the deadline's
  year and ending at the task's target on its deadline; with no node, linear over the year.
- ``current_value``: the indicator's latest value when the task repeats one, else its own.
- ``lag``: percentage points of the target by which ``current_value`` is behind
  ``schedule_target`` (negative when ahead); null without a value or a target to reach.
- ``light``: null once closed or cancelled; red when ``first_due`` is at least one working
  day past or the lag exceeds the policy's red gap; yellow when ``first_due`` is within the
  warning window (or today, or passed with no working day since) or the lag exceeds the
  yellow gap; green otherwise.
- ``is_overdue``: open and ``first_due`` at least one working day past.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection, models
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least, NullIf, TruncYear

from projects.choices import Light
from supervision.choices import OPEN_STATUSES, Comparison, NodeStatus

NUMBER = DecimalField(max_digits=20, decimal_places=4)
ZERO = Value(Decimal(0), output_field=NUMBER)


class DaysBetween(Func):
    """``later - earlier`` in days (PostgreSQL: date minus date is an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


SQLITE_INTERPOLATE = "WULONG_INTERPOLATE"


def sqlite_interpolate(today, start_date, start_value, end_date, end_value):
    """``schedule_target``'s linear step for SQLite: the value due ``today`` between
    (``start_date``, ``start_value``) and (``end_date``, ``end_value``); null when either end
    is missing or the span is empty, as the PostgreSQL expression."""
    if None in (today, start_date, start_value, end_date, end_value):
        return None
    today, start, end = (
        dt.date.fromisoformat(str(day)[:10]) for day in (today, start_date, end_date)
    )
    span = (end - start).days
    if span == 0:
        return None
    share = min(max((today - start).days, 0) / span, 1)
    start_value, end_value = float(start_value), float(end_value)
    return start_value + (end_value - start_value) * share


def register_sqlite_functions(sender, connection, **kwargs):
    """``connection_created`` receiver (connected in ``SupervisionConfig.ready``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_INTERPOLATE, 5, sqlite_interpolate, deterministic=True
        )


def _date(day: dt.date):
    return Cast(Value(day), DateField())


def _value_nodes():
    from supervision.phases.models import Node

    return Node.objects.filter(
        task=OuterRef("pk"),
        status__in=(NodeStatus.APPROVED, NodeStatus.DONE),
        target_value__isnull=False,
    )


def schedule_target(today: dt.date):
    """序时目标 on ``today`` (see the module's docstring); null for a task without a target."""
    nodes = _value_nodes()
    before = nodes.filter(due_date__lte=today).order_by("-due_date", "-sequence")
    after = nodes.filter(due_date__gt=today).order_by("due_date", "sequence")
    start_date = Coalesce(
        Subquery(before.values("due_date")[:1]),
        Cast(TruncYear("deadline", output_field=DateField()), DateField()),
    )
    start_value = Coalesce(Subquery(before.values("target_value")[:1]), ZERO)
    end_date = Coalesce(
        Subquery(after.values("due_date")[:1]),
        Case(When(deadline__gt=today, then=F("deadline")), output_field=DateField()),
    )
    end_value = Coalesce(Subquery(after.values("target_value")[:1]), F("target_value"))
    if connection.vendor == "sqlite":
        # The arithmetic below nests too deep for SQLite's parser once the light inlines it:
        # the same rule as a function (``sqlite_interpolate``, registered on connect).
        between = Func(
            _date(today),
            start_date,
            start_value,
            end_date,
            end_value,
            function=SQLITE_INTERPOLATE,
            output_field=NUMBER,
        )
        return Coalesce(between, F("target_value"))
    elapsed = Greatest(DaysBetween(_date(today), start_date), Value(0))
    span = NullIf(DaysBetween(end_date, start_date), Value(0))
    share = Least(
        ExpressionWrapper(Cast(elapsed, NUMBER) / span, output_field=NUMBER),
        Value(Decimal(1), output_field=NUMBER),
    )
    between = ExpressionWrapper(
        start_value + (end_value - start_value) * share, output_field=NUMBER
    )
    # Past the deadline (no date ahead to interpolate to), the whole target is due.
    return Coalesce(between, F("target_value"))


def progress_annotations(today: dt.date, policy) -> list[dict]:
    """The annotations of ``TaskQuerySet.with_light``, in steps (each reads the ones before)."""
    from supervision.loop.querysets import light_thresholds

    last_workday, warn_before = light_thresholds(today, policy.warning_days)
    from supervision.phases.models import Node

    first_node_due = Subquery(
        Node.objects.filter(task=OuterRef("pk"), status=NodeStatus.APPROVED)
        .order_by("due_date")
        .values("due_date")[:1]
    )
    is_open = Q(status__in=OPEN_STATUSES)
    current = Coalesce(F("indicator__latest_value"), F("latest_value"))
    measurable = Q(
        target_comparison=Comparison.AT_LEAST,
        target_value__gt=0,
        status__in=OPEN_STATUSES,
    ) & (Q(latest_value__isnull=False) | Q(indicator__latest_value__isnull=False))
    lag = Case(
        When(
            measurable,
            then=ExpressionWrapper(
                (F("schedule_target") - F("current_value")) * Value(100) / F("target_value"),
                output_field=NUMBER,
            ),
        ),
        output_field=NUMBER,
    )
    figures = {
        # A task without open nodes has its deadline (SQLite's MIN, unlike LEAST, is null
        # with a null argument).
        "first_due": Case(
            When(is_open, then=Least(F("deadline"), Coalesce(first_node_due, F("deadline")))),
            output_field=DateField(),
        ),
        "current_value": current,
        "schedule_target": Case(When(measurable, then=schedule_target(today)), output_field=NUMBER),
    }
    light = Case(
        When(~is_open, then=None),
        When(Q(first_due__lt=last_workday) | Q(lag__gt=policy.red_gap), then=Value(Light.RED)),
        When(
            Q(first_due__lt=warn_before) | Q(lag__gt=policy.yellow_gap),
            then=Value(Light.YELLOW),
        ),
        default=Value(Light.GREEN),
        output_field=models.CharField(null=True),
    )
    overdue = Case(
        When(is_open & Q(first_due__lt=last_workday), then=Value(True)),
        default=Value(False),
        output_field=models.BooleanField(),
    )
    return [figures, {"lag": lag}, {"light": light, "is_overdue": overdue}]


def node_light(node, today: dt.date, policy) -> str | None:
    """One node's light by the same thresholds as the task's (``first_due`` above): red a
    working day past its due date, yellow within the warning window; none once done or
    while proposed."""
    from supervision.loop.querysets import light_thresholds

    if node.status != NodeStatus.APPROVED:
        return None
    last_workday, warn_before = light_thresholds(today, policy.warning_days)
    if node.due_date < last_workday:
        return Light.RED
    return Light.YELLOW if node.due_date < warn_before else Light.GREEN
