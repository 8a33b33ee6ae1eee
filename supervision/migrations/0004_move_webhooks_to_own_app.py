# The webhook models moved to their own app (``webhooks``); their tables stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_rankingsnapshot_task_deadline_code_idx"),
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="webhookdelivery", name="endpoint"),
                migrations.DeleteModel(name="WebhookAttempt"),
                migrations.DeleteModel(name="WebhookDelivery"),
                migrations.DeleteModel(name="WebhookEndpoint"),
            ],
            database_operations=[],
        ),
    ]
