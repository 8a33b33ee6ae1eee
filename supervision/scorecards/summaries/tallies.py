"""``TaskTally`` (0021): task figures counted per lead unit, status, ``first_due`` and
``measurable``, kept in the writing statement."""

# ruff: noqa: S608 — every statement here is built from constants, no input.

from supervision.scorecards.summaries.figures import (
    TASK_COLUMNS,
    _postgresql,
    _run,
    _task_select,
    lock,
)

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
          {lock("supervision_taskfigure")}
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
    _run(connection, _postgresql_tallies, _sqlite_tallies)


def drop_tallies(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in _postgresql_tallies_drop():
                cursor.execute(statement)
        else:
            for op in ("ins", "del"):
                cursor.execute(f"DROP TRIGGER IF EXISTS supervision_tasktally_{op}")
