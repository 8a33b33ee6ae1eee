from django.db import migrations, models


class Migration(migrations.Migration):
    """The deadline scan's node reminders read the tasks in the unit's hands off this index."""

    dependencies = [
        ("supervision", "0024_merge"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("status__in", ("assigned", "in_progress"))),
                fields=["id"],
                include=("lead_department",),
                name="task_in_hand_idx",
            ),
        ),
    ]
