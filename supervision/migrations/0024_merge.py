from django.db import migrations


class Migration(migrations.Migration):
    """0023_node_figures and 0023_task_reporting_index landed side by side: one leaf again."""

    dependencies = [
        ("supervision", "0023_node_figures"),
        ("supervision", "0023_task_reporting_index"),
    ]

    operations = []
