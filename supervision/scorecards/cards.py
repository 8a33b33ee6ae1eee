"""八张报表: each unit's eight report cards for a quarter, scored, totalled and placed.

``report_cards(period="2024Q2")`` answers the published snapshot (晾晒) when there is one,
else computes (``compute_report_cards``, cached until the data changes). What each
component measures: ``supervision.scorecards.measures``; who is listed: ``measures.units``
(the supervision office and units with nothing assigned are not); the weights:
``supervision.scorecards.rules``.

Scores (0–100, 2 decimals, ROUND_HALF_UP, each computed from the displayed figures below it)
    - component value: met / judged × 100 for indicators, nodes, closure (and problems);
      investment: min(100, investment completion / 序时进度 × 100) (≥ 0). A component with
      nothing to judge (judged = 0, no planned investment) has no value.
    - card base = Σ weight × value / Σ weight over the card's components that have a value
      and a weight: a component that cannot be judged is left out and the others rescaled
      (``rescaled`` says so). No component with a value: the card has no base.
    - card score = base + the card's 加分/扣分 (None without a base).
    - total = Σ card weight × base / Σ card weight over the cards with a base, plus every
      加分/扣分 of the unit (an adjustment counts even on a card with no base). No card with
      a base: no total, not ranked.

Place and flags, per track (赛道)
    place = 1 + the number of the track's units with a higher total, so equal totals share
    a place (1, 1, 3). With n ranked units, k = min(3, n // 3): a unit whose place is ≤ k
    is flagged ``top``; one whose place counted from the bottom (1 + the number with a lower
    total) is ≤ k is flagged ``bottom``; one that is both (every total equal) neither.
"""

import datetime as dt
import functools
import json
from bisect import bisect_left, bisect_right
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder

from core import clock
from projects.querysets import year_time_progress
from supervision.cache import cached
from supervision.choices import Domain
from supervision.scorecards import measures
from supervision.scorecards.choices import Component, Flag, Track, track_of
from supervision.scorecards.measures import HUNDRED, pct, q2
from supervision.scorecards.models import RankingSnapshot
from supervision.scorecards.periods import Quarter, parse_period
from supervision.scorecards.rules import current_rules, rules_data

FLAG_COUNT = 3
ZERO = Decimal(0)
COUNTED = (Component.INDICATORS, Component.NODES, Component.CLOSURE, Component.PROBLEMS)
# Keys holding decimals, at any depth (a snapshot stores them as strings).
DECIMAL_KEYS = frozenset(
    {
        "value",
        "base",
        "adjustment",
        "score",
        "total",
        "investment_completion",
        "time_progress",
        "closure_rate",
        "avg_overdue_days",
        "report_punctuality",
        "annual_plan_investment",
        "completed_investment",
        "investment_gap",
    }
)


def investment_value(completion: Decimal | None, time_progress: Decimal) -> Decimal | None:
    """min(100, completion / 序时进度 × 100), not below 0; None when it cannot be judged."""
    if completion is None or not time_progress:
        return None
    return q2(max(ZERO, min(HUNDRED, completion * HUNDRED / time_progress)))


# The components in their order (``Component``), each with its rule field, as plain strings.
COMPONENTS = tuple((component.value, f"{component.value}_weight") for component in Component)
INVESTMENT = Component.INVESTMENT.value
NOTHING_JUDGED = {"judged": 0, "met": 0}
DOMAINS = tuple(Domain.values)
TRACKS = tuple(Track.values)
TOP, BOTTOM = Flag.TOP.value, Flag.BOTTOM.value


def rule_weights(rule) -> tuple[tuple[str, int], ...]:
    """``((component, weight), …)`` of a rule, in the components' order."""
    return tuple((component, getattr(rule, field)) for component, field in COMPONENTS)


def score_card(
    rule, figures: dict, investment: Decimal | None, adjustment: Decimal, *, weights=None, pct=pct
) -> dict:
    """One card: its components, base, adjustment and score (module docstring).

    ``figures``: ``{component: {"judged", "met"}}`` for the counted components. ``weights``
    (``rule_weights(rule)``) and ``pct`` (a memo of ``measures.pct``) spare a caller scoring
    many cards with one rule the repeated work."""
    components = []
    total_weight = 0
    weighted = 0
    left_out = False
    for component, weight in weights or rule_weights(rule):
        if component == INVESTMENT:
            judged = met = None
            value = investment
        else:
            counts = figures.get(component) or NOTHING_JUDGED
            judged, met = counts["judged"], counts["met"]
            value = pct(met, judged)
        counted = bool(weight) and value is not None
        if counted:  # Σ in the components' order, as the docstring's formula reads
            total_weight += weight
            weighted += weight * value
        elif weight:
            left_out = True  # weighed but cannot be judged
        components.append(
            {
                "component": component,
                "weight": weight,
                "judged": judged,
                "met": met,
                "value": value,
                "counted": counted,
            }
        )
    base = q2(weighted / total_weight) if total_weight else None
    return {
        "domain": rule.domain,
        "weight": rule.card_weight,
        "base": base,
        "adjustment": adjustment,
        "score": None if base is None else base + adjustment,
        "rescaled": base is not None and left_out,
        "components": components,
    }


def total_of(cards: list[dict], adjustment: Decimal | None = None) -> Decimal | None:
    """Weighted mean of the card bases plus every adjustment (module docstring);
    ``adjustment``: their sum when the caller has it."""
    total_weight = 0
    weighted = 0
    for card in cards:
        if card["base"] is not None and card["weight"]:
            total_weight += card["weight"]
            weighted += card["weight"] * card["base"]
    if not total_weight:
        return None
    if adjustment is None:
        adjustment = sum((card["adjustment"] for card in cards), ZERO)
    return q2(weighted / total_weight) + adjustment


def place_and_flag(rows: list[dict]) -> None:
    """Set ``place`` and ``flag`` on each row, per track (module docstring)."""
    for track in TRACKS:
        ranked = [row for row in rows if row["track"] == track and row["total"] is not None]
        totals = sorted(row["total"] for row in ranked)
        n = len(totals)
        k = min(FLAG_COUNT, n // 3)
        for row in ranked:
            total = row["total"]
            row["place"] = place = 1 + n - bisect_right(totals, total)  # 1 + how many higher
            from_bottom = 1 + bisect_left(totals, total)  # 1 + how many lower
            top, bottom = place <= k, from_bottom <= k
            row["flag"] = TOP if top and not bottom else BOTTOM if bottom and not top else ""
    for row in rows:
        if row["total"] is None:
            row["place"], row["flag"] = None, ""


def compute_report_cards(*, quarter: Quarter, evaluation: dt.date, finished: bool) -> dict:
    """Every listed unit's cards, computed afresh (a constant number of queries):
    ``{"rules": [...], "rows": [...]}``, rows by track, place, code."""
    rules = current_rules()
    closure = measures.closure(quarter, evaluation, finished)
    nodes = measures.nodes(quarter, evaluation, finished)
    indicators = measures.indicators(quarter, evaluation)
    problems = measures.problems(quarter, evaluation)
    investment = measures.investment(quarter, evaluation)
    adjustments = measures.adjustments(quarter)
    time_progress = year_time_progress(quarter.year, evaluation)

    weights = {domain: rule_weights(rule) for domain, rule in rules.items()}
    percent = functools.cache(pct)  # once per distinct (met, judged)

    rows = []
    for unit in measures.units(quarter):
        money = investment.get(unit["id"])
        completion = pct(q2(money["completed"]), q2(money["plan"])) if money else None
        invest = investment_value(completion, time_progress)
        cards = []
        adjustment = ZERO
        for domain in DOMAINS:
            key = (unit["id"], domain)
            figures = {
                Component.INDICATORS: indicators.get(key),
                Component.NODES: nodes.get(key),
                Component.CLOSURE: closure.get(key),
                Component.PROBLEMS: problems.get(key),
            }
            card = score_card(
                rules[domain],
                figures,
                invest,
                adjustments.get(key, ZERO),
                weights=weights[domain],
                pct=percent,
            )
            adjustment += card["adjustment"]
            cards.append(card)
        rows.append(
            {
                "department": unit["id"],
                "department_code": unit["code"],
                "department_name": unit["name"],
                "department_label": unit["short_name"] or unit["name"],
                "track": track_of(unit["kind"]),
                "investment_completion": completion,
                "time_progress": time_progress,
                "adjustment": adjustment,
                "total": total_of(cards, adjustment),
                "cards": cards,
            }
        )
    place_and_flag(rows)
    order = {track: n for n, track in enumerate(TRACKS)}
    rows.sort(
        key=lambda r: (order[r["track"]], r["place"] is None, r["place"] or 0, r["department_code"])
    )
    return {"rules": rules_data(rules), "rows": rows}


# --- reading: the published snapshot, or computed now ---------------------------------------


def encode(data):
    """Plain JSON (decimals and dates as strings), as a snapshot stores it."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def decode(data):
    """The inverse of ``encode`` for the decimal keys, at any depth."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if isinstance(data, dict):
        return {
            key: (
                Decimal(value) if key in DECIMAL_KEYS and isinstance(value, str) else decode(value)
            )
            for key, value in data.items()
        }
    return data


def live_report_cards(quarter: Quarter, today: dt.date) -> dict:
    """The quarter computed on ``today`` (cached until the data changes)."""
    evaluation = quarter.evaluation_date(today)
    finished = today > quarter.end
    return cached(
        "report_cards",
        quarter.label,
        evaluation,
        finished,
        compute=lambda: compute_report_cards(
            quarter=quarter, evaluation=evaluation, finished=finished
        ),
    )


def report_cards(*, period: str, today: dt.date | None = None, track: str | None = None) -> dict:
    """A quarter's report cards: the published snapshot if there is one, else computed now.

    ``{"period", "published", "published_at", "published_by", "as_of", "rules", "rows"}``
    (rows of one track when ``track`` is given). ``ValueError`` for a bad period.
    """
    quarter = parse_period(period)
    snapshot = RankingSnapshot.objects.filter(period=quarter.label).first()
    if snapshot is not None:
        data = {
            **snapshot_header(snapshot),
            "rules": decode(snapshot.rules),
            "rows": decode(snapshot.report_cards),
        }
    else:
        today = today or clock.today()
        data = {
            **live_header(quarter, today),
            **live_report_cards(quarter, today),
        }
    if track:
        data = {**data, "rows": [row for row in data["rows"] if row["track"] == track]}
    return data


def snapshot_header(snapshot: RankingSnapshot) -> dict:
    return {
        "period": snapshot.period,
        "published": True,
        "published_at": snapshot.published_at,
        "published_by": snapshot.published_by_id,
        "as_of": snapshot.as_of,
    }


def live_header(quarter: Quarter, today: dt.date) -> dict:
    return {
        "period": quarter.label,
        "published": False,
        "published_at": None,
        "published_by": None,
        "as_of": quarter.evaluation_date(today),
    }
