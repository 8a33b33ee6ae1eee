from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q


class RankingSnapshot(models.Model):
    """晾晒: a quarter's department ranking as the supervision office published it.

    ``rows`` holds the scorecards exactly as computed at publication (decimals as strings,
    see ``supervision.rankings``); once a quarter is published the API shows this snapshot,
    never a recomputation, so later edits to tasks or investment do not rewrite history.
    """

    period = models.CharField("季度", max_length=6, unique=True, help_text="如 2024Q1")
    as_of = models.DateField("评价日期", help_text="季度末，或发布时尚未结束季度的当日")
    rows = models.JSONField("排名明细", encoder=DjangoJSONEncoder, default=list)
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "季度排名（晾晒）"
        verbose_name_plural = "季度排名（晾晒）"
        ordering = ["-period"]
        constraints = [
            # Portable (no REGEXP): 2000Q1 ≤ period ≤ 2100Q4 and it ends in Q1–Q4.
            models.CheckConstraint(
                condition=Q(period__gte="2000Q1", period__lte="2100Q4")
                & (
                    Q(period__endswith="Q1")
                    | Q(period__endswith="Q2")
                    | Q(period__endswith="Q3")
                    | Q(period__endswith="Q4")
                ),
                name="%(app_label)s_%(class)s_period_format",
                violation_error_message="季度格式应为 2024Q1。",
            ),
        ]

    def __str__(self):
        return f"{self.period} 排名"
