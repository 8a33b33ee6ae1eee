"""Per-task and per-project figures kept up to date by database triggers (issue 18).

The cockpit's counts (tasks by status and light, projects by light, investment) were
aggregated from 100,000 tasks with their nodes and 10,000 projects with their reports and
milestones on every fresh request. ``TaskFigure`` and ``ProjectFigure`` hold what does not
depend on the day — a task's ``first_due`` (its deadline or an approved node's due date,
whichever comes first) and a project's investment of its year and earliest open milestone —
so the day's lights are a range count over an index.

Triggers (PostgreSQL and SQLite alike) recompute the rows a write touches, in the writing
statement itself: every path that writes — the services, the admin, bulk updates, raw SQL,
imports — keeps them exact, and Django sees no extra query. A row is recomputed from its
sources (never adjusted by a delta), so a figure cannot drift. ``rebuild`` recomputes every
row (``manage.py rebuild_figures``) after a load that bypassed the triggers:
``bench/generate.py`` sets ``supervision.bulk_load`` to ``on`` for its COPYs (PostgreSQL),
which the triggers honour, then rebuilds.
"""

# ruff: noqa: S608 — every statement here is built from this module's constants, no input.

from django.db import connection as default_connection

OPEN = "('draft', 'assigned', 'in_progress', 'submitted')"

# One task's (or every task's) row: the same rules as ``supervision.loop.progress``.
TASK_SELECT = f"""
SELECT t.id, t.lead_department_id, t.status,
  CASE WHEN t.status IN {OPEN} THEN {{least}}(t.deadline, COALESCE(
    (SELECT MIN(n.due_date) FROM supervision_node n
     WHERE n.task_id = t.id AND n.status = 'approved'), t.deadline)) END,
  CASE WHEN t.status IN {OPEN} AND t.target_comparison = 'at_least' AND t.target_value > 0
    THEN {{true}} ELSE {{false}} END
FROM supervision_task t"""
TASK_COLUMNS = "task_id, lead_department_id, status, first_due, measurable"

# One project's (or every project's) row: as ``ProjectQuerySet.with_figures``.
PROJECT_SELECT = """
SELECT p.id,
  COALESCE((SELECT SUM(r.amount) FROM projects_investmentreport r
            WHERE r.project_id = p.id AND {report_year} = p.year), 0),
  (SELECT MIN(m.due_date) FROM projects_milestone m
   WHERE m.project_id = p.id AND m.completed_on IS NULL)
FROM projects_project p"""
PROJECT_COLUMNS = "project_id, completed, next_milestone_due"

DIALECT = {
    "postgresql": {
        "least": "LEAST",
        "true": "TRUE",
        "false": "FALSE",
        "report_year": "EXTRACT(YEAR FROM r.period)",
    },
    "sqlite": {
        "least": "MIN",
        "true": "1",
        "false": "0",
        "report_year": "CAST(strftime('%Y', r.period) AS INTEGER)",
    },
}


def _task_select(vendor: str) -> str:
    return TASK_SELECT.format(**DIALECT[vendor])


def _project_select(vendor: str) -> str:
    return PROJECT_SELECT.format(**DIALECT[vendor])


def _postgresql() -> list[str]:
    task, project = _task_select("postgresql"), _project_select("postgresql")
    return [
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_task_figures(ids bigint[])
        RETURNS void LANGUAGE sql AS $$
          DELETE FROM supervision_taskfigure WHERE task_id = ANY(ids);
          INSERT INTO supervision_taskfigure ({TASK_COLUMNS}) {task} WHERE t.id = ANY(ids);
        $$""",
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_project_figures(ids bigint[])
        RETURNS void LANGUAGE sql AS $$
          DELETE FROM supervision_projectfigure WHERE project_id = ANY(ids);
          INSERT INTO supervision_projectfigure ({PROJECT_COLUMNS}) {project}
          WHERE p.id = ANY(ids);
        $$""",
        # One trigger function per kind of source row: ``TG_ARGV[0]`` names the column that
        # points at the task or project whose figures the row feeds.
        """CREATE OR REPLACE FUNCTION supervision_figures_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          ids bigint[];
        BEGIN
          IF current_setting('supervision.bulk_load', true) = 'on' THEN
            RETURN NULL;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            ids := ids || (to_jsonb(OLD) ->> TG_ARGV[0])::bigint;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            ids := ids || (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
          END IF;
          IF TG_ARGV[1] = 'task' THEN
            PERFORM supervision_refresh_task_figures(ids);
          ELSE
            PERFORM supervision_refresh_project_figures(ids);
          END IF;
          RETURN NULL;
        END $$""",
        *(
            f"""CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {columns}
            ON {table} FOR EACH ROW EXECUTE FUNCTION supervision_figures_trigger({args})"""
            for name, table, columns, args in PG_TRIGGERS
        ),
    ]


PG_TRIGGERS = [
    (
        "supervision_task_figures",
        "supervision_task",
        "status, deadline, lead_department_id, target_comparison, target_value",
        "'id', 'task'",
    ),
    (
        "supervision_node_figures",
        "supervision_node",
        "status, due_date, task_id",
        "'task_id', 'task'",
    ),
    ("supervision_project_figures", "projects_project", "year", "'id', 'project'"),
    (
        "supervision_report_figures",
        "projects_investmentreport",
        "amount, period, project_id",
        "'project_id', 'project'",
    ),
    (
        "supervision_milestone_figures",
        "projects_milestone",
        "due_date, completed_on, project_id",
        "'project_id', 'project'",
    ),
]

# SQLite: one trigger per (table, operation); each statement recomputes one row.
SQLITE_SOURCES = [
    # (table, watched columns, key column, figures)
    (
        "supervision_task",
        "status, deadline, lead_department_id, target_comparison, target_value",
        "id",
        "task",
    ),
    ("supervision_node", "status, due_date, task_id", "task_id", "task"),
    ("projects_project", "year", "id", "project"),
    ("projects_investmentreport", "amount, period, project_id", "project_id", "project"),
    ("projects_milestone", "due_date, completed_on, project_id", "project_id", "project"),
]


def _sqlite_refresh(figures: str, key: str) -> str:
    if figures == "task":
        table, column, select, alias = "taskfigure", "task_id", _task_select("sqlite"), "t"
        columns = TASK_COLUMNS
    else:
        table, column, select, alias = "projectfigure", "project_id", _project_select("sqlite"), "p"
        columns = PROJECT_COLUMNS
    return (
        f"DELETE FROM supervision_{table} WHERE {column} = {key}; "
        f"INSERT INTO supervision_{table} ({columns}) {select} WHERE {alias}.id = {key};"
    )


def _sqlite() -> list[str]:
    statements = []
    for table, columns, key, figures in SQLITE_SOURCES:
        name = f"{table}_figures"
        statements += [
            f"CREATE TRIGGER {name}_ins AFTER INSERT ON {table} BEGIN "
            f"{_sqlite_refresh(figures, f'NEW.{key}')} END",
            f"CREATE TRIGGER {name}_del AFTER DELETE ON {table} BEGIN "
            f"{_sqlite_refresh(figures, f'OLD.{key}')} END",
            f"CREATE TRIGGER {name}_upd AFTER UPDATE OF {columns} ON {table} BEGIN "
            f"{_sqlite_refresh(figures, f'OLD.{key}')} "
            f"{_sqlite_refresh(figures, f'NEW.{key}')} END",
        ]
    return statements


def create_triggers(connection) -> None:
    statements = _postgresql() if connection.vendor == "postgresql" else _sqlite()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, table, *_ in PG_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            for function in (
                "supervision_figures_trigger()",
                "supervision_refresh_task_figures(bigint[])",
                "supervision_refresh_project_figures(bigint[])",
            ):
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        else:
            for table, *_ in SQLITE_SOURCES:
                for op in ("ins", "del", "upd"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_figures_{op}")


def rebuild(connection=None) -> None:
    """Recompute every task's and project's figures from their sources, and the tallies
    from the task figures (one transaction)."""
    from django.db import transaction

    connection = connection or default_connection
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # 0019 rebuilds before the tallies' table exists (0021).
        tallies = TALLY_TABLE in connection.introspection.table_names(cursor)
        cursor.execute("DELETE FROM supervision_taskfigure")
        cursor.execute(
            f"INSERT INTO supervision_taskfigure ({TASK_COLUMNS}) {_task_select(vendor)}"
        )
        cursor.execute("DELETE FROM supervision_projectfigure")
        cursor.execute(
            f"INSERT INTO supervision_projectfigure ({PROJECT_COLUMNS}) {_project_select(vendor)}"
        )
        if tallies:
            _recount(cursor)
        if vendor == "postgresql":
            cursor.execute(
                "ANALYZE supervision_taskfigure, supervision_projectfigure"
                + (f", {TALLY_TABLE}" if tallies else "")
            )


# --- tallies (0021): counts of task figures per lead unit, status, first_due, measurable ----

TALLY_TABLE = "supervision_tasktally"
TALLY_KEY = "lead_department_id, status, first_due, measurable"
TALLY_MATCH = (
    "lead_department_id = {d} AND status = {s} AND first_due IS NOT DISTINCT FROM {f} "
    "AND measurable = {m}"
)


def _recount(cursor) -> None:
    cursor.execute(f"DELETE FROM {TALLY_TABLE}")
    cursor.execute(
        f"INSERT INTO {TALLY_TABLE} ({TALLY_KEY}, n) SELECT {TALLY_KEY}, COUNT(*) "
        f"FROM supervision_taskfigure GROUP BY {TALLY_KEY}"
    )


def recount_tallies(connection) -> None:
    """Every ``TaskTally`` group counted afresh from the task figures."""
    with connection.cursor() as cursor:
        _recount(cursor)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {TALLY_TABLE}")


def _postgresql_tallies() -> list[str]:
    """``TaskTally`` on PostgreSQL: the task figures' refresh (0019's, replaced) applies the
    net change per group, groups in key order, so a write that leaves a task in its group
    touches no tally row and two writers take the rows they share in one order."""
    task = _task_select("postgresql")
    match = TALLY_MATCH.format(d="dept", s="st", f="due", m="meas")
    return [
        f"""CREATE OR REPLACE FUNCTION supervision_tally_add(
          dept bigint, st varchar, due date, meas boolean, delta integer)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
          LOOP
            UPDATE {TALLY_TABLE} SET n = n + delta WHERE {match};
            IF FOUND THEN
              DELETE FROM {TALLY_TABLE} WHERE {match} AND n = 0;
              RETURN;
            END IF;
            -- A missing group (a decrement never misses: the CHECK n >= 0 would refuse it).
            INSERT INTO {TALLY_TABLE} ({TALLY_KEY}, n) VALUES (dept, st, due, meas, delta)
              ON CONFLICT DO NOTHING;
            IF FOUND THEN
              RETURN;
            END IF;
          END LOOP;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_task_figures(ids bigint[])
        RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
          d bigint[]; s varchar[]; f date[]; m boolean[]; n integer[];
        BEGIN
          WITH old AS (
            DELETE FROM supervision_taskfigure WHERE task_id = ANY(ids)
            RETURNING {TALLY_KEY}, -1 AS delta
          ), new AS (
            SELECT {TALLY_KEY}, 1 AS delta FROM ({task} WHERE t.id = ANY(ids))
              AS x({TASK_COLUMNS})
          ), net AS (
            SELECT {TALLY_KEY}, SUM(delta) AS delta
            FROM (SELECT * FROM old UNION ALL SELECT * FROM new) AS both_
            GROUP BY {TALLY_KEY} HAVING SUM(delta) <> 0
          )
          SELECT array_agg(lead_department_id ORDER BY {TALLY_KEY}),
                 array_agg(status ORDER BY {TALLY_KEY}),
                 array_agg(first_due ORDER BY {TALLY_KEY}),
                 array_agg(measurable ORDER BY {TALLY_KEY}),
                 array_agg(delta ORDER BY {TALLY_KEY})
          INTO d, s, f, m, n FROM net;
          INSERT INTO supervision_taskfigure ({TASK_COLUMNS}) {task} WHERE t.id = ANY(ids);
          FOR i IN 1 .. coalesce(array_length(d, 1), 0) LOOP
            PERFORM supervision_tally_add(d[i], s[i], f[i], m[i], n[i]);
          END LOOP;
        END $$""",
    ]


def _postgresql_tallies_drop() -> list[str]:
    """Back to 0019's refresh (no tallies)."""
    refresh = _postgresql()[0]
    return [
        refresh,
        "DROP FUNCTION IF EXISTS supervision_tally_add(bigint, varchar, date, boolean, integer)",
    ]


def _sqlite_tallies() -> list[str]:
    """``TaskTally`` on SQLite (one writer at a time): ±1 per task figure row."""
    values = "{p}.lead_department_id, {p}.status, {p}.first_due, {p}.measurable"

    def match(p: str) -> str:
        return TALLY_MATCH.format(
            d=f"{p}.lead_department_id", s=f"{p}.status", f=f"{p}.first_due", m=f"{p}.measurable"
        ).replace("IS NOT DISTINCT FROM", "IS")

    return [
        f"CREATE TRIGGER supervision_tasktally_ins AFTER INSERT ON supervision_taskfigure BEGIN "
        f"INSERT INTO {TALLY_TABLE} ({TALLY_KEY}, n) SELECT {values.format(p='NEW')}, 0 "
        f"WHERE NOT EXISTS (SELECT 1 FROM {TALLY_TABLE} WHERE {match('NEW')}); "
        f"UPDATE {TALLY_TABLE} SET n = n + 1 WHERE {match('NEW')}; END",
        f"CREATE TRIGGER supervision_tasktally_del AFTER DELETE ON supervision_taskfigure BEGIN "
        f"UPDATE {TALLY_TABLE} SET n = n - 1 WHERE {match('OLD')}; "
        f"DELETE FROM {TALLY_TABLE} WHERE {match('OLD')} AND n = 0; END",
    ]


def create_tallies(connection) -> None:
    statements = _postgresql_tallies() if connection.vendor == "postgresql" else _sqlite_tallies()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_tallies(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _postgresql_tallies_drop():
                cursor.execute(statement)
        else:
            for op in ("ins", "del"):
                cursor.execute(f"DROP TRIGGER IF EXISTS supervision_tasktally_{op}")
