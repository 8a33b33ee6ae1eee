"""The order of the tasks list, ``(deadline, code)``, on the tasks' search rows (PostgreSQL
only; the rows of 0020 with the keys of 0022): a searched list walks this index and checks
each row's words in place (``config.api.filters.FilterSet.search_ordering``) instead of
walking the tasks' index and probing a search row per candidate (800 probes for the first
hundred of 招商's 14,484 tasks at L)."""

from django.db import migrations

INDEX = "supervision_task_search_order"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{INDEX}" ON "supervision_task_search" ("deadline", "code")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX "{INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("supervision", "0028_reminder_list_order_index")]

    operations = [migrations.RunPython(create, drop)]
