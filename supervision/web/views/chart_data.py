"""The charts' data, answered as JSON apart from their pages (``data-chart-url``), so a page
stays a few queries and the charts follow: the district's monthly investment against plan
and 序时进度, open tasks by unit and light, and each unit's place per published quarter."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import JsonResponse

from accounts.models import Department
from core import clock
from projects.choices import Light
from projects.models import InvestmentReport, Project
from supervision.cache import cached
from supervision.loop.models import EscalationPolicy
from supervision.scorecards.dashboard import unit_task_figures
from supervision.web import charts

UNITS_SHOWN = 15
RANKED_UNITS = 8


def _district_investment(today) -> dict:
    """Planned projects of the year (the district rate's base), summed by month."""
    planned = Q(project__year=today.year, project__is_archived=False)
    planned &= Q(project__annual_plan_investment__gt=0, period__year=today.year)
    amounts = dict(
        InvestmentReport.objects.filter(planned)
        .annotate(month=ExtractMonth("period"))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    plan = Project.objects.filter(year=today.year, is_archived=False).aggregate(
        plan=Sum("annual_plan_investment")
    )["plan"]
    figures = charts.monthly_investment(
        year=today.year, annual_plan=plan or 0, amounts=amounts, today=today
    )
    return charts.investment_option(figures)


def _lights_by_unit(today) -> dict:
    """The units with the most red (then yellow, green) open tasks, from the stored figures
    (``unit_task_figures``, as the dashboard's counts)."""
    units = unit_task_figures(today, EscalationPolicy.current())
    names = {
        pk: (name, short_name)
        for pk, name, short_name in Department.objects.filter(pk__in=units).values_list(
            "pk", "name", "short_name"
        )
    }
    rows = sorted(
        (
            {"name": names[pk][0], "label": names[pk][1] or names[pk][0]}
            | {light: unit[light] for light in Light.values}
            for pk, unit in units.items()
            if any(unit[light] for light in Light.values)
        ),
        key=lambda row: (
            *(-row[light] for light in reversed(Light.values)),
            row["name"],
        ),  # red first
    )
    return charts.lights_by_unit_option(rows[:UNITS_SHOWN])


def _district_charts(today) -> dict:
    return {"investment": _district_investment(today), "lights": _lights_by_unit(today)}


@login_required
def district_charts(request):
    """The district's charts, cached until the data changes (``supervision.cache``)."""
    today = clock.today()
    return JsonResponse(
        cached("district-charts", today, compute=lambda: _district_charts(today)),
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def ranking_trend(request):
    """Places per published quarter (RankingSnapshot) of the units best placed last."""
    from supervision.scorecards.models import RankingSnapshot

    snapshots = list(RankingSnapshot.objects.order_by("period").values("period", "rows"))
    periods = [snapshot["period"] for snapshot in snapshots]
    places: dict[str, dict[str, int]] = {}
    for snapshot in snapshots:
        for row in snapshot["rows"]:
            name = row.get("department_label") or row.get("department_name")
            place = row.get("rank") or row.get("place")
            if name and place:
                places.setdefault(name, {})[snapshot["period"]] = place
    latest = periods[-1] if periods else None
    shown = sorted(
        (name for name in places if latest in places[name]), key=lambda n: places[n][latest]
    )[:RANKED_UNITS]
    lines = {name: [places[name].get(period) for period in periods] for name in shown}
    return JsonResponse(
        {"trend": charts.ranking_trend_option(periods, lines)},
        json_dumps_params={"ensure_ascii": False},
    )
