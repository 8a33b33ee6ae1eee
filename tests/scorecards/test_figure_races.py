"""Two writers feeding one figure row at once both succeed and the row is exact (review R1):
each refresh takes a lock per task or project first, so the second one's DELETE and INSERT
see the first's committed row (without it: a duplicate key, a 500)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from projects import services as projects
from projects.models import InvestmentReport
from supervision.loop.models import Task
from supervision.phases.models import Node
from supervision.scorecards import summaries
from supervision.scorecards.models import NodeFigure, ProjectFigure, TaskFigure, TaskTally
from tests import factories
from tests.races import require_postgres, run_racers

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> tuple:
    tally = ("lead_department", "status", "first_due", "measurable", "n")
    return (
        list(TaskFigure.objects.order_by("pk").values_list()),
        list(ProjectFigure.objects.order_by("pk").values_list()),
        sorted(TaskTally.objects.values_list(*tally), key=str),
        list(NodeFigure.objects.order_by("pk").values_list()),
    )


def assert_exact() -> None:
    stored = snapshot()
    summaries.rebuild()
    assert snapshot() == stored


def test_two_units_reporting_one_project_at_once_both_succeed(settings, supervisor):
    require_postgres()
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    project = factories.ProjectFactory(year=2024)

    def report(month):
        return lambda: projects.investment_report_create(
            actor=supervisor, project=project, period=dt.date(2024, month, 1), amount=Decimal(5)
        )

    with transaction.atomic():
        report(4)()
        join = run_racers(report(5))
    (second,) = join()
    assert isinstance(second, InvestmentReport), repr(second)
    assert ProjectFigure.objects.get(project=project).completed == Decimal(10)
    assert_exact()


def test_two_nodes_of_one_task_moved_at_once_both_succeed():
    require_postgres()
    task = factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 9, 30))
    first, second = (
        factories.NodeFactory(task=task, status="approved", due_date=dt.date(2024, 8, day))
        for day in (1, 2)
    )

    def move(node, day):
        return lambda: Node.objects.filter(pk=node.pk).update(due_date=dt.date(2024, 7, day))

    with transaction.atomic():
        move(first, 10)()
        join = run_racers(move(second, 5))
    (moved,) = join()
    assert moved == 1, repr(moved)
    assert TaskFigure.objects.get(task=task).first_due == dt.date(2024, 7, 5)
    assert_exact()


def test_a_task_closed_while_its_node_is_done_both_succeed():
    require_postgres()
    task = factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 9, 30))
    node = factories.NodeFactory(task=task, status="approved", due_date=dt.date(2024, 6, 30))

    def done():
        return Node.objects.filter(pk=node.pk).update(
            status="done", completed_on=dt.date(2024, 6, 20)
        )

    with transaction.atomic():
        Task.objects.filter(pk=task.pk).update(
            status="closed", closed_at=dt.datetime(2024, 6, 25, 2, 0, tzinfo=dt.UTC)
        )
        join = run_racers(done)
    (updated,) = join()
    assert updated == 1, repr(updated)
    figure = NodeFigure.objects.get(node=node)
    assert (figure.judged_on, figure.met_on) == (dt.date(2024, 6, 20), dt.date(2024, 6, 20))
    assert_exact()


def test_a_write_to_many_rows_holds_row_locks_not_one_advisory_lock_per_row(department):
    """The refresh locks its source rows, which live in the rows: one advisory lock per id
    made a statement writing ~40,000 nodes fail with "out of shared memory"."""
    require_postgres()
    from django.db import connection

    tasks = factories.TaskFactory.create_batch(30, lead_department=department)
    project = factories.ProjectFactory()
    with transaction.atomic():
        Task.objects.filter(pk__in=[t.pk for t in tasks]).update(deadline=dt.date(2024, 12, 20))
        for task in tasks[:5]:
            factories.NodeFactory(task=task, sequence=1, due_date=dt.date(2024, 9, 30))
        factories.InvestmentReportFactory(project=project, amount=Decimal(3))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                "AND pid = pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 0
    assert_exact()
