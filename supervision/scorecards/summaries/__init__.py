"""Per-task and per-project figures kept up to date by database triggers (issue 18).

The cockpit's counts (tasks by status and light, projects by light, investment) were
aggregated from 100,000 tasks with their nodes and 10,000 projects with their reports and
milestones on every fresh request. ``TaskFigure`` and ``ProjectFigure`` hold what does not
depend on the day — a task's ``first_due`` (its deadline or an approved node's due date,
whichever comes first) and a project's investment of its year and earliest open milestone —
so the day's lights are a range count over an index.

Triggers (PostgreSQL and SQLite alike) recompute the rows a write touches, in the writing
statement itself: every path that writes — the services, the admin, bulk updates, raw SQL,
imports — keeps them exact, and Django sees no extra query. A figure row is recomputed
from its sources (never adjusted by a delta), so it cannot drift; ``TaskTally`` (the task
figures counted per unit, status, ``first_due``, ``measurable``: ``tallies``) is adjusted by
each group's net change, which unlike a recount is exact under concurrent writers.
``NodeFigure`` (``nodes``) holds each counted node's days for the report cards' nodes card.
``rebuild`` recomputes every row (``manage.py rebuild_figures``) after a load that bypassed
the triggers:
``bench/generate.py`` sets ``supervision.bulk_load`` to ``on`` for its COPYs (PostgreSQL),
which the triggers honour, then rebuilds.
"""
# ruff: noqa: F401 — the names the migrations, rebuild_figures and bench/generate.py use.

from django.db import connection as default_connection

from supervision.scorecards.summaries.figures import (
    PG_TRIGGERS,
    PROJECT_COLUMNS,
    TASK_COLUMNS,
    _postgresql,
    _project_select,
    _task_select,
    create_triggers,
    drop_triggers,
)
from supervision.scorecards.summaries.nodes import (
    NODE_TABLE,
    _postgresql_nodes,
    _refill_nodes,
    create_node_figures,
    drop_node_figures,
    refill_node_figures,
)
from supervision.scorecards.summaries.tallies import (
    TALLY_TABLE,
    _postgresql_tallies,
    _recount,
    create_tallies,
    drop_tallies,
    recount_tallies,
)


def rebuild(connection=None) -> None:
    """Recompute every task's and project's figures from their sources, and the tallies
    from the task figures (one transaction)."""
    from django.db import transaction

    connection = connection or default_connection
    vendor = connection.vendor
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        # 0019 rebuilds before the tallies' (0021) and node figures' (0023) tables exist.
        tables = set(connection.introspection.table_names(cursor))
        tallies, nodes = TALLY_TABLE in tables, NODE_TABLE in tables
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
        if nodes:
            _refill_nodes(cursor, vendor)
        if vendor == "postgresql":
            cursor.execute(
                "ANALYZE supervision_taskfigure, supervision_projectfigure"
                + (f", {TALLY_TABLE}" if tallies else "")
                + (f", {NODE_TABLE}" if nodes else "")
            )


def lock_refreshes(connection) -> None:
    """Re-create the task and project figures' refresh functions (0019, 0021) and the node
    figures' trigger function (0023) as they are now, each locking its source rows first
    (``figures.lock``; PostgreSQL only — SQLite has one writer at a time)."""
    if connection.vendor != "postgresql":
        return
    # 0019's project refresh and 0021's task refresh (with the tallies), as now defined.
    statements = [_postgresql()[1], _postgresql_tallies()[1], _postgresql_nodes()[1]]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
