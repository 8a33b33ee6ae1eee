"""The ranking (赛马比拼): each listed unit's report-card total and place beside its working
figures (``figures``). ``score`` is the report cards' total and ``rank`` the unit's place in
its track (``supervision.scorecards.cards``); the two lists always agree."""

import datetime as dt

from core import clock
from supervision.cache import cached
from supervision.scorecards.cards import (
    decode,
    live_header,
    live_report_cards,
    snapshot_header,
)
from supervision.scorecards.models import RankingSnapshot
from supervision.scorecards.periods import Quarter, parse_period
from supervision.scorecards.rankings.figures import figures_row, unit_figures


def compute_scorecards(
    *, quarter: Quarter, today: dt.date, cards: list[dict] | None = None
) -> list[dict]:
    """The ranking rows computed afresh, around the report cards' rows ``cards`` (by
    default the live ones, which may come from the cache)."""
    evaluation = quarter.evaluation_date(today)
    finished = today > quarter.end
    if cards is None:
        cards = live_report_cards(quarter, today)["rows"]
    figures = unit_figures(quarter=quarter, evaluation=evaluation, finished=finished)
    return [
        {
            "department": card["department"],
            "department_code": card["department_code"],
            "department_name": card["department_name"],
            "department_label": card["department_label"],
            "track": card["track"],
            "rank": card["place"],
            "score": card["total"],
            "flag": card["flag"],
            **figures_row(figures, card["department"]),
        }
        for card in cards
    ]


def department_scorecards(*, period: str, today: dt.date | None = None) -> list[dict]:
    """The quarter's ranking rows, by track and place. ``ValueError`` for a bad period.

    Cached until the data changes (``supervision.cache``).
    """
    quarter = parse_period(period)
    today = today or clock.today()
    return cached(
        "scorecards",
        quarter.label,
        quarter.evaluation_date(today),
        today > quarter.end,
        compute=lambda: compute_scorecards(quarter=quarter, today=today),
    )


def ranking(*, period: str, today: dt.date | None = None) -> dict:
    """A quarter's ranking: the published snapshot if there is one, else computed now.

    ``{"period", "published", "published_at", "published_by", "as_of", "rows"}``; the rows
    have the same shape (decimals as ``Decimal``) either way. ``ValueError`` for a bad period.
    """
    quarter = parse_period(period)
    snapshot = RankingSnapshot.objects.filter(period=quarter.label).first()
    if snapshot is not None:
        return snapshot_data(snapshot)
    today = today or clock.today()
    return {
        **live_header(quarter, today),
        "rows": department_scorecards(period=quarter.label, today=today),
    }


def snapshot_data(snapshot: RankingSnapshot) -> dict:
    return {**snapshot_header(snapshot), "rows": decode(snapshot.rows)}
