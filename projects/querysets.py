import calendar
import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Round

from projects.choices import Light
from projects.money import MONEY

# Wide enough for any ratio of two money amounts (a mistyped month can mean 10⁶ %).
PCT = models.DecimalField(max_digits=20, decimal_places=2)
AMOUNT = models.DecimalField(**MONEY)


def year_time_progress(year: int, today: dt.date) -> Decimal:
    """序时进度 of a year on ``today``: the share (in %) of its days elapsed, today included."""
    if today.year < year:
        return Decimal("0.00")
    if today.year > year:
        return Decimal("100.00")
    days = 366 if calendar.isleap(year) else 365
    elapsed = today.timetuple().tm_yday
    return (Decimal(elapsed) * 100 / days).quantize(Decimal("0.01"))


def _flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=models.BooleanField()
    )


class ProjectQuerySet(models.QuerySet):
    def with_figures(self, today: dt.date, *, stored: bool = False):
        """Annotate completed investment, completion rate, 序时进度 and the light.

        Everything is computed by the database in the one list query, so listing N projects
        costs the same number of queries whatever N is. ``stored``: read the investment and
        the earliest open milestone from ``ProjectFigure`` (kept by triggers, the same
        values) instead of summing reports and milestones per project.
        """
        from projects.models import InvestmentReport, Milestone

        yellow_gap = Decimal(settings.PROJECT_LIGHT_YELLOW_GAP)
        red_gap = Decimal(settings.PROJECT_LIGHT_RED_GAP)
        warn_until = today + dt.timedelta(days=settings.PROJECT_MILESTONE_WARNING_DAYS)

        if stored:
            completed = models.F("figure__completed")
            next_due = "figure__next_milestone_due"
            overdue_milestone = _flag(Q(**{f"{next_due}__lt": today}))
            milestone_due_soon = _flag(Q(**{f"{next_due}__range": (today, warn_until)}))
        else:
            completed = Subquery(
                InvestmentReport.objects.filter(
                    project=OuterRef("pk"), period__year=OuterRef("year")
                )
                .order_by()
                .values("project")
                .annotate(total=Sum("amount"))
                .values("total"),
                output_field=AMOUNT,
            )
            open_milestones = Milestone.objects.filter(
                project=OuterRef("pk"), completed_on__isnull=True
            )
            overdue_milestone = Exists(open_milestones.filter(due_date__lt=today))
            milestone_due_soon = Exists(
                open_milestones.filter(due_date__gte=today, due_date__lte=warn_until)
            )
        time_progress = Case(
            When(year__lt=today.year, then=Value(Decimal("100.00"))),
            When(year__gt=today.year, then=Value(Decimal("0.00"))),
            default=Value(year_time_progress(today.year, today)),
            output_field=PCT,
        )
        return (
            self.annotate(
                completed_investment=Coalesce(
                    completed,
                    Value(Decimal("0.00")),
                    output_field=AMOUNT,
                ),
                time_progress=time_progress,
            )
            .annotate(
                completion_rate=Case(
                    When(
                        annual_plan_investment__gt=0,
                        then=Round(
                            models.F("completed_investment")
                            * 100
                            / models.F("annual_plan_investment"),
                            2,
                            output_field=PCT,
                        ),
                    ),
                    default=None,
                    output_field=PCT,
                ),
                has_overdue_milestone=overdue_milestone,
                has_milestone_due_soon=milestone_due_soon,
            )
            .annotate(
                light=Case(
                    When(
                        Q(has_overdue_milestone=True)
                        | Q(completion_rate__lt=models.F("time_progress") - red_gap),
                        then=Value(Light.RED),
                    ),
                    When(
                        Q(has_milestone_due_soon=True)
                        | Q(completion_rate__lt=models.F("time_progress") - yellow_gap),
                        then=Value(Light.YELLOW),
                    ),
                    default=Value(Light.GREEN),
                    output_field=models.CharField(),
                )
            )
        )
