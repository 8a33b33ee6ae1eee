"""Benchmark the deadline scan on PostgreSQL (issue: reminders; run by hand, not in tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/scan.py

Creates a scratch database ``wulong_bench_scan`` on that server, migrates it, inserts
``--tasks`` open tasks with ``--nodes`` quarterly nodes each (issue 13: due dates around the
quarter ends, most past ones done) and ``--milestones`` open milestones with deadlines spread
over the ladder, VACUUM ANALYZEs it, then times a first scan (which writes the reminders) and a
second scan (which writes nothing), with query counts and peak memory. Drops the scratch
database at the end.

    DATABASE_URL=… .venv/bin/python bench/scan.py --database wulong_bench_xl

scans an existing database instead (``bench/generate.py XL``) on its own date, 2024-06-28,
and deletes the reminders it wrote afterwards (``--keep`` keeps them). A database this script
kept (``BENCH_SCAN_DB=name … --keep``) is scanned again with ``--database name --on
2024-09-30`` once its reminders are deleted. Each scan's CPU time (this process and its
PostgreSQL backend, from /proc) and the load average are printed beside the wall time.
"""

import argparse
import datetime as dt
import os
import random
import re
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_SCAN_DB", "wulong_bench_scan")  # a scratch database


def scratch_url(base: str) -> str:
    parts = urlparse(base)
    return urlunparse(parts._replace(path=f"/{DB_NAME}"))


def recreate_database(base: str) -> None:
    import psycopg

    parts = urlparse(base)
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def drop_database(base: str) -> None:
    import psycopg

    parts = urlparse(base)
    admin = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def generate(n_tasks: int, n_milestones: int, today: dt.date, n_nodes: int = 4) -> None:
    from accounts.models import Department, User
    from projects.models import Milestone, Project
    from supervision.loop.models import ProgressReport, Task

    rng = random.Random(2024)  # noqa: S311 — deterministic data
    tz = ZoneInfo("Asia/Shanghai")
    author = User.objects.create(username="bench", role="supervisor")
    departments = Department.objects.bulk_create(
        Department(code=f"B{i:03d}", name=f"基准单位{i}", kind="district") for i in range(80)
    )
    projects = Project.objects.bulk_create(
        Project(
            code=f"BP-{i:05d}",
            name=f"基准项目{i}",
            category="district",
            year=today.year,
            stage="under_construction",
            lead_department=rng.choice(departments),
        )
        for i in range(max(1, n_milestones // 5))
    )

    def deadline() -> dt.date:
        # A working year: 20 % of deadlines fall in the ladder's window (-30 … +10 days),
        # the rest later in the year.
        offset = rng.randint(-30, 10) if rng.random() < 0.2 else rng.randint(11, 180)
        return today + dt.timedelta(days=offset)

    def at(days_ago: int) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(9), tzinfo=tz)

    # 10 % just assigned (some not yet signed for in time), 90 % in hand since spring.
    statuses = ["assigned"] + ["in_progress"] * 9
    batch, reports = [], []
    for i in range(n_tasks):
        status = rng.choice(statuses)
        assigned = at(rng.randint(0, 10) if status == "assigned" else rng.randint(120, 240))
        batch.append(
            Task(
                code=f"BT-{i:06d}",
                title=f"基准事项{i}",
                source="work_report",
                domain="economy",
                lead_department=rng.choice(departments),
                deadline=deadline(),
                status=status,
                report_frequency=rng.choice(["monthly", "monthly", "quarterly", "once"]),
                assigned_at=assigned,
                accepted_at=assigned + dt.timedelta(days=2) if status == "in_progress" else None,
            )
        )
        if len(batch) == 10_000:
            created = Task.objects.bulk_create(batch)
            reports += _reports(created, rng, at, author.pk)
            _nodes(created, rng, today, n_nodes)
            batch = []
    created = Task.objects.bulk_create(batch)
    reports += _reports(created, rng, at, author.pk)
    _nodes(created, rng, today, n_nodes)
    ProgressReport.objects.bulk_create(reports, batch_size=10_000)
    Milestone.objects.bulk_create(
        (
            Milestone(
                project=projects[i % len(projects)],
                name=f"节点{i}",
                due_date=deadline(),
                sequence=i // len(projects) + 1,
            )
            for i in range(n_milestones)
        ),
        batch_size=10_000,
    )


def _nodes(tasks, rng, today: dt.date, per_task: int) -> None:
    """Quarterly nodes (25/50/75/100 % of the target) due around each quarter's end (± 20
    days); nine in ten of those already past were done, the rest are overdue."""
    from decimal import Decimal

    from supervision.phases.models import Node

    rows = []
    for task in tasks:
        for q in range(per_task):
            month = 3 * (q % 4) + 3
            end = dt.date(today.year, month, 30 if month in (6, 9) else 31)
            due = end + dt.timedelta(days=rng.randint(-20, 20))
            done = due < today and rng.random() < 0.9
            rows.append(
                Node(
                    task=task,
                    sequence=q + 1,
                    title=f"第{q + 1}季度",
                    due_date=due,
                    target_value=Decimal(25 * (q + 1)),
                    status="done" if done else "approved",
                    completed_on=due if done else None,
                    value=Decimal(25 * (q + 1)) if done else None,
                )
            )
    Node.objects.bulk_create(rows, batch_size=10_000)


def _reports(tasks, rng, at, author_id):
    """Most departments report on time: a report this month and last month for 85 %."""
    from supervision.loop.models import ProgressReport

    rows = []
    for task in tasks:
        if task.status != "in_progress":
            continue
        for days_ago in (3, 33):
            if rng.random() < 0.85:
                rows.append(
                    ProgressReport(
                        task=task,
                        department_id=task.lead_department_id,
                        author_id=author_id,
                        content="按计划推进",
                        created_at=at(days_ago),
                    )
                )
    return rows


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its PostgreSQL backend, from /proc:
    on a shared machine the wall time follows the load, the CPU time much less."""
    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own.ru_utime + own.ru_stime + backend


def timed_scan(now, *, trace_memory: bool = False):
    """(seconds, queries, peak Python allocations, reminders written, CPU seconds, load
    average at the end) of one scan."""
    from django.db import connection

    from supervision.reminders.scan import scan_deadlines

    if trace_memory:
        tracemalloc.start()
    cpu = cpu_seconds()
    started = time.perf_counter()
    result = scan_deadlines(now=now)
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    peak = tracemalloc.get_traced_memory()[1] if trace_memory else 0
    tracemalloc.stop()
    return elapsed, len(connection.queries), peak, result.total, cpu, os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--milestones", type=int, default=50_000)
    parser.add_argument("--nodes", type=int, default=4, help="nodes per task")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", help="scan this existing database (e.g. wulong_bench_xl)")
    parser.add_argument(
        "--on",
        type=dt.date.fromisoformat,
        help="the scan's day with --database (default 2024-06-28, generate.py's; 2024-09-30"
        " for a database this script kept)",
    )
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the scratch database is created there).")
    if args.database:
        global DB_NAME
        DB_NAME = args.database
    else:
        recreate_database(base)
    os.environ["DATABASE_URL"] = scratch_url(base)
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.db.models import Count, Max

    settings.DEBUG = True  # record queries
    tz = ZoneInfo("Asia/Shanghai")
    if args.database:  # bench/generate.py's date
        now = dt.datetime.combine(args.on or dt.date(2024, 6, 28), dt.time(10), tzinfo=tz)
    else:
        call_command("migrate", verbosity=0)
        now = dt.datetime(2024, 9, 30, 10, 0, tzinfo=tz)
        started = time.perf_counter()
        generate(args.tasks, args.milestones, now.date(), args.nodes)
        print(
            f"generated {args.tasks} tasks × {args.nodes} nodes, {args.milestones} milestones "
            f"in {time.perf_counter() - started:.1f} s"
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves a table at rest
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from supervision.reminders.models import Reminder

    existing = Reminder.objects.aggregate(last=Max("pk"))["last"] or 0  # the scans write after

    from unittest import mock

    # Delivery is measured elsewhere; keep the scan from enqueueing onto a broker.
    with mock.patch("config.celery.app.send_task"):
        reset_queries()
        first = timed_scan(now)
        reset_queries()
        second = timed_scan(now)
        second_queries = list(connection.queries)
        traced = timed_scan(now, trace_memory=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    written = Reminder.objects.filter(pk__gt=existing)
    by_kind = dict(written.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    by_level = sorted(
        written.values_list("kind", "level")
        .annotate(n=Count("pk"))
        .values_list("kind", "level", "n")
    )
    for name, scan in (("first scan ", first), ("second scan", second)):
        print(
            f"{name}: {scan[0]:.2f} s (CPU {scan[4]:.2f} s, load {scan[5]:.2f}),"
            f" {scan[1]} queries, wrote {scan[3]} reminders"
        )
    print(f"reminders by kind: {by_kind}")
    print(f"reminders by kind and level: {by_level}")
    print(f"scan peak Python allocations (a third, traced scan): {traced[2] / 2**20:.1f} MiB")
    print(f"process peak RSS: {rss:.0f} MiB ({rss_before:.0f} MiB before the first scan)")
    if os.environ.get("BENCH_VERBOSE"):
        for query in sorted(second_queries, key=lambda q: -float(q["time"]))[:8]:
            kind = re.search(r"\) SELECT '(\w+)'", query["sql"])
            print(f"{query['time']} s  {kind.group(1) if kind else ''}  {query['sql'][:200]}")
    if args.database and not args.keep:
        # Leave the shared bench database as generate.py made it (nothing else refers to
        # these rows: delivery was not run).
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {Reminder._meta.db_table} WHERE id > %s",  # noqa: S608
                [existing],
            )
            cursor.execute(f"VACUUM ANALYZE {Reminder._meta.db_table}")
    connection.close()
    if not args.keep and not args.database:
        drop_database(base)


if __name__ == "__main__":
    main()
