"""建议提案办理的"四率", per 主办 unit and overall, counted in the database (one query).

Over the proposals in scope (人大建议 and/or 政协提案 with their details, not cancelled):

- 按时办结率 = closed (销号) on or before their deadline ÷ those that should be done by now
  (closed, or still open with the deadline passed);
- 见面沟通率 = with a 见面沟通 recorded ÷ answered;
- 满意率 = 满意 + 基本满意 ÷ those whose satisfaction is recorded;
- 解决率 = class A answers ÷ answered.

A rate with nothing to divide by is ``None`` (shown as —), never 0 % or 100 %.
"""

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from supervision.choices import TaskStatus
from supervision.kinds.choices import ReplyClass, Satisfaction
from supervision.kinds.policies import PROPOSAL_SOURCES
from supervision.loop.models import Task
from supervision.loop.workdays import SHANGHAI

COUNTS = ("total", "due", "on_time", "replied", "met", "rated", "satisfied", "resolved")


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Figures:
    total: int = 0
    due: int = 0
    on_time: int = 0
    replied: int = 0
    met: int = 0
    rated: int = 0
    satisfied: int = 0
    resolved: int = 0

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.due)

    @property
    def meeting_rate(self):
        return _rate(self.met, self.replied)

    @property
    def satisfaction_rate(self):
        return _rate(self.satisfied, self.rated)

    @property
    def resolution_rate(self):
        return _rate(self.resolved, self.replied)

    def as_dict(self) -> dict:
        return {
            **asdict(self),
            "on_time_rate": self.on_time_rate,
            "meeting_rate": self.meeting_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "resolution_rate": self.resolution_rate,
        }


def proposals_in_scope(*, year: int | None = None, department=None, source: str | None = None):
    queryset = Task.objects.filter(
        source__in=[source] if source else PROPOSAL_SOURCES, proposal__isnull=False
    ).exclude(status=TaskStatus.CANCELLED)
    if year:
        queryset = queryset.filter(created_at__year=year)
    if department:
        queryset = queryset.filter(lead_department=department)
    return queryset


def proposal_stats(*, today: dt.date, year=None, department=None, source=None) -> dict:
    """``{"overall": Figures, "by_department": [(department id, name, Figures)]}``."""
    closed = Q(status=TaskStatus.CLOSED)
    replied = ~Q(proposal__reply_class="")
    rows = (
        proposals_in_scope(year=year, department=department, source=source)
        .annotate(closed_on=TruncDate("closed_at", tzinfo=SHANGHAI))
        .values("lead_department", "lead_department__name")
        .annotate(
            total=Count("pk"),
            due=Count("pk", filter=closed | Q(deadline__lt=today)),
            on_time=Count("pk", filter=closed & Q(closed_on__lte=F("deadline"))),
            replied=Count("pk", filter=replied),
            met=Count("pk", filter=replied & Q(proposal__met_on__isnull=False)),
            rated=Count("pk", filter=~Q(proposal__satisfaction="")),
            satisfied=Count(
                "pk",
                filter=Q(
                    proposal__satisfaction__in=[
                        Satisfaction.SATISFIED,
                        Satisfaction.BASICALLY_SATISFIED,
                    ]
                ),
            ),
            resolved=Count("pk", filter=Q(proposal__reply_class=ReplyClass.A)),
        )
        .order_by("lead_department__name")
    )
    overall = Figures()
    by_department = []
    for row in rows:
        figures = Figures(**{name: row[name] for name in COUNTS})
        for name in COUNTS:
            setattr(overall, name, getattr(overall, name) + row[name])
        by_department.append((row["lead_department"], row["lead_department__name"], figures))
    return {"overall": overall, "by_department": by_department}
