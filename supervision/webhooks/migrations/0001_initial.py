# The webhook models, moved here from ``supervision`` (state only: the tables keep their names),
# and their content types (so admin permissions granted before still apply).

import django.db.models.deletion
from django.db import migrations, models


MODELS = ["webhookendpoint", "webhookdelivery", "webhookattempt"]


def _relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "supervision", "webhooks")


def move_content_types_back(apps, schema_editor):
    _relabel(apps, "webhooks", "supervision")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("supervision", "0003_rankingsnapshot_task_deadline_code_idx"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WebhookEndpoint",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="名称")),
                        ("url", models.URLField(max_length=500, verbose_name="地址")),
                        ("secret", models.CharField(max_length=100, verbose_name="签名密钥")),
                        (
                            "event_types",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text="空表示全部",
                                verbose_name="订阅事件",
                            ),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="启用")),
                        (
                            "disabled_reason",
                            models.CharField(blank=True, max_length=200, verbose_name="停用原因"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="创建时间"),
                        ),
                    ],
                    options={
                        "verbose_name": "Webhook 接收端",
                        "verbose_name_plural": "Webhook 接收端",
                        "db_table": "supervision_webhookendpoint",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="WebhookDelivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "message_id",
                            models.CharField(max_length=64, unique=True, verbose_name="消息ID"),
                        ),
                        ("event_type", models.CharField(max_length=40, verbose_name="事件")),
                        ("payload", models.JSONField(verbose_name="内容")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "待发送"),
                                    ("succeeded", "已送达"),
                                    ("failed", "失败"),
                                ],
                                default="pending",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveSmallIntegerField(default=0, verbose_name="已尝试次数"),
                        ),
                        (
                            "next_attempt_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="下次尝试"),
                        ),
                        ("created_at", models.DateTimeField(verbose_name="创建时间")),
                        (
                            "finished_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="结束时间"),
                        ),
                        (
                            "endpoint",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="webhooks.webhookendpoint",
                                verbose_name="接收端",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Webhook 投递",
                        "verbose_name_plural": "Webhook 投递",
                        "db_table": "supervision_webhookdelivery",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="WebhookAttempt",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("number", models.PositiveSmallIntegerField(verbose_name="第几次")),
                        ("attempted_at", models.DateTimeField(verbose_name="时间")),
                        (
                            "status_code",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="状态码"
                            ),
                        ),
                        ("duration_ms", models.PositiveIntegerField(verbose_name="耗时（毫秒）")),
                        (
                            "error",
                            models.CharField(blank=True, max_length=500, verbose_name="错误"),
                        ),
                        (
                            "delivery",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="attempt_log",
                                to="webhooks.webhookdelivery",
                                verbose_name="投递",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Webhook 尝试",
                        "verbose_name_plural": "Webhook 尝试",
                        "db_table": "supervision_webhookattempt",
                        "ordering": ["delivery_id", "number"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("delivery", "number"),
                                name="supervision_webhookattempt_unique_number",
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="webhookdelivery",
                    index=models.Index(
                        condition=models.Q(("status", "pending")),
                        fields=["next_attempt_at"],
                        name="webhook_pending_idx",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
