from django.db import models
from django.db.models import Q

from supervision.webhooks.choices import DeliveryStatus

EVENT_TYPES = [
    "task.assigned",
    "task.accepted",
    "task.progress",
    "task.submitted",
    "task.closed",
    "task.returned",
    "task.extended",
    "task.extension_requested",
    "task.extension_rejected",
    "task.cancelled",
    "task.urged",
    "reminder.created",
    "milestone.completed",
    "node.completed",
    "investment.reported",
    "investment.corrected",
    "task.instructed",
    "task.reported_back",
    "task.reopened",
    "proposal.replied",
    "project.instructed",
    "document.issued",
    "task.reassigned",
    "intervention.created",
]


class WebhookEndpoint(models.Model):
    """A receiver of Standard Webhooks; the secret (``whsec_…``) is shown once at creation."""

    name = models.CharField("名称", max_length=100)
    url = models.URLField("地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=100)
    event_types = models.JSONField("订阅事件", default=list, blank=True, help_text="空表示全部")
    is_active = models.BooleanField("启用", default=True)
    disabled_reason = models.CharField("停用原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version

    class Meta:
        verbose_name = "Webhook 接收端"
        verbose_name_plural = "Webhook 接收端"
        ordering = ["id"]
        db_table = "supervision_webhookendpoint"  # the tables predate this app

    def __str__(self):
        return self.name

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One message to one endpoint; ``message_id`` is the ``webhook-id`` of every attempt."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name="接收端", on_delete=models.CASCADE, related_name="deliveries"
    )
    message_id = models.CharField("消息ID", max_length=64, unique=True)
    event_type = models.CharField("事件", max_length=40)
    payload = models.JSONField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "Webhook 投递"
        verbose_name_plural = "Webhook 投递"
        ordering = ["-created_at", "-id"]
        db_table = "supervision_webhookdelivery"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="webhook_pending_idx",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """Every attempt of a delivery: time, status code, duration, error."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name="投递", on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField("第几次")
    attempted_at = models.DateTimeField("时间")
    status_code = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）")
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta:
        verbose_name = "Webhook 尝试"
        verbose_name_plural = "Webhook 尝试"
        ordering = ["delivery_id", "number"]
        db_table = "supervision_webhookattempt"
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="supervision_webhookattempt_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.delivery_id}#{self.number} {self.status_code or self.error}"
