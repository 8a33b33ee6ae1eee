from django.db import migrations


def relock(apps, schema_editor):
    # The figure refreshes lock their source rows (task, project) instead of taking one
    # advisory lock per id: a statement writing ~40,000 rows ran out of the lock table.
    from supervision.scorecards import summaries

    summaries.lock_refreshes(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0025_task_in_hand_index")]

    operations = [migrations.RunPython(relock, migrations.RunPython.noop)]
