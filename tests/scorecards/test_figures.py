"""The figures kept by triggers (``TaskFigure``, ``ProjectFigure``, issue 18) equal a
from-scratch computation after every kind of write: investment reports and corrections, plan
changes, milestones, task transitions (accept, submit, close, return, cancel, reopen,
reassign), extensions, nodes (set, approved, completed, deleted), bulk updates and deletes.

After each step the dashboard's figures are compared with the same figures aggregated from
the tasks (``with_light``) and the projects (``with_figures``) directly, and the stored rows
(with the per-group ``TaskTally`` counts) with a full ``rebuild``."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, F, Q, Sum

from accounts.choices import Role
from projects import services as projects
from projects.models import Project
from supervision.choices import OPEN_STATUSES, Domain, NodeStatus, TaskStatus
from supervision.loop import services as loop
from supervision.loop import transitions
from supervision.loop.models import EscalationPolicy, Task
from supervision.phases import nodes
from supervision.phases.models import Node
from supervision.reminders.services import overdue_by_unit
from supervision.scorecards import measures, summaries
from supervision.scorecards.dashboard import (
    LIGHTS,
    compute_dashboard,
    overdue_units,
    unit_task_figures,
)
from supervision.scorecards.models import NodeFigure, ProjectFigure, TaskFigure, TaskTally
from supervision.scorecards.periods import parse_period
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 28)


def from_scratch(today: dt.date) -> dict:
    """The dashboard's counts as computed before the stored figures (tasks with their nodes
    and projects with their reports and milestones, aggregated per request)."""
    policy = EscalationPolicy.current()
    is_open = Q(status__in=OPEN_STATUSES)
    tasks = Task.objects.with_light(today, policy)
    counts = tasks.aggregate(
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in TaskStatus},
        **{light: Count("pk", filter=is_open & Q(light=light)) for light in LIGHTS},
        overdue=Count("pk", filter=Q(is_overdue=True)),
        behind=Count("pk", filter=is_open & Q(lag__gt=0)),
    )
    planned = Q(annual_plan_investment__gt=0)
    projects_ = (
        Project.objects.filter(year=today.year, is_archived=False)
        .with_figures(today)
        .aggregate(
            **{f"p_{light}": Count("pk", filter=Q(light=light)) for light in LIGHTS},
            completed=Sum("completed_investment", filter=planned),
            unplanned=Sum("completed_investment", filter=~planned),
        )
    )
    overdue = list(
        tasks.filter(is_overdue=True)
        .order_by("first_due", "code")
        .values_list("pk", flat=True)[:20]
    )
    units = {}
    for row in (
        tasks.filter(is_open)
        .values("lead_department")
        .annotate(**{light: Count("pk", filter=Q(light=light)) for light in LIGHTS})
        .order_by()
    ):
        units[row.pop("lead_department")] = row
    return {"counts": counts, "projects": projects_, "overdue": overdue, "units": units}


def stored(today: dt.date) -> dict:
    board = compute_dashboard(today=today)
    units = {
        unit: {light: figures[light] for light in LIGHTS}
        for unit, figures in unit_task_figures(today, EscalationPolicy.current()).items()
        if any(figures[light] for light in LIGHTS)
    }
    return {
        "counts": {
            **{f"status_{s}": n for s, n in board["tasks_by_status"].items()},
            **board["tasks_by_light"],
            "overdue": board["tasks_overdue"],
            "behind": board["tasks_behind"],
        },
        "projects": {
            **{f"p_{light}": n for light, n in board["projects_by_light"].items()},
            "completed": board["investment"]["completed"],
            "unplanned": board["investment"]["unplanned_completed"],
        },
        "overdue": [row["id"] for row in board["overdue_tasks"]],
        "units": units,
    }


def rows() -> tuple[list, list, list, list]:
    tally = ("lead_department", "status", "first_due", "measurable", "n")
    return (
        list(TaskFigure.objects.order_by("pk").values_list()),
        list(ProjectFigure.objects.order_by("pk").values_list()),
        sorted(TaskTally.objects.values_list(*tally), key=str),  # ids differ after a rebuild
        list(NodeFigure.objects.order_by("pk").values_list()),
    )


def nodes_from_scratch(quarter, evaluation: dt.date, finished: bool) -> dict:
    """The report cards' nodes measure as computed before ``NodeFigure`` (nodes joined to
    their tasks per request)."""
    done = Q(status=NodeStatus.DONE, completed_on__lte=evaluation)
    task_closed = measures.task_closed_by(evaluation, prefix="task_")
    on_time = (done & Q(completed_on__lte=F("due_date"))) | (
        task_closed & Q(task_closed_day__lte=F("due_date"))
    )
    rows = (
        Node.objects.filter(
            status__in=(NodeStatus.APPROVED, NodeStatus.DONE),
            due_date__gte=quarter.start,
            due_date__lte=quarter.end,
        )
        .exclude(task__status__in=measures.NOT_COUNTED)
        .alias(task_status=F("task__status"), task_closed_day=measures._day("task__closed_at"))
        .filter(measures.judged("due_date", done | task_closed, evaluation, finished))
        .order_by()
        .values("task__lead_department", "task__domain")
        .annotate(judged=Count("pk"), met=Count("pk", filter=on_time))
    )
    return {
        (row["task__lead_department"], row["task__domain"]): (row["judged"], row["met"])
        for row in rows
    }


def check_nodes(today: dt.date) -> None:
    """The nodes measure from ``NodeFigure`` equals the join, for the quarters around
    ``today``, running and finished, on several evaluation days."""
    for label in ("2024Q1", "2024Q2", "2024Q3"):
        quarter = parse_period(label)
        for day in (today, today - dt.timedelta(days=3), today + dt.timedelta(days=40)):
            evaluation, finished = quarter.evaluation_date(day), day > quarter.end
            stored = {
                key: (row["judged"], row["met"])
                for key, row in measures.nodes(quarter, evaluation, finished).items()
            }
            assert stored == nodes_from_scratch(quarter, evaluation, finished), (label, day)


def check(today: dt.date = TODAY) -> None:
    expected = from_scratch(today)
    expected["projects"]["completed"] = Decimal(expected["projects"]["completed"] or 0)
    expected["projects"]["unplanned"] = Decimal(expected["projects"]["unplanned"] or 0)
    assert stored(today) == expected
    assert overdue_units(today) == overdue_by_unit(today)
    check_nodes(today)
    incremental = rows()
    summaries.rebuild()
    assert rows() == incremental


@pytest.fixture
def world(settings):
    settings.SUPERVISION_TODAY = TODAY
    office = factories.DepartmentFactory(name="督查办")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    units = [factories.DepartmentFactory() for _ in range(3)]
    owners = [factories.UserFactory(role=Role.OWNER, department=unit) for unit in units]
    tasks = [
        factories.TaskFactory(
            lead_department=units[i % 3],
            deadline=dt.date(2024, 6, 1) + dt.timedelta(days=9 * i),
            status=["assigned", "in_progress", "submitted", "closed", "draft"][i % 5],
        )
        for i in range(12)
    ]
    measured = factories.TaskFactory(
        lead_department=units[0],
        status="in_progress",
        deadline=dt.date(2024, 12, 31),
        target_value=Decimal("100"),
        target_comparison="at_least",
        latest_value=Decimal("10"),
    )
    project_list = [
        factories.ProjectFactory(
            lead_department=units[i % 3], annual_plan_investment=Decimal(1200 * (i % 3))
        )
        for i in range(6)
    ]
    return {
        "supervisor": supervisor,
        "owners": owners,
        "units": units,
        "tasks": tasks,
        "measured": measured,
        "projects": project_list,
    }


def test_figures_follow_every_kind_of_write(world):
    supervisor, owners, tasks = world["supervisor"], world["owners"], world["tasks"]
    plan_a, plan_b, unplanned = world["projects"][1], world["projects"][2], world["projects"][3]
    check()

    # Investment: reports, a correction, a plan change; a report of another year.
    report = projects.investment_report_create(
        actor=owners[1], project=plan_a, period=dt.date(2024, 3, 1), amount=Decimal("300.00")
    )
    projects.investment_report_create(
        actor=owners[2], project=plan_b, period=dt.date(2024, 5, 1), amount=Decimal("2000.00")
    )
    projects.investment_report_create(
        actor=owners[0], project=unplanned, period=dt.date(2024, 4, 1), amount=Decimal("50.00")
    )
    factories.InvestmentReportFactory(
        project=plan_a, period=dt.date(2023, 12, 1), amount=Decimal("999.00")
    )
    check()
    projects.investment_report_correct(
        actor=owners[1], report=report, amount=Decimal("150.50"), reason="填报有误"
    )
    projects.project_plan_set(
        actor=supervisor, project=unplanned, annual_plan_investment=Decimal("400.00")
    )
    check()

    # Milestones: one overdue, one due soon, then completed.
    late = projects.milestone_create(
        actor=supervisor, project=plan_a, name="开工", due_date=dt.date(2024, 6, 1)
    )
    projects.milestone_create(
        actor=supervisor, project=plan_b, name="主体完工", due_date=dt.date(2024, 7, 5)
    )
    check()
    projects.milestone_complete(actor=owners[1], milestone=late, completed_on=TODAY)
    check()

    # Task transitions.
    assigned = next(t for t in tasks if t.status == "assigned")
    owner = next(o for o in owners if o.department_id == assigned.lead_department_id)
    transitions.task_accept(task=assigned, actor=owner)
    check()
    submitted = next(t for t in tasks if t.status == "submitted")
    transitions.task_verify(task=submitted, actor=supervisor, approved=True)
    check()
    in_progress = [t for t in tasks if t.status == "in_progress"]
    transitions.task_cancel(task=in_progress[0], actor=supervisor, reason="不再需要")
    check()
    transitions.task_reassign(
        task=in_progress[1], actor=supervisor, department=world["units"][2], reason="职责调整"
    )
    check()

    # Nodes: an approved node due before the deadline moves first_due; done, it no longer does.
    node = nodes.node_create(
        actor=supervisor,
        task=world["measured"],
        title="半年",
        due_date=dt.date(2024, 6, 20),
        target_value=Decimal("50"),
    )
    check()
    nodes.node_complete(
        actor=owners[0], node=node, completed_on=dt.date(2024, 6, 25), value=Decimal("40")
    )
    check()
    other = nodes.node_create(
        actor=supervisor,
        task=in_progress[2],
        title="阶段一",
        due_date=dt.date(2024, 5, 31),
        target_text="完成方案",
    )
    check()
    nodes.node_delete(actor=supervisor, node=other, reason="重复")
    check()

    # Extension: asked, then approved (the deadline moves).
    late_task = Task.objects.filter(status="in_progress", deadline__lt=TODAY).first()
    owner = next(o for o in owners if o.department_id == late_task.lead_department_id)
    extension = loop.extension_request_create(
        task=late_task, actor=owner, requested_deadline=dt.date(2024, 9, 30), reason="征地延后"
    )
    loop.extension_approve(extension=extension, actor=supervisor)
    check()

    # Report-card nodes (NodeFigure): due in Q2 and Q3, done late and on time, the task
    # closed (销号, an Asia/Shanghai day) before a node's due date, moved, withdrawn.
    task = in_progress[2]
    owner = next(o for o in owners if o.department_id == task.lead_department_id)
    due = [dt.date(2024, 5, 10), dt.date(2024, 6, 30), dt.date(2024, 7, 10), dt.date(2024, 6, 1)]
    q2_late, q2_open, q3, q2_early = (
        nodes.node_create(
            actor=supervisor, task=task, title=f"节点{i}", due_date=day, target_text="完成"
        )
        for i, day in enumerate(due)
    )
    check()
    assert measures.nodes(parse_period("2024Q2"), TODAY, finished=False)  # something judged
    nodes.node_complete(actor=owner, node=q2_late, completed_on=dt.date(2024, 5, 20))
    nodes.node_complete(actor=owner, node=q2_early, completed_on=dt.date(2024, 5, 30))
    check()
    check(dt.date(2024, 6, 1))  # E before q2_late's completion: judged as past due only
    # Closed at 2024-06-20 17:30 UTC = 2024-06-21 in Asia/Shanghai: on time for q2_open and q3.
    Task.objects.filter(pk=task.pk).update(
        status=TaskStatus.CLOSED, closed_at=dt.datetime(2024, 6, 20, 17, 30, tzinfo=dt.UTC)
    )
    check()
    check(dt.date(2024, 6, 21))
    Node.objects.filter(pk=q3.pk).update(due_date=dt.date(2024, 6, 15))  # now due before 销号
    Task.objects.filter(pk=task.pk).update(
        domain=next(d for d in Domain.values if d != task.domain)
    )
    check()
    Node.objects.filter(pk=q2_open.pk).update(status=NodeStatus.PROPOSED)
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.CANCELLED)
    check()
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.IN_PROGRESS, closed_at=None)
    Task.objects.filter(pk=task.pk).update(lead_department=world["units"][2])
    check()
    Node.objects.filter(pk=q2_late.pk).delete()
    check()

    # Writes outside the services: a bulk update, a raw status change and deletes.
    Task.objects.filter(status="draft").update(deadline=dt.date(2024, 6, 3))
    Project.objects.filter(pk=plan_b.pk).update(year=2023)
    check()
    plan_b.investment_reports.all().delete()
    plan_b.milestones.all().delete()
    Project.objects.filter(pk=plan_b.pk).delete()
    Task.objects.filter(status="draft").delete()
    check()
    # Later in the year the same stored rows give the day's lights.
    check(dt.date(2024, 8, 15))
