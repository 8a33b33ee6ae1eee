"""Search tables for the text search of tasks and projects (issues 17 and 18), PostgreSQL only.

``<table>_search`` holds one row per task (project): ``doc``, its search fields upper-cased
and joined by newlines (a task's code, title and content, its problem's description and its
proposal's number), and ``grams``, the single characters and character pairs of ``doc``.
Statement triggers keep them in step with every write, COPY included. A searched word (never
holding whitespace, so never spanning two fields) is in one of the fields exactly when
``doc LIKE '%WORD%'``; ``config.api.textsearch`` finds the candidates through a GIN index —
pg_trgm on ``doc`` for a word with three letters or digits in a row, ``grams @>
search_term_grams(word)`` for any other word (pg_trgm has no trigram for two characters such
as 招商) — and rechecks with that ``LIKE``, cheap on the short ``doc``.

The trigram indexes of 0015 on the tables themselves are dropped: the search no longer
reads them. On SQLite nothing here exists; the search scans with ``LIKE`` there.
"""

from importlib import import_module

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

FUNCTIONS = r"""
CREATE FUNCTION search_grams(doc text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE c text[] := string_to_array(doc, NULL);
BEGIN
  RETURN ARRAY(
    SELECT DISTINCT g
    FROM unnest(c || ARRAY(SELECT a || b FROM unnest(c[:cardinality(c) - 1], c[2:]) AS t(a, b))) AS g
  );
END $$;

CREATE FUNCTION search_term_grams(term text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN char_length(u) <= 2 THEN ARRAY[u]
         ELSE ARRAY(SELECT substr(u, i, 2) FROM generate_series(1, char_length(u) - 1) AS i)
         END
  FROM upper(term) AS u
$$;
"""

# table: (own search fields, [(detail table, its key to table, its search field)])
SEARCHED = {
    "supervision_task": (
        ("code", "title", "content"),
        [
            ("supervision_problemdetail", "task_id", "description"),
            ("supervision_proposaldetail", "task_id", "number"),
        ],
    ),
    "projects_project": (("code", "name", "target_text", "location"), []),
}
OLD_TRIGRAMS = [
    "supervision_task_code_trgm",
    "supervision_task_title_trgm",
    "supervision_task_content_trgm",
    "projects_project_code_trgm",
    "projects_project_name_trgm",
    "projects_project_target_trgm",
    "projects_project_location_trgm",
]


def _sql(table: str, fields: tuple[str, ...], details: list[tuple[str, str, str]]) -> str:
    search = f"{table}_search"
    parts = [f'upper(t."{field}")' for field in fields]
    joins = []
    for n, (detail, key, field) in enumerate(details):
        parts.append(f'upper(d{n}."{field}")')
        joins.append(f'LEFT JOIN "{detail}" d{n} ON d{n}."{key}" = t.id')
    changed = " OR ".join(f'o."{f}" IS DISTINCT FROM n."{f}"' for f in fields)
    # Names are this migration's own constants.
    sql = f"""
CREATE TABLE "{search}" (
  id bigint PRIMARY KEY,
  doc text NOT NULL,
  grams text[] GENERATED ALWAYS AS (search_grams(doc)) STORED
);
CREATE INDEX "{search}_grams" ON "{search}" USING gin (grams);
CREATE INDEX "{search}_doc_trgm" ON "{search}" USING gin (doc gin_trgm_ops);

CREATE FUNCTION "{search}_refresh"(ids bigint[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "{search}" (id, doc)
  SELECT t.id, concat_ws(E'\\n', {", ".join(parts)})
  FROM "{table}" t {" ".join(joins)}
  WHERE t.id = ANY(ids)
  ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc
  WHERE "{search}".doc IS DISTINCT FROM EXCLUDED.doc
$$;

CREATE FUNCTION "{search}_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "{search}_refresh"(ARRAY(SELECT id FROM new_rows));
  RETURN NULL;
END $$;
CREATE TRIGGER "{search}_inserted" AFTER INSERT ON "{table}"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "{search}_inserted"();

CREATE FUNCTION "{search}_updated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "{search}_refresh"(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE {changed}
  ));
  RETURN NULL;
END $$;
CREATE TRIGGER "{search}_updated" AFTER UPDATE ON "{table}"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "{search}_updated"();

CREATE FUNCTION "{search}_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "{search}" WHERE id IN (SELECT id FROM old_rows);
  RETURN NULL;
END $$;
CREATE TRIGGER "{search}_deleted" AFTER DELETE ON "{table}"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "{search}_deleted"();

CREATE FUNCTION "{search}_truncated"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "{search}";
  RETURN NULL;
END $$;
CREATE TRIGGER "{search}_truncated" AFTER TRUNCATE ON "{table}"
  FOR EACH STATEMENT EXECUTE FUNCTION "{search}_truncated"();

INSERT INTO "{search}" (id, doc)
SELECT t.id, concat_ws(E'\\n', {", ".join(parts)}) FROM "{table}" t {" ".join(joins)};
"""  # noqa: S608
    for detail, key, _ in details:
        function = f"{detail}_{search}"
        sql += f"""
CREATE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "{search}_refresh"(ARRAY[NEW."{key}"]);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "{search}_refresh"(ARRAY[OLD."{key}"]);
  ELSE
    PERFORM "{search}_refresh"(ARRAY[NEW."{key}", OLD."{key}"]);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "{function}" AFTER INSERT OR UPDATE OR DELETE ON "{detail}"
  FOR EACH ROW EXECUTE FUNCTION "{function}"();
"""  # noqa: S608
    return sql


def _drop_sql(table: str, details: list[tuple[str, str, str]]) -> str:
    search = f"{table}_search"
    sql = f'DROP TABLE IF EXISTS "{search}";'
    for event in ("inserted", "updated", "deleted", "truncated"):
        sql += f'DROP TRIGGER IF EXISTS "{search}_{event}" ON "{table}";'
        sql += f'DROP FUNCTION IF EXISTS "{search}_{event}"();'
    sql += f'DROP FUNCTION IF EXISTS "{search}_refresh"(bigint[]);'
    for detail, _, _ in details:
        sql += f'DROP TRIGGER IF EXISTS "{detail}_{search}" ON "{detail}";'
        sql += f'DROP FUNCTION IF EXISTS "{detail}_{search}"();'
    return sql


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTIONS)
    for table, (fields, details) in SEARCHED.items():
        schema_editor.execute(_sql(table, fields, details))
    for name in OLD_TRIGRAMS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, (_, details) in SEARCHED.items():
        schema_editor.execute(_drop_sql(table, details))
    schema_editor.execute("DROP FUNCTION IF EXISTS search_grams(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS search_term_grams(text)")
    import_module("supervision.migrations.0015_search_trigram").create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0019_figures"),
        ("projects", "0007_investment_period_ytd_index"),
    ]

    operations = [
        migrations.RunPython(create, drop),
        # The search tables as unmanaged models (supervision.search_index).
        migrations.CreateModel(
            name="ProjectSearch",
            fields=[
                (
                    "project",
                    models.OneToOneField(
                        db_column="id",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_doc",
                        serialize=False,
                        to="projects.project",
                    ),
                ),
                ("doc", models.TextField()),
                (
                    "grams",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
            ],
            options={"db_table": "projects_project_search", "managed": False},
        ),
        migrations.CreateModel(
            name="TaskSearch",
            fields=[
                (
                    "task",
                    models.OneToOneField(
                        db_column="id",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_doc",
                        serialize=False,
                        to="supervision.task",
                    ),
                ),
                ("doc", models.TextField()),
                (
                    "grams",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.TextField(), size=None
                    ),
                ),
            ],
            options={"db_table": "supervision_task_search", "managed": False},
        ),
    ]
