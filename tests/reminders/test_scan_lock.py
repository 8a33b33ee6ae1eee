"""How the scan stays cheap at 10⁵–10⁶ reminders without writing anything twice or naming a
subject that is gone: one statement per kind of subject for all rungs, scans that take turns
(an advisory lock on PostgreSQL), and a node delete that waits for a running scan (reminders
carry no foreign-key constraint, see ``supervision/reminders/models.py``)."""

import datetime as dt

import psycopg
import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from projects.models import Milestone
from supervision.models import Node, Reminder
from supervision.phases.nodes import node_delete
from supervision.reminders.scan import SCAN_LOCK_KEY
from tests.factories import NodeFactory, ProjectFactory, TaskFactory
from tests.reminders.support import at, day, scan
from tests.reminders.test_node_ladder import make_tasks_with_nodes

RUNG_DATES = [day(10, 8), day(9, 30), day(9, 29), day(9, 26), day(9, 20)]


@pytest.mark.django_db
def test_one_statement_per_kind_of_subject_writes_every_rung(department):
    make_tasks_with_nodes(10, department)  # nodes on all five rungs
    for i, due in enumerate(RUNG_DATES):
        TaskFactory(lead_department=department, status="in_progress", deadline=due)
        project = ProjectFactory(lead_department=department)
        Milestone.objects.create(project=project, name=f"节点{i}", due_date=due, sequence=1)
    TaskFactory(lead_department=department, status="assigned", assigned_at=at(day(9, 20)))
    TaskFactory(
        lead_department=department,
        status="in_progress",
        report_frequency="monthly",
        accepted_at=at(day(7, 1)),
    )

    with CaptureQueriesContext(connection) as queries:
        result = scan(day(9, 30))

    inserts = [q["sql"] for q in queries if "INSERT INTO" in q["sql"]]
    assert len(inserts) == 5  # task deadlines, milestones, nodes, sign-offs, reports
    levels = {"warning", "due", "overdue", "escalated", "notice"}
    for kind in ("deadline", "node"):
        assert {level for k, level in result.counts if k == kind} == levels
    assert {kind for kind, _ in result.counts} == {"deadline", "node", "acceptance", "report"}
    # The counts by rung are those written, and a second pass writes nothing.
    assert result.total == Reminder.objects.count()
    for (kind, level), n in result.counts.items():
        assert Reminder.objects.filter(kind=kind, level=level).count() == n
    assert scan(day(9, 30)).total == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_a_node_delete_waits_for_a_running_scan(supervisor, department):
    node = NodeFactory(
        task__lead_department=department, due_date=dt.date(2024, 10, 8), status="approved"
    )
    params = connection.get_connection_params()
    keys = ("dbname", "user", "password", "host", "port")
    with psycopg.connect(**{k: params[k] for k in keys if k in params}) as scanning:
        scanning.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            with pytest.raises(OperationalError):
                node_delete(actor=supervisor, node=node)
        scanning.rollback()  # the scan ends
    assert Node.objects.filter(pk=node.pk).exists()

    node_delete(actor=supervisor, node=node)
    assert not Node.objects.filter(pk=node.pk).exists()
