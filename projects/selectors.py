import functools

from django.conf import settings

from core import clock
from projects.models import Project


def project_list(*, today=None):
    """Projects with their derived figures, ready for a list (constant query count): the
    investment and next milestone read from ``ProjectFigure`` (one index lookup per row,
    where summing each project's reports and milestones took ~29 ms per page at L)."""
    today = today or clock.today()
    return _project_list(today, *(getattr(settings, name) for name in LIGHT_SETTINGS)).all()


# What ``with_figures`` reads besides the day.
LIGHT_SETTINGS = (
    "PROJECT_LIGHT_YELLOW_GAP",
    "PROJECT_LIGHT_RED_GAP",
    "PROJECT_MILESTONE_WARNING_DAYS",
)


@functools.lru_cache(maxsize=8)
def _project_list(today, *light_settings):
    """The list's queryset built once per day and settings: building its expressions was a
    sixth of a projects page's CPU. Never evaluated itself; callers get a copy (``.all()``)."""
    return Project.objects.with_figures(today, stored=True).select_related(
        "lead_department", "responsible_leader"
    )


def milestone_list(*, today=None):
    from django.db.models import BooleanField, Case, Q, Value, When

    from projects.models import Milestone

    today = today or clock.today()
    return Milestone.objects.select_related("project").annotate(
        is_overdue=Case(
            When(Q(completed_on__isnull=True, due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def investment_report_list():
    from projects.models import InvestmentReport

    return InvestmentReport.objects.select_related("project", "reported_by")
