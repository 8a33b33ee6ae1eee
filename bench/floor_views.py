"""Floors for the benchmark (``bench/run.py``); routed only by ``bench/urls.py``
(``DJANGO_SETTINGS_MODULE=bench.settings``), never by the application.

- ``constant``: a bare Django view returning a constant JSON body — the framework's floor.
- ``tasks``: the ``GET tasks/`` page built from one raw SQL query and orjson — the
  database's floor for the same JSON.
- ``rows``: the same for the other lists (``LISTS``): COUNT, then the page of the table's
  columns (many-to-many ids as arrays) in the list's default order, from raw SQL and orjson.
"""

import orjson
from django.apps import apps
from django.db import connection
from django.http import Http404, HttpResponse

from core import clock
from projects.choices import Light
from supervision.loop.workdays import overdue_workdays

CONSTANT = orjson.dumps({"count": 0, "next": None, "previous": None, "results": []})
OPEN = ("draft", "assigned", "in_progress", "submitted")

TASK_PAGE_SQL = """
SELECT t.id, t.code, t.title, t.content, t.source, t.source_ref, t.domain,
       t.lead_department_id,
       COALESCE((SELECT array_agg(c.department_id) FROM supervision_task_co_departments c
                 WHERE c.task_id = t.id), '{}'),
       t.responsible_leader_id, t.project_id, t.deadline, t.report_frequency, t.priority,
       t.status, t.target_metric, t.target_value, t.target_unit, t.latest_value, t.assumed,
       t.assigned_at, t.accepted_at, t.submitted_at, t.closed_at, t.created_at, t.updated_at
FROM supervision_task t ORDER BY t.deadline, t.code LIMIT %s OFFSET %s
"""
COLUMNS = [
    "id",
    "code",
    "title",
    "content",
    "source",
    "source_ref",
    "domain",
    "lead_department",
    "co_departments",
    "responsible_leader",
    "project",
    "deadline",
    "report_frequency",
    "priority",
    "status",
    "target_metric",
    "target_value",
    "target_unit",
    "latest_value",
    "assumed",
    "assigned_at",
    "accepted_at",
    "submitted_at",
    "closed_at",
    "created_at",
    "updated_at",
]


def constant(request):
    return HttpResponse(CONSTANT, content_type="application/json")


def tasks(request):
    size = min(int(request.GET.get("page_size", 50)), 500)
    page = int(request.GET.get("page", 1))
    today = clock.today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM supervision_task")
        count = cursor.fetchone()[0]
        cursor.execute(TASK_PAGE_SQL, [size, (page - 1) * size])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        is_open = row["status"] in OPEN
        row["overdue_days"] = overdue_workdays(row["deadline"], today) if is_open else 0
        row["light"] = Light.RED if row["overdue_days"] else Light.GREEN
    body = {"count": count, "next": None, "previous": None, "results": rows}
    return HttpResponse(orjson.dumps(body, default=str), content_type="application/json")


# list name → (model, ORDER BY of its FilterSet's default ordering)
LISTS = {
    "projects": ("projects.Project", "code"),
    "milestones": ("projects.Milestone", "project_id, sequence, due_date, id"),
    "investment-reports": ("projects.InvestmentReport", "project_id, period"),
    "reminders": ("supervision.Reminder", "created_at DESC, id DESC"),
    "departments": ("accounts.Department", "code"),
    "indicators": ("supervision.Indicator", "code"),
}
_ROWS_SQL: dict[str, tuple] = {}


def _rows_sql(name: str) -> tuple:
    if name not in _ROWS_SQL:
        label, order = LISTS[name]
        meta = apps.get_model(label)._meta
        columns = [f'"t"."{f.column}"' for f in meta.concrete_fields]
        names = [f.attname for f in meta.concrete_fields]
        for field in meta.many_to_many:
            through = field.remote_field.through._meta
            source = field.m2m_column_name()
            target = field.m2m_reverse_name()
            columns.append(
                f'COALESCE((SELECT array_agg(m."{target}") FROM "{through.db_table}" m '
                f'WHERE m."{source}" = "t"."{meta.pk.column}"), \'{{}}\')'
            )
            names.append(field.name)
        _ROWS_SQL[name] = (
            f'SELECT COUNT(*) FROM "{meta.db_table}"',
            f'SELECT {", ".join(columns)} FROM "{meta.db_table}" "t" ORDER BY {order} '
            "LIMIT %s OFFSET %s",
            names,
        )
    return _ROWS_SQL[name]


def rows(request, name: str):
    if name not in LISTS:
        raise Http404(name)
    count_sql, page_sql, names = _rows_sql(name)
    size = min(int(request.GET.get("page_size", 50)), 500)
    page = int(request.GET.get("page", 1))
    with connection.cursor() as cursor:
        cursor.execute(count_sql)
        count = cursor.fetchone()[0]
        cursor.execute(page_sql, [size, (page - 1) * size])
        results = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    body = {"count": count, "next": None, "previous": None, "results": results}
    return HttpResponse(orjson.dumps(body, default=str), content_type="application/json")
