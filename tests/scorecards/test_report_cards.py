"""2024Q2 report cards worked out by hand (the fixture ``quarter`` in conftest.py).

Evaluated on 10 July 2024: the quarter is finished, E = 30 June 2024 (a Sunday).
序时进度 on 30 June 2024: day 182 of 366 → 49.7267… → 49.73.
Default weights (supervision.scorecards.rules): indicators 30, nodes 25, closure 25,
problems 20, investment 0 (经济 20); every card weighs 1. 文化's indicator weight was set to
0 by the office.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from supervision.scorecards.cards import report_cards
from tests.scorecards.conftest import AFTER_Q2

pytestmark = pytest.mark.django_db


def by_code(rows):
    return {row["department_code"]: row for row in rows}


def card(row, domain):
    return next(c for c in row["cards"] if c["domain"] == domain)


def component(row, domain, name):
    return next(c for c in card(row, domain)["components"] if c["component"] == name)


def test_each_card_of_a_unit_matches_the_hand_computation(quarter):
    da = by_code(report_cards(period="2024Q2", today=AFTER_Q2)["rows"])["DA"]

    # 党建: P1 closed 30 May ≤ 31 May; P2 open, due 14 Jun < E → 1/2 = 50.00. The draft and
    # the cancelled task do not count. Indicators, nodes, problems: nothing to judge, left
    # out, the closure alone carries the card.
    party = card(da, "party")
    assert (
        component(da, "party", "closure")["judged"],
        component(da, "party", "closure")["met"],
    ) == (2, 1)
    assert party["base"] == D("50.00")
    assert party["rescaled"] is True
    assert party["score"] == D("50.00")

    # 经济: indicators I1 (亿元, at_least 120): latest value of a period ended by E is
    # 2024Q2 = 62 (2024-07 ends after E) ≥ 120 × 6/12 = 60 → met; I2 (%, at_least 6.0) is
    # judged as it stands: 5.5 < 6.0 → not met; I3 has no value, I4 no responsible unit →
    # 1/2 = 50.00. Nodes: #1 done 10 May ≤ 15 May, #2 done 12 Jun > 10 Jun, #3 due in Q3,
    # #4 only proposed → 1/2 = 50.00. Investment: Jan–Jun 400.00 of 1000.00 = 40.00 %;
    # 40.00 / 49.73 × 100 = 80.434… → 80.43. No closure, no problems (left out):
    # (30 × 50.00 + 25 × 50.00 + 20 × 80.43) / 75 = 4358.60 / 75 = 58.1146… → 58.11.
    assert (
        component(da, "economy", "indicators")["judged"],
        component(da, "economy", "indicators")["met"],
    ) == (2, 1)
    assert component(da, "economy", "nodes")["value"] == D("50.00")
    assert component(da, "economy", "investment")["value"] == D("80.43")
    assert component(da, "economy", "closure")["value"] is None
    assert component(da, "economy", "closure")["counted"] is False
    assert card(da, "economy")["base"] == D("58.11")
    assert card(da, "economy")["rescaled"] is True
    assert da["investment_completion"] == D("40.00")
    assert da["time_progress"] == D("49.73")

    # 平安: closed 15 Apr 17:00 on its deadline day → 100.00; 扣分 2 → 98.00.
    safety = card(da, "safety")
    assert (safety["base"], safety["adjustment"], safety["score"]) == (
        D("100.00"),
        D("-2"),
        D("98.00"),
    )

    # 改革: node #1 done on its due day (30 Apr), #2 (15 Jun) never done, the early-closed
    # task's node (20 May) is owed by nobody: closed 1 May ≤ 20 May → on time. 2/3 = 66.67.
    nodes = component(da, "reform", "nodes")
    assert (nodes["judged"], nodes["met"], nodes["value"]) == (3, 2, D("66.67"))
    assert card(da, "reform")["base"] == D("66.67")

    # 创新: N1 at_most 100 万吨, June value 55, not prorated → met → 100.00.
    assert card(da, "innovation")["base"] == D("100.00")

    # 生态: E1 about 50 % ± 1: 50.8 → met (100.00); the task due Fri 28 Jun closed 2 Jul →
    # late (0.00). (30 × 100 + 25 × 0) / 55 = 54.5454… → 54.55.
    assert component(da, "ecology", "indicators")["value"] == D("100.00")
    assert component(da, "ecology", "closure")["value"] == D("0.00")
    assert card(da, "ecology")["base"] == D("54.55")

    # 文化: C1 is met but its weight is 0 (the office's rule): shown, not counted. Node on
    # time 100.00, the assigned task due 3 Jun never closed 0.00 → (25 × 100 + 25 × 0) / 50.
    c1 = component(da, "culture", "indicators")
    assert (c1["weight"], c1["value"], c1["counted"]) == (0, D("100.00"), False)
    assert card(da, "culture")["base"] == D("50.00")

    # 民生: 29 Apr ≤ 30 Apr, 31 May 23:00 ≤ 31 May (Shanghai), 6 Jun > 5 Jun → 2/3 = 66.67;
    # 加分 1.5 → 68.17.
    livelihood = card(da, "livelihood")
    assert (livelihood["base"], livelihood["score"]) == (D("66.67"), D("68.17"))

    # Total: (50.00 + 58.11 + 100.00 + 66.67 + 100.00 + 54.55 + 50.00 + 66.67) / 8
    # = 546.00 / 8 = 68.25; adjustments −2 + 1.5 → 67.75.
    assert da["adjustment"] == D("-0.5")
    assert da["total"] == D("67.75")


def test_places_ties_flags_and_who_is_listed(quarter):
    data = report_cards(period="2024Q2", today=AFTER_Q2)
    rows = data["rows"]

    # Listed: units with something assigned in 2024. Not listed: the office (it leads a
    # closed Q2 task), DF (only a draft and a cancelled task), DX (inactive).
    assert [
        (r["department_code"], r["track"], r["place"], r["total"], r["flag"]) for r in rows
    ] == [
        # DC 100.00; DA 67.75 and DB (3/4 = 75.00 − 7.25 = 67.75) share 2nd; DD 0.00 is 4th.
        # 4 ranked → k = min(3, 4 // 3) = 1: DC top, DD bottom. DE has nothing to judge.
        ("DC", "department", 1, D("100.00"), "top"),
        ("DA", "department", 2, D("67.75"), ""),
        ("DB", "department", 2, D("67.75"), ""),
        ("DD", "department", 4, D("0.00"), "bottom"),
        ("DE", "department", None, None, ""),
        # Towns (乡镇 and 街道 together): TA 1/2 (the task due Sun 30 Jun never closed) and
        # TB 1/2 tie first; TC is third (1, 1, 3). k = 1: both first are top, TC bottom.
        ("TA", "town", 1, D("50.00"), "top"),
        ("TB", "town", 1, D("50.00"), "top"),
        ("TC", "town", 3, D("0.00"), "bottom"),
    ]
    assert data["published"] is False
    assert data["as_of"] == dt.date(2024, 6, 30)
    assert {rule["domain"]: rule["indicators_weight"] for rule in data["rules"]}["culture"] == 0

    towns = report_cards(period="2024Q2", today=AFTER_Q2, track="town")["rows"]
    assert [r["department_code"] for r in towns] == ["TA", "TB", "TC"]


def test_running_quarter_leaves_what_is_due_today_pending(quarter):
    """On Friday 28 June (E = today): the 生态 task due today, closed only on 2 July, is
    pending — neither late nor on time."""
    da = by_code(report_cards(period="2024Q2", today=dt.date(2024, 6, 28))["rows"])["DA"]
    assert component(da, "ecology", "closure")["judged"] == 0
    # Node #2 of 改革 (15 Jun) is past due; the 序时进度 on 28 June: 180 / 366 → 49.18.
    assert component(da, "reform", "nodes")["judged"] == 3
    assert da["time_progress"] == D("49.18")
    # TA's task due on Sunday 30 June is not yet due: TA is judged on its closed task alone.
    ta = by_code(report_cards(period="2024Q2", today=dt.date(2024, 6, 28))["rows"])["TA"]
    assert ta["total"] == D("100.00")


def test_a_unit_with_nothing_to_judge_is_listed_without_place(quarter):
    de = by_code(report_cards(period="2024Q2", today=AFTER_Q2)["rows"])["DE"]
    assert all(card["base"] is None and card["score"] is None for card in de["cards"])
    assert de["total"] is None
    assert de["place"] is None
