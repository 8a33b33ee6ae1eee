"""The report cards' scoring and writing, made fast for a hundred units (issue 18), give
what the rules read literally give: every card, total, place and string of the docstring's
formulas computed the plain way, on figures with ties, cards without a base, rescaled
cards, zero weights and negative adjustments."""

import random
from decimal import Decimal

from supervision.api.scorecards import _cents, _cents_memo
from supervision.scorecards.cards import (
    FLAG_COUNT,
    ZERO,
    place_and_flag,
    rule_weights,
    score_card,
    total_of,
)
from supervision.scorecards.choices import Component, Flag, Track
from supervision.scorecards.measures import pct, q2
from supervision.scorecards.models import ScoringRule

CARD_KEYS = ("domain", "weight", "base", "adjustment", "score", "rescaled", "components")


def plain_card(rule, figures, investment, adjustment):
    """The card as the module docstring reads, component by component."""
    components = []
    for component in Component:
        weight = getattr(rule, f"{component}_weight")
        if component == Component.INVESTMENT:
            judged = met = None
            value = investment
        else:
            counts = figures.get(component) or {"judged": 0, "met": 0}
            judged, met = counts["judged"], counts["met"]
            value = pct(met, judged)
        components.append(
            {
                "component": component.value,
                "weight": weight,
                "judged": judged,
                "met": met,
                "value": value,
                "counted": bool(weight) and value is not None,
            }
        )
    counted = [c for c in components if c["counted"]]
    base = None
    if counted:
        base = q2(
            sum(c["weight"] * c["value"] for c in counted) / sum(c["weight"] for c in counted)
        )
    left_out = any(c["weight"] and c["value"] is None for c in components)
    score = None if base is None else base + adjustment
    rescaled = base is not None and left_out
    values = (rule.domain, rule.card_weight, base, adjustment, score, rescaled, components)
    return dict(zip(CARD_KEYS, values, strict=True))


def plain_total(cards):
    based = [card for card in cards if card["base"] is not None and card["weight"]]
    if not based:
        return None
    mean = q2(sum(c["weight"] * c["base"] for c in based) / sum(c["weight"] for c in based))
    return mean + sum((card["adjustment"] for card in cards), ZERO)


def plain_place_and_flag(rows):
    for track in Track.values:
        ranked = [row for row in rows if row["track"] == track and row["total"] is not None]
        totals = [row["total"] for row in ranked]
        k = min(FLAG_COUNT, len(ranked) // 3)
        for row in ranked:
            row["place"] = 1 + sum(total > row["total"] for total in totals)
            from_bottom = 1 + sum(total < row["total"] for total in totals)
            top, bottom = row["place"] <= k, from_bottom <= k
            row["flag"] = Flag.TOP.value if top and not bottom else ""
            if bottom and not top:
                row["flag"] = Flag.BOTTOM.value
    for row in rows:
        if row["total"] is None:
            row["place"], row["flag"] = None, ""


def random_rule(rng, domain):
    weights = {f: rng.choice([0, 0, 1, 7, 20, 25, 30, 33]) for f in ScoringRule.COMPONENT_FIELDS}
    if not any(weights.values()):
        weights["nodes_weight"] = 3
    return ScoringRule(domain=domain, card_weight=rng.choice([0, 1, 1, 2, 3]), **weights)


def random_figures(rng):
    figures = {}
    for component in ("indicators", "nodes", "closure", "problems"):
        judged = rng.choice([0, 0, 1, 3, 6, 7, 9])
        if rng.random() < 0.8:
            figures[component] = {"judged": judged, "met": rng.randint(0, judged)}
    return figures


def remembered_pct():
    memo = {}

    def percent(met, judged):
        return memo.setdefault((met, judged), pct(met, judged))

    return percent


ADJUSTMENTS = [ZERO, ZERO, ZERO, Decimal("-0.50"), Decimal("2.25"), Decimal("-3.33"), Decimal("-0")]


def test_cards_totals_and_places_equal_the_plain_computation():
    rng = random.Random(18)  # noqa: S311 — reproducible figures
    for _ in range(40):
        rules = [random_rule(rng, domain) for domain in ("party", "economy", "ecology")]
        weights = [rule_weights(rule) for rule in rules]
        percent = remembered_pct()

        rows, plain_rows = [], []
        for code in range(rng.randint(1, 14)):
            investment = rng.choice([None, Decimal("0.00"), Decimal("57.14"), Decimal("100.00")])
            cards, plain_cards = [], []
            for rule, weight in zip(rules, weights, strict=True):
                figures = random_figures(rng)
                adjustment = rng.choice(ADJUSTMENTS)
                card = score_card(
                    rule, figures, investment, adjustment, weights=weight, pct=percent
                )
                assert card == plain_card(rule, figures, investment, adjustment)
                assert tuple(card) == CARD_KEYS  # the answer's order
                assert card == score_card(rule, figures, investment, adjustment)
                cards.append(card)
                plain_cards.append(plain_card(rule, figures, investment, adjustment))
            adjustment = sum((card["adjustment"] for card in cards), ZERO)
            total = total_of(cards, adjustment)
            assert total == total_of(cards) == plain_total(plain_cards)
            if total is not None:
                assert str(total) == str(plain_total(plain_cards))  # the same exponent too
            track = rng.choice(Track.values)
            rows.append({"code": code, "track": track, "total": total})
            plain_rows.append({"code": code, "track": track, "total": total})
        if rng.random() < 0.5:  # ties: several units of a track with one total
            for row, plain in zip(rows, plain_rows, strict=True):
                if row["total"] is not None and rng.random() < 0.6:
                    row["total"] = plain["total"] = Decimal("80.00")
        place_and_flag(rows)
        plain_place_and_flag(plain_rows)
        assert rows == plain_rows


def test_every_total_equal_flags_no_one_and_ties_share_a_place():
    rows = [{"track": "town", "total": Decimal("90.00")} for _ in range(6)]
    rows += [
        {"track": "department", "total": t}
        for t in (Decimal("70"), Decimal("90.00"), Decimal("90"), None, Decimal("50.5"))
    ]
    place_and_flag(rows)
    assert [(r["place"], r["flag"]) for r in rows[:6]] == [(1, "")] * 6
    assert [(r["place"], r["flag"]) for r in rows[6:]] == [
        (3, ""),
        (1, "top"),
        (1, "top"),
        (None, ""),
        (4, "bottom"),
    ]


def test_remembered_cents_equal_cents_signed_zero_included():
    values = [
        None,
        Decimal("0"),
        Decimal("-0"),
        Decimal("0.00"),
        Decimal("-0.00"),
        Decimal("0E+3"),
        Decimal("0.004"),
        Decimal("-0.004"),
        Decimal("0.005"),
        Decimal("-0.005"),
        Decimal("1.5"),
        Decimal("1.50"),
        Decimal("-1.5"),
        Decimal("99.995"),
        Decimal("100"),
        0,
        7,
        "2.345",
        "-0",
        "0",
    ]
    rng = random.Random(11)  # noqa: S311 — reproducible orders
    for order in range(20):
        sequence = values * 3
        if order:
            rng.shuffle(sequence)
        cents = _cents_memo()
        assert [cents(v) for v in sequence] == [_cents(v) for v in sequence]
