"""Task and project figures (0019): the rows, their PostgreSQL and SQLite triggers."""

# ruff: noqa: S608 — every statement here is built from constants, no input.

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


# The row whose lock guards each figure table's rows: a task's, a project's.
LOCKED = {
    "supervision_taskfigure": "supervision_task",
    "supervision_projectfigure": "projects_project",
}


def lock(table: str, verb: str = "PERFORM", ids: str = "ids") -> str:
    """Lock the source rows of ``ids`` (in id order) before a refresh deletes and recomputes
    their figure rows: a concurrent writer of the same rows waits for this one's commit, then
    its DELETE and INSERT (each a new snapshot in READ COMMITTED) see the committed rows —
    without it the second INSERT met the first's row (duplicate key, a 500). A row lock (FOR
    NO KEY UPDATE: foreign-key checks, FOR KEY SHARE, pass) is kept in the row itself, so a
    statement writing 100,000 rows cannot run out of the lock table as one advisory lock per
    id did ("out of shared memory")."""
    return (
        f"{verb} 1 FROM {LOCKED.get(table, table)} WHERE id = ANY({ids}) "
        "ORDER BY id FOR NO KEY UPDATE;"
    )


def _postgresql() -> list[str]:
    task, project = _task_select("postgresql"), _project_select("postgresql")
    return [
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_task_figures(ids bigint[])
        RETURNS void LANGUAGE sql AS $$
          {lock("supervision_taskfigure", "SELECT")}
          DELETE FROM supervision_taskfigure WHERE task_id = ANY(ids);
          INSERT INTO supervision_taskfigure ({TASK_COLUMNS}) {task} WHERE t.id = ANY(ids);
        $$""",
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_project_figures(ids bigint[])
        RETURNS void LANGUAGE sql AS $$
          {lock("supervision_projectfigure", "SELECT")}
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


def _run(connection, postgresql, sqlite) -> None:
    """Execute the statements ``postgresql()`` or ``sqlite()`` builds for ``connection``."""
    statements = postgresql() if connection.vendor == "postgresql" else sqlite()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
