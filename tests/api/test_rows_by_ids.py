"""``rows_by_ids`` keeps each statement compiled once and runs it prepared on PostgreSQL,
the ids as one array parameter: the rows are the queryset's, a literal "%" in the SQL text
survives the driver's placeholders, and PostgreSQL plans the statement only for its first
executions (``config.api.prepared``)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api.rows import rows_by_ids
from supervision.loop.models import Task
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _titles(pks):
    # "%" and "_" are LIKE's wildcards: Django escapes them, and the text keeps a literal "%".
    return Task.objects.filter(pk__in=pks, title__contains="100%_").order_by("pk")


def test_the_rows_are_the_querysets_and_a_percent_sign_survives():
    matching = [TaskFactory(title=f"完成率100%_第{n}项") for n in range(3)]
    other = TaskFactory(title="完成率100第x项")
    ids = [task.pk for task in (*matching, other)]

    def build(pks):
        return _titles(pks).values_list("pk", "title")

    expected = list(build(ids))
    assert [pk for pk, _ in expected] == [task.pk for task in matching]
    assert rows_by_ids(("test-percent",), build, ids, using="default") == expected
    assert rows_by_ids(("test-percent",), build, ids[:1], using="default") == expected[:1]
    assert rows_by_ids(("test-percent",), build, [], using="default") == []


def test_the_statement_is_prepared_and_planned_once_generic():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    tasks = [TaskFactory() for _ in range(4)]

    def build(pks):
        return Task.objects.filter(pk__in=pks).order_by("pk").values_list("pk", "code")

    for n in range(8):
        ids = [task.pk for task in tasks[: 1 + n % 4]]
        assert rows_by_ids(("test-prepared",), build, ids, using="default") == [
            (task.pk, task.code) for task in tasks[: 1 + n % 4]
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            ['%FROM "supervision_task" WHERE "supervision_task"."id" = ANY($1::bigint[])%'],
        )
        assert cursor.fetchall() == [(8,)]  # one statement, executed eight times

    # The query log (DEBUG, the tests' query captures) still shows each execution's SQL.
    ids = [task.pk for task in tasks]
    with CaptureQueriesContext(connection) as captured:
        rows_by_ids(("test-prepared",), build, ids, using="default")
    (query,) = captured.captured_queries
    array = ",".join(map(str, ids))
    assert f"= ANY('{{{array}}}'::bigint[])" in query["sql"]
