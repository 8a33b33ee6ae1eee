"""pg_trgm and trigram GIN indexes for the text search (``q`` of tasks and projects, the
global search): ``UPPER(col) LIKE UPPER('%word%')``, what ``icontains`` asks on PostgreSQL,
is served by a GIN index on ``UPPER(col) gin_trgm_ops``. PostgreSQL only: on SQLite the
extension and the indexes are skipped (the search scans there)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("supervision_task_code_trgm", "supervision_task", "code"),
    ("supervision_task_title_trgm", "supervision_task", "title"),
    ("supervision_task_content_trgm", "supervision_task", "content"),
    ("projects_project_code_trgm", "projects_project", "code"),
    ("projects_project_name_trgm", "projects_project", "name"),
    ("projects_project_target_trgm", "projects_project", "target_text"),
    ("projects_project_location_trgm", "projects_project", "location"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0014_interventions"),
        ("projects", "0005_revision_reason"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create, drop),
    ]
