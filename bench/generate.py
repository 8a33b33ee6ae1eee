"""Deterministic synthetic data at four scales, into a scratch PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/generate.py L

Scales (tasks / projects): S 1,000 / 100; M 10,000 / 1,000; L 100,000 / 10,000; XL (a
city-wide year) 1,000,000 / 100,000 — with 12 milestones per project, monthly investment
reports from each project's start to mid-2024 (five years of history at most), about four
events and two progress reports per task, four quarterly nodes per task and a reminder for
one task in three. The database ``wulong_bench_<scale>`` is dropped and re-created, migrated,
then filled with COPY into bare tables (secondary indexes, unique and foreign keys are
dropped first and rebuilt after the load) and VACUUM ANALYZEd. Every bench user's password
is ``bench-pass-1``.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCALES = {
    "S": (1_000, 100),
    "M": (10_000, 1_000),
    "L": (100_000, 10_000),
    "XL": (1_000_000, 100_000),  # a city-wide year: 38 districts' worth
}
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2024, 6, 28)
PASSWORD = "bench-pass-1"  # noqa: S105 — synthetic benchmark accounts only
N_DEPARTMENTS = 100


def database_url(base: str, scale: str, name: str | None = None) -> str:
    name = name or f"wulong_bench_{scale.lower()}"
    return urlunparse(urlparse(base)._replace(path=f"/{name}"))


def recreate(base: str, name: str) -> None:
    import psycopg

    admin = urlunparse(urlparse(base)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


# Values for NOT NULL columns without a default that a COPY below does not name (columns
# added by later migrations: ``updated_at`` …), by PostgreSQL type.
FILL = {
    "timestamp with time zone": lambda: at(TODAY),
    "date": lambda: TODAY,
    "boolean": lambda: False,
    "text": lambda: "",
    "character varying": lambda: "",
    "integer": lambda: 0,
    "smallint": lambda: 0,
    "bigint": lambda: 0,
    "numeric": lambda: 0,
    "jsonb": lambda: _empty_json(),
}


def _empty_json():
    from psycopg.types.json import Jsonb

    return Jsonb([])


def _unnamed_required(conn, table: str, columns: list[str]) -> list[tuple[str, object]]:
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s"
        " AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    ).fetchall()
    return [(name, FILL[kind]()) for name, kind in rows if name not in columns]


def copy(conn, table: str, columns: list[str], rows) -> int:
    count = 0
    extra = _unnamed_required(conn, table, columns)
    if extra:
        columns = [*columns, *(name for name, _ in extra)]
        values = tuple(value for _, value in extra)
        rows = (tuple(row) + values for row in rows)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)
            count += 1
    return count


def generate(conn, n_tasks: int, n_projects: int) -> dict:  # noqa: C901 — one linear script
    from django.contrib.auth.hashers import make_password

    rng = random.Random(20240628)  # noqa: S311 — deterministic synthetic data
    counts = {}
    now = at(TODAY)
    departments = list(range(1, N_DEPARTMENTS + 2))  # +1: the supervision office (id 1)
    counts["departments"] = copy(
        conn,
        "accounts_department",
        [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "is_active",
            "source_ref",
            "assumed",
            "email_mode",
        ],
        (
            (
                i,
                "DCB" if i == 1 else f"D{i:03d}",
                "区政府督查办" if i == 1 else f"基准单位{i:03d}",
                "督查办" if i == 1 else f"单位{i:03d}",
                "district",
                True,
                "",
                False,
                "immediate",
            )
            for i in departments
        ),
    )
    password = make_password(PASSWORD)
    users = [
        (1, "bench_sup", "supervisor", 1),
        (2, "bench_leader", "leader", None),
        (3, "bench_viewer", "viewer", None),
    ]
    users += [(3 + d, f"bench_owner_{d:03d}", "owner", d) for d in departments[1:]]
    counts["users"] = copy(
        conn,
        "accounts_user",
        [
            "id",
            "password",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "display_name",
            "phone",
            "department_id",
            "role",
        ],
        (
            (uid, password, False, name, "", "", "", False, True, now, name, "", dept, role)
            for uid, name, role, dept in users
        ),
    )
    owner_of = {dept: uid for uid, _, role, dept in users if role == "owner"}

    categories = ["district"] * 6 + ["municipal"] * 3 + ["key_work", "livelihood"]
    stages = ["preliminary", "new_start", "under_construction", "under_construction", "completed"]
    projects = []
    for pid in range(1, n_projects + 1):
        year = rng.choice([2020, 2021, 2022, 2023, 2024, 2024, 2024])
        plan = rng.randrange(500, 50_000) * 10
        projects.append((pid, year, plan, rng.choice(departments[1:])))
    counts["projects"] = copy(
        conn,
        "projects_project",
        [
            "id",
            "code",
            "name",
            "category",
            "year",
            "stage",
            "lead_department_id",
            "location",
            "industry_chain",
            "total_investment",
            "annual_plan_investment",
            "target_text",
            "description",
            "source_ref",
            "assumed",
            "is_archived",
            "created_at",
            "updated_at",
        ],
        (
            (
                pid,
                f"BP-{pid:05d}",
                f"基准项目{pid:05d}",
                rng.choice(categories),
                year,
                rng.choice(stages),
                dept,
                "",
                "",
                plan * 3,
                plan,
                f"年度完成投资{plan}万元",
                "",
                "",
                False,
                False,
                now,
                now,
            )
            for pid, year, plan, dept in projects
        ),
    )

    def milestones():
        mid = 0
        for pid, year, _, _ in projects:
            for seq in range(1, 13):
                mid += 1
                due = dt.date(year, seq, 28)
                done = due if due < TODAY and rng.random() < 0.8 else None
                yield (mid, pid, f"第{seq}节点", due, done, seq, "", "")

    counts["milestones"] = copy(
        conn,
        "projects_milestone",
        ["id", "project_id", "name", "due_date", "completed_on", "sequence", "note", "source_ref"],
        milestones(),
    )

    def reports():
        rid = 0
        for pid, year, plan, dept in projects:
            month = dt.date(max(year, 2020), 1, 1)
            while month < TODAY.replace(day=1):
                rid += 1
                amount = round(plan / 12 * rng.uniform(0.4, 1.4), 2)
                yield (
                    rid,
                    pid,
                    month,
                    amount,
                    "",
                    owner_of[dept],
                    at(month + dt.timedelta(days=35)),
                    at(month + dt.timedelta(days=35)),
                )
                month = (month + dt.timedelta(days=32)).replace(day=1)

    counts["investment_reports"] = copy(
        conn,
        "projects_investmentreport",
        [
            "id",
            "project_id",
            "period",
            "amount",
            "note",
            "reported_by_id",
            "reported_at",
            "updated_at",
        ],
        reports(),
    )

    domains = [
        "party",
        "economy",
        "safety",
        "reform",
        "innovation",
        "ecology",
        "culture",
        "livelihood",
    ]
    statuses = ["assigned"] * 1 + ["in_progress"] * 5 + ["submitted"] * 1 + ["closed"] * 3
    tasks = []
    for tid in range(1, n_tasks + 1):
        status = rng.choice(statuses)
        # Five years of history: closed work lies in the past; open work is mostly due this
        # year, with a tail that is overdue (about 15 % of open tasks).
        if status == "closed":
            deadline = TODAY - dt.timedelta(days=rng.randint(0, 4 * 365))
        else:
            deadline = TODAY + dt.timedelta(days=rng.randint(-30, 180))
        assigned = at(deadline - dt.timedelta(days=rng.randint(60, 300)))
        accepted = assigned + dt.timedelta(days=2) if status != "assigned" else None
        closed = (
            (assigned + dt.timedelta(days=rng.randint(30, 320))) if status == "closed" else None
        )
        tasks.append(
            (tid, status, deadline, rng.choice(departments[1:]), assigned, accepted, closed)
        )
    words = ["招商引资", "乡村振兴", "生态修复", "旅游提质", "城市更新", "民生保障", "数字化改革"]
    counts["tasks"] = copy(
        conn,
        "supervision_task",
        [
            "id",
            "code",
            "title",
            "content",
            "source",
            "source_ref",
            "domain",
            "lead_department_id",
            "deadline",
            "report_frequency",
            "priority",
            "target_metric",
            "target_unit",
            "status",
            "assumed",
            "created_at",
            "updated_at",
            "assigned_at",
            "accepted_at",
            "submitted_at",
            "closed_at",
            "created_by_id",
            "project_id",
        ],
        (
            (
                tid,
                f"BT-{tid:06d}",
                f"{rng.choice(words)}事项{tid:06d}",
                "按期完成年度目标任务。",
                "work_report",
                "",
                rng.choice(domains),
                dept,
                deadline,
                rng.choice(["monthly", "monthly", "quarterly", "once"]),
                "normal",
                "",
                "",
                status,
                False,
                assigned,
                closed or accepted or assigned,
                assigned,
                accepted,
                closed - dt.timedelta(days=3) if closed else None,
                closed,
                1,
                rng.randint(1, n_projects) if rng.random() < 0.3 else None,
            )
            for tid, status, deadline, dept, assigned, accepted, closed in tasks
        ),
    )

    def events():
        eid = 0
        for tid, status, _, dept, assigned, accepted, closed in tasks:
            steps = [
                ("create", "", "draft", 1, assigned),
                ("assign", "draft", "assigned", 1, assigned),
            ]
            if accepted:
                steps.append(("accept", "assigned", "in_progress", owner_of[dept], accepted))
            if status in ("submitted", "closed"):
                steps.append(
                    (
                        "submit",
                        "in_progress",
                        "submitted",
                        owner_of[dept],
                        (closed or accepted + dt.timedelta(days=40)) - dt.timedelta(days=3),
                    )
                )
            if closed:
                steps.append(("close", "submitted", "closed", 1, closed))
            for action, before, after, actor, when in steps:
                eid += 1
                yield (eid, tid, actor, action, before, after, "", "{}", when)

    counts["events"] = copy(
        conn,
        "supervision_taskevent",
        [
            "id",
            "task_id",
            "actor_id",
            "action",
            "from_status",
            "to_status",
            "comment",
            "data",
            "created_at",
        ],
        events(),
    )

    def progress():
        pid = 0
        for tid, _, _, dept, _, accepted, _ in tasks:
            if not accepted:
                continue
            for k in range(rng.randint(0, 4)):
                pid += 1
                yield (
                    pid,
                    tid,
                    dept,
                    owner_of[dept],
                    "按计划推进，完成阶段目标。",
                    "",
                    "",
                    "",
                    min(100, 20 * (k + 1)),
                    None,
                    accepted + dt.timedelta(days=20 * (k + 1)),
                )

    counts["progress_reports"] = copy(
        conn,
        "supervision_progressreport",
        [
            "id",
            "task_id",
            "department_id",
            "author_id",
            "content",
            "problems",
            "coordination",
            "next_steps",
            "percent",
            "value",
            "created_at",
        ],
        progress(),
    )

    def reminders():
        rid = 0
        for tid, status, deadline, dept, _, _, _ in tasks:
            if status in ("closed",) or tid % 3:
                continue
            rid += 1
            level = "notice" if deadline < TODAY - dt.timedelta(days=10) else "warning"
            yield (
                rid,
                "deadline",
                level,
                tid,
                None,
                dept,
                deadline,
                now,
                now,
                json.dumps([owner_of[dept]]),
                now,
                None,
                None,
            )

    counts["reminders"] = copy(
        conn,
        "supervision_reminder",
        [
            "id",
            "kind",
            "level",
            "task_id",
            "milestone_id",
            "department_id",
            "deadline",
            "created_at",
            "deliver_after",
            "recipients",
            "sent_at",
            "acknowledged_at",
            "acknowledged_by_id",
        ],
        reminders(),
    )

    def nodes():
        # Quarterly nodes (25/50/75/100 % of the target) in the deadline's year, due around
        # each quarter's end; closed tasks did them all, open ones nine in ten of those past.
        nid = 0
        for tid, status, deadline, _, _, _, closed in tasks:
            for q in range(1, 5):
                nid += 1
                end = dt.date(deadline.year, 3 * q, 30 if q in (2, 3) else 31)
                due = end + dt.timedelta(days=rng.randint(-15, 5))
                done = status == "closed" or (due < TODAY and rng.random() < 0.9)
                finished = min(due, closed.date()) if closed else due
                yield (
                    nid,
                    tid,
                    q,
                    f"第{q}季度",
                    due,
                    25 * q,
                    "",
                    "done" if done else "approved",
                    finished if done else None,
                    25 * q if done else None,
                    "",
                    False,
                    now,
                    now,
                    None,
                )

    counts["nodes"] = copy(
        conn,
        "supervision_node",
        [
            "id",
            "task_id",
            "sequence",
            "title",
            "due_date",
            "target_value",
            "target_text",
            "status",
            "completed_on",
            "value",
            "note",
            "assumed",
            "created_at",
            "updated_at",
            "completed_by_id",
        ],
        nodes(),
    )
    # COPY wrote explicit ids: move every sequence past them.
    with conn.cursor() as cur:
        for table in LOADED:
            cur.execute(  # table names are this script's own constants
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return counts


def without_indexes(conn, tables: list[str]):
    """Drop the secondary indexes, unique and foreign keys of ``tables``; return the DDL that
    puts them back. COPY then writes bare heaps (no per-row index insert, no per-row foreign
    key check), and each index is built once, sorted, at the end."""
    with conn.cursor() as cur:
        constraints = cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype IN ('u', 'f') AND conrelid::regclass::text = ANY(%s)"
            " ORDER BY contype DESC",  # unique keys first: foreign keys may need them
            [tables],
        ).fetchall()
        indexes = cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid::regclass::text = ANY(%s) AND NOT indisprimary AND indexrelid NOT IN"
            " (SELECT conindid FROM pg_constraint WHERE contype IN ('u', 'p', 'x'))",
            [tables],
        ).fetchall()
        for table, name, _ in reversed(constraints):
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
    return [ddl for _, ddl in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}' for table, name, ddl in constraints
    ]


# Every table generate() fills.
LOADED = [
    "accounts_department",
    "accounts_user",
    "projects_project",
    "projects_milestone",
    "projects_investmentreport",
    "supervision_task",
    "supervision_taskevent",
    "supervision_progressreport",
    "supervision_reminder",
    "supervision_node",
]

SEARCH_ROWS = ["supervision_task_search", "projects_project_search"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--database", help="database name (default wulong_bench_<scale>)")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server; the bench database is created there.")
    url = database_url(base, args.scale, args.database)
    recreate(base, urlparse(url).path.lstrip("/"))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    n_tasks, n_projects = SCALES[args.scale]
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        # The cockpit's figure triggers stand aside for the COPYs; rebuilt once after.
        conn.execute("SET supervision.bulk_load = 'on'")
        # The search rows (supervision/0020) are written by their triggers during the COPYs;
        # their GIN indexes are built once after, as the loaded tables' are.
        restore = without_indexes(conn, [*LOADED, *SEARCH_ROWS])
        counts = generate(conn, n_tasks, n_projects)
        loaded = time.perf_counter()
        for ddl in restore:
            conn.execute(ddl)
        conn.commit()
    indexed = time.perf_counter()
    call_command("rebuild_figures", verbosity=0)  # supervision.scorecards.summaries
    figured = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # hint bits and the visibility map set once, here
    done = time.perf_counter()
    print(f"{url}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(
        f"COPY {loaded - started:.0f} s, indexes and keys {indexed - loaded:.0f} s,"
        f" figures {figured - indexed:.0f} s, VACUUM ANALYZE {done - figured:.0f} s:"
        f" {done - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
