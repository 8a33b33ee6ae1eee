from django.db import models


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SUCCEEDED = "succeeded", "已送达"
    FAILED = "failed", "失败"
