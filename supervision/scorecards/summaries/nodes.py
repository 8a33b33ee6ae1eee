"""``NodeFigure`` (0023): each counted phase node's due, judged and on-time days."""

# ruff: noqa: S608 — every statement here is built from constants, no input.

from supervision.scorecards.summaries.figures import _run, lock

NODE_TABLE = "supervision_nodefigure"
NODE_COLUMNS = "node_id, lead_department_id, domain, due_date, judged_on, met_on"
# As ``measures.nodes``: judged once past due, done, or its task closed (销号); on time when
# done, or its task closed, on or before the due date.
NODE_SELECT = """
SELECT n.id, t.lead_department_id, t.domain, n.due_date,
  {least}({next_day}, COALESCE({done_on}, {next_day}), COALESCE({closed_on}, {next_day})),
  CASE WHEN {done_ok} IS NULL THEN {closed_ok}
       WHEN {closed_ok} IS NULL OR {done_ok} < {closed_ok} THEN {done_ok}
       ELSE {closed_ok} END
FROM supervision_node n JOIN supervision_task t ON t.id = n.task_id
WHERE n.status IN ('approved', 'done') AND t.status NOT IN ('draft', 'cancelled')"""


def _node_select(vendor: str) -> str:
    from django.conf import settings

    if vendor == "postgresql":
        next_day = "n.due_date + 1"
        closed_day = f"(t.closed_at AT TIME ZONE '{settings.TIME_ZONE}')::date"
        least = "LEAST"
    else:  # SQLite stores UTC text; the zone's offset (Asia/Shanghai: +8 hours, no DST)
        import datetime as dt
        import zoneinfo

        offset = dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).utcoffset()
        next_day = "date(n.due_date, '+1 day')"
        closed_day = f"date(t.closed_at, '{int(offset.total_seconds())} seconds')"
        least = "MIN"
    parts = {
        "least": least,
        "next_day": next_day,
        "done_on": "CASE WHEN n.status = 'done' THEN n.completed_on END",
        "closed_on": f"CASE WHEN t.status = 'closed' THEN {closed_day} END",
        "done_ok": (
            "CASE WHEN n.status = 'done' AND n.completed_on <= n.due_date THEN n.completed_on END"
        ),
        "closed_ok": (
            f"CASE WHEN t.status = 'closed' AND {closed_day} <= n.due_date THEN {closed_day} END"
        ),
    }
    return NODE_SELECT.format(**parts)


# (table, the columns a node's figures read from it)
NODE_SOURCES = [
    ("supervision_node", "status, due_date, completed_on, task_id"),
    ("supervision_task", "status, closed_at, lead_department_id, domain"),
]


def _node_refresh(vendor: str, ids: str, by_task: bool) -> str:
    """Delete and recompute the figures of the nodes ``ids`` names (or of the tasks it
    names): a deleted node, gone from supervision_node, loses its figure by id."""
    if by_task:
        delete = (
            f"DELETE FROM {NODE_TABLE} WHERE node_id IN "
            f"(SELECT n.id FROM supervision_node n WHERE n.task_id {ids})"
        )
    else:
        delete = f"DELETE FROM {NODE_TABLE} WHERE node_id {ids}"
    match = f"n.task_id {ids}" if by_task else f"n.id {ids}"
    return (
        f"{delete}; INSERT INTO {NODE_TABLE} ({NODE_COLUMNS}) {_node_select(vendor)} AND {match};"
    )


def _postgresql_nodes() -> list[str]:
    return [
        f"""CREATE OR REPLACE FUNCTION supervision_refresh_node_figures(ids bigint[], by_task boolean)
        RETURNS void LANGUAGE plpgsql AS $$
        BEGIN
          IF by_task THEN
            {_node_refresh("postgresql", "= ANY(ids)", by_task=True)}
          ELSE
            {_node_refresh("postgresql", "= ANY(ids)", by_task=False)}
          END IF;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION supervision_node_figures_trigger() RETURNS trigger
        LANGUAGE plpgsql AS $$
        DECLARE
          ids bigint[];
          tasks bigint[];
        BEGIN
          IF current_setting('supervision.bulk_load', true) = 'on' THEN
            RETURN NULL;
          END IF;
          IF TG_OP <> 'INSERT' THEN
            ids := ids || OLD.id;
            tasks := tasks || (to_jsonb(OLD) ->> TG_ARGV[1])::bigint;
          END IF;
          IF TG_OP <> 'DELETE' THEN
            ids := ids || NEW.id;
            tasks := tasks || (to_jsonb(NEW) ->> TG_ARGV[1])::bigint;
          END IF;
          -- The task's row lock for a node's refresh and its task's (``figures.lock``).
          {lock("supervision_taskfigure", ids="tasks")}
          PERFORM supervision_refresh_node_figures(ids, TG_ARGV[0] = 'task');
          RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER supervision_node_node_figures AFTER INSERT OR DELETE OR UPDATE OF
        {NODE_SOURCES[0][1]} ON supervision_node FOR EACH ROW
        EXECUTE FUNCTION supervision_node_figures_trigger('node', 'task_id')""",
        # A task's insert has no nodes yet; it is deleted after its nodes (PROTECT).
        f"""CREATE TRIGGER supervision_task_node_figures AFTER UPDATE OF {NODE_SOURCES[1][1]}
        ON supervision_task FOR EACH ROW EXECUTE FUNCTION supervision_node_figures_trigger('task', 'id')""",
    ]


def _sqlite_nodes() -> list[str]:
    by_node = _node_refresh("sqlite", "= NEW.id", by_task=False)
    gone = f"DELETE FROM {NODE_TABLE} WHERE node_id = OLD.id;"
    node_columns, task_columns = NODE_SOURCES[0][1], NODE_SOURCES[1][1]
    return [
        f"CREATE TRIGGER supervision_node_node_figures_ins AFTER INSERT ON supervision_node "
        f"BEGIN {by_node} END",
        f"CREATE TRIGGER supervision_node_node_figures_del AFTER DELETE ON supervision_node "
        f"BEGIN {gone} END",
        f"CREATE TRIGGER supervision_node_node_figures_upd AFTER UPDATE OF {node_columns} "
        f"ON supervision_node BEGIN {gone} {by_node} END",
        f"CREATE TRIGGER supervision_task_node_figures_upd AFTER UPDATE OF {task_columns} "
        f"ON supervision_task BEGIN {_node_refresh('sqlite', '= NEW.id', by_task=True)} END",
    ]


def create_node_figures(connection) -> None:
    _run(connection, _postgresql_nodes, _sqlite_nodes)


def drop_node_figures(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER IF EXISTS supervision_node_node_figures ON supervision_node"
            )
            cursor.execute(
                "DROP TRIGGER IF EXISTS supervision_task_node_figures ON supervision_task"
            )
            cursor.execute("DROP FUNCTION IF EXISTS supervision_node_figures_trigger()")
            cursor.execute(
                "DROP FUNCTION IF EXISTS supervision_refresh_node_figures(bigint[], boolean)"
            )
        else:
            for name in ("node_node_figures_ins", "node_node_figures_del", "node_node_figures_upd"):
                cursor.execute(f"DROP TRIGGER IF EXISTS supervision_{name}")
            cursor.execute("DROP TRIGGER IF EXISTS supervision_task_node_figures_upd")


def refill_node_figures(connection) -> None:
    """Every counted node's figures computed afresh."""
    with connection.cursor() as cursor:
        _refill_nodes(cursor, connection.vendor)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {NODE_TABLE}")


def _refill_nodes(cursor, vendor: str) -> None:
    cursor.execute(f"DELETE FROM {NODE_TABLE}")
    cursor.execute(f"INSERT INTO {NODE_TABLE} ({NODE_COLUMNS}) {_node_select(vendor)}")
