"""The ranking keys on the search rows of 0020 (issue 17), PostgreSQL only: a task's
``source``, ``deadline`` and ``code``, a project's ``code``, copied by the same triggers as
``doc``.

The global search (``supervision.search``) counts a word's tasks per source and takes the
first of each source by (deadline, code) from the search rows alone, through
``<table>_rank``, instead of joining every matching task (14,272 tasks for 招商 at L, ~110 ms
of index probes under load) and sorting them all; projects likewise by code.
"""

from importlib import import_module

from django.db import migrations

# table: its columns copied to its search row, in the order of the ranking index
RANKS = {
    "supervision_task": (("source", "varchar(16)"), ("deadline", "date"), ("code", "varchar(30)")),
    "projects_project": (("code", "varchar(30)"),),
}


def _functions(table: str, rank: tuple[str, ...]) -> str:
    """0020's refresh function and update trigger function of ``table``'s search row, also
    writing ``rank`` (columns of ``table``) and refreshing when one of them changes."""
    fields, details = import_module("supervision.migrations.0020_search_grams").SEARCHED[table]
    search = f"{table}_search"
    parts = [f'upper(t."{field}")' for field in fields]
    joins = []
    for n, (detail, key, field) in enumerate(details):
        parts.append(f'upper(d{n}."{field}")')
        joins.append(f'LEFT JOIN "{detail}" d{n} ON d{n}."{key}" = t.id')
    columns = ", ".join(["id", "doc", *rank])
    values = ", ".join(["t.id", f"concat_ws(E'\\n', {', '.join(parts)})", *(f't."{c}"' for c in rank)])
    kept = ["doc", *rank]
    assign = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in kept)
    old = ", ".join(f'"{search}"."{c}"' for c in kept)
    new = ", ".join(f'EXCLUDED."{c}"' for c in kept)
    watched = [*fields, *(c for c in rank if c not in fields)]
    changed = " OR ".join(f'o."{f}" IS DISTINCT FROM n."{f}"' for f in watched)
    # Names are this migration's own constants.
    return f"""
CREATE OR REPLACE FUNCTION "{search}_refresh"(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "{search}" ({columns})
  SELECT {values}
  FROM "{table}" t {" ".join(joins)}
  WHERE t.id = ANY(ids)
  ON CONFLICT (id) DO UPDATE SET {assign}
  WHERE ROW({old}) IS DISTINCT FROM ROW({new})
$$;

CREATE OR REPLACE FUNCTION "{search}_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "{search}_refresh"(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}
  ));
  RETURN NULL;
END $$;
"""  # noqa: S608


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, rank in RANKS.items():
        search = f"{table}_search"
        names = [name for name, _ in rank]
        schema_editor.execute(
            f'ALTER TABLE "{search}" '
            + ", ".join(f"ADD COLUMN {name} {kind}" for name, kind in rank)
            + f'; UPDATE "{search}" s SET '
            + ", ".join(f"{name} = t.{name}" for name in names)
            + f' FROM "{table}" t WHERE t.id = s.id;'
            + f' CREATE INDEX "{search}_rank" ON "{search}" ({", ".join(names)});'
            + _functions(table, tuple(names))
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, rank in RANKS.items():
        schema_editor.execute(
            _functions(table, ())
            + f'ALTER TABLE "{table}_search" '
            + ", ".join(f"DROP COLUMN {name}" for name, _ in rank)
        )


class Migration(migrations.Migration):
    dependencies = [("supervision", "0021_tasktally")]

    operations = [migrations.RunPython(create, drop)]
