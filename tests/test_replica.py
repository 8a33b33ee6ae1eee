"""Reads that can leave the primary (core/db.py): which connection each query really took.

The suite runs with the ``replica`` alias mirrored to the primary (tests/conftest.py). These
tests are transactional so the replica — a connection of its own — sees committed data, and
every query is captured on both connections separately.
"""

import json
import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from celery import signals
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from core.db import REPLICA, WRITTEN_LSN_KEY, ReplicaRouter, replica_reads
from supervision.loop.models import Task
from tests import factories
from tests.clients import bearer_client, session_client

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
# Tables the router always keeps on the primary (identity, sessions, login limits).
PRIMARY_TABLES = ("accounts_user", "accounts_apitoken", "django_session", "axes_")


class Captured:
    def __init__(self, default, replica):
        self.default, self.replica = default, replica

    def sql(self, alias):
        return [q["sql"] for q in getattr(self, alias).captured_queries]

    def data_reads_on_default(self):
        """Queries of the primary that touch routed data (anything but identity tables)."""
        return [
            sql
            for sql in self.sql("default")
            if not any(table in sql for table in PRIMARY_TABLES)
            and "pg_current_wal_lsn" not in sql
            and sql not in ("BEGIN", "COMMIT")
        ]


@contextmanager
def captured():
    with ExitStack() as stack:
        default = stack.enter_context(CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]))
        replica = stack.enter_context(CaptureQueriesContext(connections[REPLICA]))
        yield Captured(default, replica)


@pytest.fixture
def world():
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办", kind="district")
    unit = factories.DepartmentFactory()
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(role=Role.OWNER, department=unit)
    task = factories.TaskFactory(lead_department=unit, status="in_progress")
    return {"supervisor": supervisor, "owner": owner, "task": task}


def test_the_suite_runs_with_a_mirrored_replica():
    assert settings.DATABASES[REPLICA]["TEST"]["MIRROR"] == DEFAULT_DB_ALIAS
    assert (
        connections[REPLICA].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    )
    assert "core.db.ReplicaReadsMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tasks/?page_size=100",
        "/api/v1/projects/",
        "/api/v1/dashboard/",
        "/api/v1/report-cards/?period=2024Q2",
        "/api/v1/exports/tasks.xlsx",
    ],
)
def test_list_dashboard_report_card_and_export_reads_go_to_the_replica(world, path):
    api = bearer_client(world["supervisor"])
    with captured() as queries:
        response = api.get(path)
    assert response.status_code == 200, response.content[:300]
    assert queries.sql("replica"), "nothing was read from the replica"
    assert queries.data_reads_on_default() == []
    # The identity of the caller is read from the primary (a revoked token stops at once).
    assert any("accounts_apitoken" in sql for sql in queries.sql("default"))


def test_the_replica_sees_the_rows_it_serves(world):
    api = bearer_client(world["supervisor"])
    with captured() as queries:
        rows = api.get("/api/v1/tasks/").json()["results"]
    assert [row["code"] for row in rows] == [world["task"].code]
    assert any('"supervision_task"' in sql for sql in queries.sql("replica"))


def test_a_cockpit_list_page_reads_the_replica(world):
    client = session_client(world["supervisor"])
    with captured() as queries:
        response = client.get("/tasks/")
    assert response.status_code == 200
    assert any('"supervision_task"' in sql for sql in queries.sql("replica"))
    assert queries.data_reads_on_default() == []


def test_a_detail_read_stays_on_the_primary(world):
    api = bearer_client(world["supervisor"])
    with captured() as queries:
        response = api.get(f"/api/v1/tasks/{world['task'].pk}/")
    assert response.status_code == 200
    assert queries.sql("replica") == []


def test_a_post_and_its_reads_go_to_the_primary(world):
    api = bearer_client(world["owner"])
    task = world["task"]
    with captured() as queries:
        response = api.post(f"/api/v1/tasks/{task.pk}/progress/", {"content": "进展顺利"})
    assert response.status_code in (200, 201), response.content[:300]
    assert queries.sql("replica") == []
    assert any("INSERT" in sql for sql in queries.sql("default"))
    # Its WAL position is kept: later reads wait for the replica to have replayed it.
    assert queries.sql("default")[-1] == "SELECT pg_current_wal_lsn()::text"
    assert cache.get(WRITTEN_LSN_KEY)


def test_a_celery_task_that_writes_records_its_wal_position_too(world):
    assert cache.get(WRITTEN_LSN_KEY) is None
    signals.task_prerun.send(sender=None, task_id="t-1", task=None)
    Task.objects.filter(pk=world["task"].pk).update(title="扫描改过")
    signals.task_postrun.send(sender=None, task_id="t-1", task=None)
    assert cache.get(WRITTEN_LSN_KEY)


def test_a_read_only_request_records_nothing(world):
    bearer_client(world["supervisor"]).get("/api/v1/tasks/")
    assert cache.get(WRITTEN_LSN_KEY) is None


def test_after_a_write_the_rest_of_the_scope_reads_the_primary(world):
    task = world["task"]
    with replica_reads(), captured() as queries:
        assert Task.objects.filter(pk=task.pk).exists()
        Task.objects.filter(pk=task.pk).update(title="改过的标题")
        assert Task.objects.get(pk=task.pk).title == "改过的标题"
    assert len(queries.sql("replica")) == 1  # the read before the write
    [update, read] = queries.sql("default")
    assert update.startswith("UPDATE")
    assert read.startswith("SELECT")


def test_transactions_and_select_for_update_stay_on_the_primary(world):
    task = world["task"]
    with replica_reads(), captured() as queries:
        locked = Task.objects.select_for_update().filter(pk=task.pk)
        with transaction.atomic():
            assert Task.objects.filter(pk=task.pk).count() == 1
            assert locked.get().pk == task.pk
    assert queries.sql("replica") == []
    assert any("FOR UPDATE" in sql for sql in queries.sql("default"))


def test_identity_tables_stay_on_the_primary_in_a_scope(world):
    with replica_reads(), captured() as queries:
        assert factories.UserFactory._meta.model.objects.filter(pk=world["owner"].pk).exists()
        assert Task.objects.exists()
    assert len(queries.sql("default")) == 1
    assert "accounts_user" in queries.sql("default")[0]
    assert len(queries.sql("replica")) == 1


def test_celery_tasks_and_commands_read_the_primary_unless_marked(world):
    with captured() as queries:
        assert Task.objects.count() == 1  # no scope: a task, a command, the shell
    assert queries.sql("replica") == []
    assert router.db_for_read(Task) == DEFAULT_DB_ALIAS


def test_migrations_run_on_the_primary_only():
    assert ReplicaRouter().allow_migrate(REPLICA, "supervision") is False
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "supervision") is True


SETTINGS_PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "engine": settings.DATABASES["default"]["ENGINE"],
    "routers": settings.DATABASE_ROUTERS,
    "middleware": [m for m in settings.MIDDLEWARE if m.startswith("core.db")],
    "mirror": settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR"),
}))
"""


def _settings(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", SECRET_KEY="x", **overrides)
    out = subprocess.run(  # noqa: S603 — our own settings, read by this interpreter
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_the_embedded_sqlite_setup_is_unchanged(tmp_path):
    plain = _settings(VAR_DIR=str(tmp_path))
    assert plain["aliases"] == ["default"]
    assert plain["engine"].endswith("sqlite3")
    assert plain["routers"] == []
    assert plain["middleware"] == []


def test_a_replica_url_adds_the_alias_router_and_middleware(tmp_path):
    url = "postgres://postgres@127.0.0.1:5433/wulong"
    conf = _settings(VAR_DIR=str(tmp_path), DATABASE_URL=url, DATABASE_REPLICA_URL=url)
    assert conf["aliases"] == ["default", "replica"]
    assert conf["mirror"] == "default"
    assert conf["routers"] == ["core.db.ReplicaRouter"]
    assert conf["middleware"] == ["core.db.ReplicaReadsMiddleware"]
