"""The quarterly ranking (赛马比拼): report-card totals and places with the units' working
figures. Names kept from the former ``rankings`` module; publishing (晾晒) moved to
``supervision.scorecards.publish`` (``publish_ranking`` is still its name there)."""

from supervision.scorecards.periods import (
    PERIOD_MESSAGE,
    Quarter,
    parse_period,
    period_of,
    report_periods,
)
from supervision.scorecards.rankings.figures import figures_row, unit_figures
from supervision.scorecards.rankings.ranking import (
    compute_scorecards,
    department_scorecards,
    ranking,
    snapshot_data,
)

__all__ = [
    "PERIOD_MESSAGE",
    "Quarter",
    "compute_scorecards",
    "department_scorecards",
    "figures_row",
    "parse_period",
    "period_of",
    "ranking",
    "report_periods",
    "snapshot_data",
    "unit_figures",
]
