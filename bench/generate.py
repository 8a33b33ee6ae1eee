"""Deterministic synthetic data at four scales, into a scratch PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/generate.py L

Scales (tasks / projects): S 1,000 / 100; M 10,000 / 1,000; L 100,000 / 10,000; XL (a
city-wide year) 1,000,000 / 100,000 — with 12 milestones per project, monthly investment
reports from each project's start to mid-2024 (five years of history at most), about four
events and two progress reports per task, four quarterly nodes per task and a reminder for
one task in three. The database ``wulong_bench_<scale>`` is dropped and re-created, migrated,
then filled into bare tables (secondary indexes, unique and foreign keys are dropped first
and rebuilt after the load) and VACUUM ANALYZEd. The rows are computed by the database
(``INSERT … SELECT`` over ``generate_series``, pseudo-random values hashed from each row's
id), so nothing per row passes through Python: XL is a few minutes of PostgreSQL's time.
Every bench user's password is ``bench-pass-1``.
"""

import argparse
import datetime as dt
import os
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


# Values for NOT NULL columns without a default that a load below does not name (columns
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


# Pseudo-random numbers computed by the database: ``u(key, salt)`` is uniform on [0, 1) and a
# function of its arguments alone (PostgreSQL's 64-bit hash of the row's id), so every run
# writes the same rows and no row crosses the wire. ``pick(key, salt, lo, hi)`` is an integer
# in [lo, hi], ``at(day)`` 10:00 local time on ``day`` and ``z(n, w)`` n zero-padded to w digits.
RANDOM_SQL = """
CREATE FUNCTION pg_temp.u(k bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT (hashint8extended(k, salt) & 9007199254740991)::float8 / 9007199254740992 $$;
CREATE FUNCTION pg_temp.pick(k bigint, salt int, lo int, hi int) RETURNS int
LANGUAGE sql IMMUTABLE AS $$ SELECT lo + floor(pg_temp.u(k, salt) * (hi - lo + 1))::int $$;
CREATE FUNCTION pg_temp.at(d date) RETURNS timestamptz LANGUAGE sql IMMUTABLE AS
$$ SELECT (d + time '10:00') AT TIME ZONE 'Asia/Shanghai' $$;
CREATE FUNCTION pg_temp.z(n bigint, w int) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT lpad(n::text, greatest(w, length(n::text)), '0') $$;
"""


STEPS: dict[str, float] = {}  # seconds per table, printed at the end


def backend_cpu(conn) -> float:
    """CPU seconds (user + system) of ``conn``'s PostgreSQL backend so far (same machine)."""
    fields = Path(f"/proc/{conn.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def insert(conn, table: str, columns: list[str], select: str, params: dict) -> int:
    """``INSERT INTO table (columns) SELECT …``: the rows are computed in the database."""
    extra = _unnamed_required(conn, table, columns)
    names = [*columns, *(name for name, _ in extra)]
    values = "".join(f", %(fill_{name})s" for name, _ in extra)
    params = {**params, **{f"fill_{name}": value for name, value in extra}}
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({', '.join(names)}) SELECT q.*{values} FROM ({select}) q",  # noqa: S608
            params,
        )
        STEPS[table] = time.perf_counter() - started
        return cur.rowcount


def generate(conn, n_tasks: int, n_projects: int) -> dict:
    """Fill the tables (the recipe of each is in its statement); return the rows written."""
    from django.contrib.auth.hashers import make_password

    conn.execute(RANDOM_SQL)
    counts = {}
    now = at(TODAY)
    p = {
        "today": TODAY,
        "now": now,
        "projects": n_projects,
        "tasks": n_tasks,
        # Months of investment reports: from January of the start year to the month before
        # TODAY's.
        "month0": TODAY.month - 1,
    }
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
    # The owner of department d is user 3 + d (OWNER below).
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

    # Projects: start year 2020–2024 (2024 three times in seven), an annual plan of
    # 5,000–499,990 (×10), a lead department other than the office.
    counts["projects"] = insert(
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
        """SELECT id, 'BP-' || pg_temp.z(id, 5), '基准项目' || pg_temp.z(id, 5),
          (ARRAY['district', 'district', 'district', 'district', 'district', 'district',
                 'municipal', 'municipal', 'municipal', 'key_work', 'livelihood']
          )[pg_temp.pick(id, 1, 1, 11)],
          year,
          (ARRAY['preliminary', 'new_start', 'under_construction', 'under_construction',
                 'completed'])[pg_temp.pick(id, 2, 1, 5)],
          dept, '', '', plan * 3, plan, '年度完成投资' || plan || '万元', '', '', FALSE, FALSE,
          %(now)s, %(now)s
        FROM (SELECT id, (ARRAY[2020, 2021, 2022, 2023, 2024, 2024, 2024])[pg_temp.pick(id, 3, 1, 7)]
                AS year, pg_temp.pick(id, 4, 500, 49999) * 10 AS plan,
                pg_temp.pick(id, 5, 2, 101) AS dept
              FROM generate_series(1, %(projects)s::int) id) x""",
        p,
    )

    # Twelve milestones a project, due on the 28th of each month of its start year; four in
    # five of those past were completed on the day.
    counts["milestones"] = insert(
        conn,
        "projects_milestone",
        ["id", "project_id", "name", "due_date", "completed_on", "sequence", "note", "source_ref"],
        """SELECT id, project_id, '第' || seq || '节点', due,
          CASE WHEN due < %(today)s AND pg_temp.u(id, 6) < 0.8 THEN due END, seq, '', ''
        FROM (SELECT (p.id - 1) * 12 + seq AS id, p.id AS project_id, seq,
                make_date(p.year, seq, 28) AS due
              FROM projects_project p CROSS JOIN generate_series(1, 12) seq) x""",
        p,
    )

    # Monthly investment reports from January of the start year (2020 at the earliest) to
    # the month before TODAY's, 0.4–1.4 × a twelfth of the annual plan, reported by the lead
    # department's owner 35 days after the month began.
    counts["investment_reports"] = insert(
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
        """SELECT p.off + k + 1, p.id, m.period,
          round(p.annual_plan_investment / 12 * (0.4 + pg_temp.u(p.off + k + 1, 7))::numeric, 2),
          '', 3 + p.lead_department_id, pg_temp.at(m.period + 35), pg_temp.at(m.period + 35)
        FROM (SELECT *, sum(n) OVER (ORDER BY id) - n AS off
              FROM (SELECT id, year, annual_plan_investment, lead_department_id,
                      (extract(year FROM %(today)s::date)::int - greatest(year, 2020)) * 12
                      + %(month0)s AS n
                    FROM projects_project) y) p
        CROSS JOIN LATERAL generate_series(0, p.n - 1) k
        CROSS JOIN LATERAL (SELECT (make_date(greatest(p.year, 2020), 1, 1)
                                    + make_interval(months => k))::date AS period) m""",
        p,
    )

    # Tasks: one in ten assigned, five in progress, one submitted, three closed. Closed work
    # was due in the last four years; open work from 30 days ago to 180 days ahead. Assigned
    # 60–300 days before the deadline, signed for two days later, closed 30–320 days after
    # assignment; three in ten belong to a project.
    counts["tasks"] = insert(
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
        """SELECT id, 'BT-' || pg_temp.z(id, 6),
          (ARRAY['招商引资', '乡村振兴', '生态修复', '旅游提质', '城市更新', '民生保障',
                 '数字化改革'])[pg_temp.pick(id, 10, 1, 7)] || '事项' || pg_temp.z(id, 6),
          '按期完成年度目标任务。', 'work_report', '',
          (ARRAY['party', 'economy', 'safety', 'reform', 'innovation', 'ecology', 'culture',
                 'livelihood'])[pg_temp.pick(id, 11, 1, 8)],
          dept, deadline,
          (ARRAY['monthly', 'monthly', 'quarterly', 'once'])[pg_temp.pick(id, 12, 1, 4)],
          'normal', '', '', status, FALSE,
          pg_temp.at(assigned), COALESCE(pg_temp.at(closed), accepted, pg_temp.at(assigned)),
          pg_temp.at(assigned), accepted, pg_temp.at(closed - 3), pg_temp.at(closed), 1,
          CASE WHEN pg_temp.u(id, 13) < 0.3 THEN pg_temp.pick(id, 14, 1, %(projects)s) END
        FROM (SELECT *,
                CASE WHEN status <> 'assigned' THEN pg_temp.at(assigned + 2) END AS accepted,
                CASE WHEN status = 'closed' THEN assigned + pg_temp.pick(id, 19, 30, 320) END
                  AS closed
              FROM (SELECT *, deadline - pg_temp.pick(id, 17, 60, 300) AS assigned
                    FROM (SELECT *, CASE WHEN status = 'closed'
                              THEN %(today)s::date - pg_temp.pick(id, 18, 0, 4 * 365)
                              ELSE %(today)s::date + pg_temp.pick(id, 18, -30, 180) END AS deadline
                          FROM (SELECT id, (ARRAY['assigned', 'in_progress', 'in_progress',
                                  'in_progress', 'in_progress', 'in_progress', 'submitted',
                                  'closed', 'closed', 'closed'])[pg_temp.pick(id, 15, 1, 10)]
                                  AS status,
                                  pg_temp.pick(id, 16, 2, 101) AS dept
                                FROM generate_series(1, %(tasks)s::int) id) a) b) c) d""",
        p,
    )

    # A task's history: created and assigned by the office, signed for, submitted and
    # closed as far as its status goes (numbered in task order, five at most a task).
    counts["events"] = insert(
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
        """SELECT t.off + s.n, t.id, s.actor, s.action, s.before, s.after, '', '{}'::jsonb, s.at
        FROM (SELECT *, sum(steps) OVER (ORDER BY id) - steps AS off
              FROM (SELECT id, status, 3 + lead_department_id AS owner, assigned_at,
                      accepted_at, closed_at,
                      2 + (accepted_at IS NOT NULL)::int
                      + (status IN ('submitted', 'closed'))::int + (closed_at IS NOT NULL)::int
                      AS steps
                    FROM supervision_task) y) t
        CROSS JOIN LATERAL (VALUES
          (1, TRUE, 'create', '', 'draft', 1::bigint, t.assigned_at),
          (2, TRUE, 'assign', 'draft', 'assigned', 1, t.assigned_at),
          (3, t.accepted_at IS NOT NULL, 'accept', 'assigned', 'in_progress', t.owner,
           t.accepted_at),
          (4, t.status IN ('submitted', 'closed'), 'submit', 'in_progress', 'submitted',
           t.owner, COALESCE(t.closed_at, t.accepted_at + interval '40 days')
                    - interval '3 days'),
          (5, t.closed_at IS NOT NULL, 'close', 'submitted', 'closed', 1, t.closed_at)
        ) s(n, happened, action, before, after, actor, at)
        WHERE s.happened""",
        p,
    )

    # Progress reports: 0–4 per task signed for, every 20 days after signing, 20 % more each.
    counts["progress_reports"] = insert(
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
        """SELECT t.off + k + 1, t.id, t.dept, 3 + t.dept, '按计划推进，完成阶段目标。', '', '', '',
          least(100, 20 * (k + 1)), NULL::numeric, t.accepted_at + (k + 1) * interval '20 days'
        FROM (SELECT *, sum(n) OVER (ORDER BY id) - n AS off
              FROM (SELECT id, lead_department_id AS dept, accepted_at,
                      pg_temp.pick(id, 20, 0, 4) AS n
                    FROM supervision_task WHERE accepted_at IS NOT NULL) y) t
        CROSS JOIN LATERAL generate_series(0, t.n - 1) k""",
        p,
    )

    # A delivered deadline reminder for one open task in three.
    counts["reminders"] = insert(
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
        """SELECT row_number() OVER (ORDER BY id), 'deadline',
          CASE WHEN deadline < %(today)s::date - 10 THEN 'notice' ELSE 'warning' END,
          id, NULL::bigint, lead_department_id, deadline, %(now)s, %(now)s,
          jsonb_build_array(3 + lead_department_id), %(now)s, NULL::timestamptz, NULL::bigint
        FROM supervision_task WHERE status <> 'closed' AND id %% 3 = 0""",
        p,
    )

    # Quarterly nodes (25/50/75/100 % of the target) in the deadline's year, due around each
    # quarter's end (-15 … +5 days); closed tasks did them all, open ones nine in ten of
    # those past.
    counts["nodes"] = insert(
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
        """SELECT id, task_id, q, '第' || q || '季度', due, 25 * q, '',
          CASE WHEN done THEN 'done' ELSE 'approved' END,
          CASE WHEN done THEN least(due, closed) END, CASE WHEN done THEN 25 * q END, '', FALSE,
          %(now)s, %(now)s, NULL::bigint
        FROM (SELECT *, closed IS NOT NULL OR (due < %(today)s AND pg_temp.u(id, 22) < 0.9) AS done
              FROM (SELECT (t.id - 1) * 4 + q AS id, t.id AS task_id, q,
                      (t.closed_at AT TIME ZONE 'Asia/Shanghai')::date AS closed,
                      make_date(extract(year FROM t.deadline)::int, 3 * q,
                                CASE WHEN q IN (2, 3) THEN 30 ELSE 31 END)
                      + pg_temp.pick((t.id - 1) * 4 + q, 21, -15, 5) AS due
                    FROM supervision_task t CROSS JOIN generate_series(1, 4) q) y) x""",
        p,
    )
    # Explicit ids: move every sequence past them.
    with conn.cursor() as cur:
        for table in LOADED:
            cur.execute(  # table names are this script's own constants
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return counts


def without_indexes(conn, tables: list[str]):
    """Drop the secondary indexes, unique and foreign keys of ``tables``; return the DDL that
    puts them back. The load then writes bare heaps (no per-row index insert, no per-row foreign
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

    from supervision.scorecards.summaries import PG_TRIGGERS

    call_command("migrate", verbosity=0)
    n_tasks, n_projects = SCALES[args.scale]
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        # The cockpit's figure triggers stand aside for the load; rebuilt once after.
        conn.execute("SET supervision.bulk_load = 'on'")
        conn.execute("SET work_mem = '256MB'")  # the window sums that number the rows
        # Their row triggers are not even called (each would return at once, per row).
        for name, table, *_ in PG_TRIGGERS:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        # The search rows (supervision/0020) are written by their triggers during the load;
        # their GIN indexes are built once after, as the loaded tables' are.
        restore = without_indexes(conn, [*LOADED, *SEARCH_ROWS])
        counts = generate(conn, n_tasks, n_projects)
        loaded, cpu_loaded = time.perf_counter(), backend_cpu(conn)
        for ddl in restore:
            conn.execute(ddl)
        for name, table, *_ in PG_TRIGGERS:
            conn.execute(f"ALTER TABLE {table} ENABLE TRIGGER {name}")
        conn.commit()
        cpu_indexed = backend_cpu(conn)
    indexed = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        # Statistics first: the figures' correlated subqueries need the node and milestone
        # indexes, which a planner that knows nothing of the tables does not pick (151 s at L).
        conn.execute("ANALYZE")
    call_command("rebuild_figures", verbosity=0)  # supervision.scorecards.summaries
    figured = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # hint bits and the visibility map set once, here
    done = time.perf_counter()
    print(f"{url}: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print("seconds per table: " + ", ".join(f"{k} {v:.1f}" for k, v in STEPS.items()))
    print(
        f"backend CPU: rows {cpu_loaded:.0f} s, indexes and keys {cpu_indexed - cpu_loaded:.0f} s"
        f" (parallel index workers not counted); load average {os.getloadavg()}"
    )
    print(
        f"rows {loaded - started:.0f} s, indexes and keys {indexed - loaded:.0f} s,"
        f" figures {figured - indexed:.0f} s, VACUUM ANALYZE {done - figured:.0f} s:"
        f" {done - started:.0f} s in all"
    )


if __name__ == "__main__":
    main()
