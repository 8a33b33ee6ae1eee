"""预期目标 (indicators): kept apart from the task models so that neither module grows too long;
``supervision.loop.models`` re-exports ``Indicator``."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from core.constraints import OneQueryChecks
from core.validators import FieldNames, validate_year_range
from supervision.choices import Comparison, Domain
from supervision.loop.targets import growth_contradiction, target_constraints

VALUE = {"max_digits": 16, "decimal_places": 4, "null": True, "blank": True}
ASSUMED = {"default": list, "blank": True, "help_text": "来源未载明、系推定的字段"}
INDICATOR_ASSUMABLE = ("department", "comparison", "tolerance", "baseline")


class Indicator(OneQueryChecks):
    """预期目标: a 2024 expected indicator or aggregate target, per report card.

    ``baseline`` is the 2023 actual of the same figure (the report's part 一), in ``unit``.
    A growth indicator names the level indicator it is the growth of (``growth_of``); the
    two must agree over the baseline (``targets.growth_contradiction``), or the
    contradiction is recorded in ``consistency_note``.
    """

    code = models.CharField("编号", max_length=20, unique=True)
    name = models.CharField("指标名称", max_length=200)
    domain = models.CharField("报表类别", max_length=12, choices=Domain.choices)
    unit = models.CharField("单位", max_length=20, blank=True)
    target_value = models.DecimalField(
        "目标值", help_text="定性目标（如“完成市上下达的节能减排任务”）为空", **VALUE
    )
    comparison = models.CharField(
        "目标方向",
        max_length=10,
        choices=Comparison.choices,
        default=Comparison.AT_LEAST,
        blank=True,
        help_text="定性目标为空",
    )
    tolerance = models.DecimalField("允许偏差", help_text="“左右”的幅度，与目标同单位", **VALUE)
    baseline = models.DecimalField("2023年实绩", help_text="与目标同口径、同单位", **VALUE)
    baseline_text = models.TextField("实绩原文", blank=True)
    growth_of = models.ForeignKey(
        "self",
        verbose_name="增速对应的总量指标",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="growth_indicators",
    )
    consistency_note = models.TextField(
        "不一致说明", blank=True, help_text="目标与基数、增速互相矛盾时必填"
    )
    latest_value = models.DecimalField("最新值", **VALUE)
    period_values = models.JSONField("分期数值", default=dict, blank=True)
    target_text = models.TextField("报告原文", blank=True)
    source_ref = models.CharField("来源章节", max_length=200, blank=True)
    year = models.PositiveSmallIntegerField("年度", default=2024, validators=[validate_year_range])
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name="责任单位（填报分期数值）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)  # the API's ETag version
    assumed_fields = models.JSONField(
        "推定字段",
        validators=[FieldNames(*INDICATOR_ASSUMABLE)],
        **ASSUMED,
    )

    class Meta:
        verbose_name = "预期指标"
        verbose_name_plural = "预期指标"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(domain__in=Domain.values),
                name="%(app_label)s_%(class)s_domain_valid",
            ),
            *target_constraints("target_value", "comparison", "tolerance"),
            models.CheckConstraint(
                condition=~Q(growth_of=F("pk")), name="%(app_label)s_%(class)s_not_own_growth"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if self.growth_of_id is not None and self.growth_of_id == self.pk:
            raise ValidationError({"growth_of": "指标不能是自身的增速。"})
        problems = []
        if self.growth_of is not None:
            problems.append(growth_contradiction(self.growth_of, self))
        if self.pk is not None:
            problems += [growth_contradiction(self, g) for g in self.growth_indicators.all()]
        problems = [p for p in problems if p]
        if problems and not self.consistency_note.strip() and not self._noted_elsewhere():
            raise ValidationError(
                {"consistency_note": "；".join(problems) + "。请核实，或在“不一致说明”中注明。"}
            )

    def _noted_elsewhere(self) -> bool:
        """The contradiction is already noted on the other indicator of the pair."""
        if self.growth_of is not None and self.growth_of.consistency_note.strip():
            return True
        return self.pk is not None and self.growth_indicators.exclude(consistency_note="").exists()
