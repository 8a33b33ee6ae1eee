"""2024Q1 scorecards worked out by hand (the fixture ``quarter`` in conftest.py).

Evaluated on 2024-04-15, so E = 2024-03-31 (a Sunday). Working days used below, from the
2024 calendar: Spring Festival 10–17 Feb off, Sunday 4 Feb and Sunday 18 Feb worked.

序时进度 on 31 March 2024: Jan 31 + Feb 29 + Mar 31 = 91 days of 366 → 24.863… → 24.86.
"""

import datetime as dt
from decimal import Decimal as D

import pytest

from supervision.scorecards.rankings import department_scorecards, parse_period, report_periods
from tests.rankings.conftest import AFTER_Q1

pytestmark = pytest.mark.django_db


def by_code(rows):
    return {row["department_code"]: row for row in rows}


def test_quarter_figures_match_the_hand_computation(quarter):
    rows = department_scorecards(period="2024Q1", today=AFTER_Q1)
    got = by_code(rows)

    # Who is listed: RA, RB, RC, RD. RX is inactive, RY leads only a cancelled task and RZ
    # only a draft; the supervision office leads nothing.
    assert set(got) == {"RA", "RB", "RC", "RD"}

    # ---- RA --------------------------------------------------------------------------
    # Due in Q1 (not draft A7, not cancelled A6; A5 is due in May): A1 A2 A3 A4 A8 → 5.
    # On time: A1 (closed 30 Jan ≤ 31 Jan) → 1.
    # Overdue: A2 closed 5 Mar > 29 Feb; A3 open, 27 Mar < E; A4 closed Sat 16 Mar 00:30
    #   Shanghai > 15 Mar; A8 closed 3 Apr > 28 Mar → 4.
    # Closed within Q1: A1 (30 Jan), A2 (5 Mar), A4 (16 Mar), A5 (20 Feb); A8 closed in April → 4.
    # Closure rate 1/5 = 20.00 %.
    # Overdue working days: A2 (29 Feb, 5 Mar] = Fri 1, Mon 4, Tue 5 → 3;
    #   A3 (27 Mar, 31 Mar] = Thu 28, Fri 29 → 2; A4 (Fri 15, Sat 16] → 0;
    #   A8 up to min(3 Apr, E) = 31 Mar: (28 Mar, 31 Mar] = Fri 29 → 1.  6 / 4 = 1.50.
    # Reports owed / met:
    #   A2 weekly, accepted Thu 1 Feb, submitted Mon 4 Mar: weeks ending Sun 4, 11, 18, 25 Feb
    #     and 3 Mar are owed (5); reports on 2 Feb (week to 4 Feb), 14 and 15 Feb (week to
    #     18 Feb, counted once), 26 Feb (week to 3 Mar) → 3 met.
    #   A3 monthly, accepted 5 Jan, in progress: Jan, Feb, Mar owed (3); 20 Jan meets Jan,
    #     1 Mar 00:30 Shanghai meets Mar (not Feb) → 2 met.
    #   A4 monthly, accepted 10 Mar, closed 16 Mar (no submission): handed in before the
    #     31 Mar → nothing owed.
    #   A5 monthly, accepted 10 Jan, submitted 19 Feb: Jan owed (Feb, Mar not) → 0 met.
    #   9 owed, 5 met → 55.555… → 55.56 %.
    # Investment: project PA plan 1000.00; Jan–Mar 100 + 50 + 150 = 300.00 (April's 200 is
    #   after E; the archived and the 2023 projects do not count) → 30.00 %.
    #   Gap 30.00 − 24.86 = 5.14.
    # Score: the report cards' total (tests/scorecards has the rules). Every task here is on
    #   the 经济 card: closure 20.00 ×25; investment min(100, 30.00/24.86 × 100 = 120.67…)
    #   = 100 ×20 → (500 + 2000) / 45 = 55.555… → 55.56; the other cards have nothing to
    #   judge, so the total is 经济's 55.56.
    ra = got["RA"]
    assert ra["department"] == quarter["departments"]["RA"].pk
    assert ra["department_name"] == "单位RA"
    assert (ra["tasks_due"], ra["on_time"], ra["overdue"], ra["closed"]) == (5, 1, 4, 4)
    assert ra["closure_rate"] == D("20.00")
    assert ra["avg_overdue_days"] == D("1.50")
    assert (ra["reports_due"], ra["reports_on_time"]) == (9, 5)
    assert ra["report_punctuality"] == D("55.56")
    assert ra["annual_plan_investment"] == D("1000.00")
    assert ra["completed_investment"] == D("300.00")
    assert ra["investment_completion"] == D("30.00")
    assert ra["time_progress"] == D("24.86")
    assert ra["investment_gap"] == D("5.14")
    assert ra["score"] == D("55.56")
    assert ra["track"] == "department"

    # ---- RB --------------------------------------------------------------------------
    # Due: B1 B2 B3 B4 → 4 (B5 was due in December). On time: B1 (12 Jan ≤ 15 Jan), B2
    #   (8 Feb 18:00 ≤ 8 Feb) → 2. Overdue: B4 (submitted, still open, 9 Feb < E) and B3 —
    #   due on E itself, still open once the quarter is over → 2.
    # Closed within Q1: B1, B2, B5 (3 Jan) → 3. Closure rate 2/4 = 50.00 %.
    # Overdue days B4: (Fri 9 Feb, Sun 31 Mar] = Sun 18 Feb (worked) + 6 full weeks
    #   19 Feb–29 Mar (30) → 31; B3: (31 Mar, 31 Mar] → 0. 31 / 2 = 15.50.
    # Reports: B3 quarterly, in progress since December: Q1 owed, report 31 Mar met (1/1);
    #   B4 monthly, submitted 8 Feb: Jan owed, met 25 Jan (Feb, Mar not owed) → 2/2 = 100.00.
    # No project: investment figures None.
    # Score: 经济 closure 50.00 alone → 50.00.
    rb = got["RB"]
    assert (rb["tasks_due"], rb["on_time"], rb["overdue"], rb["closed"]) == (4, 2, 2, 3)
    assert rb["closure_rate"] == D("50.00")
    assert rb["avg_overdue_days"] == D("15.50")
    assert (rb["reports_due"], rb["reports_on_time"]) == (2, 2)
    assert rb["report_punctuality"] == D("100.00")
    assert rb["annual_plan_investment"] is None
    assert rb["completed_investment"] is None
    assert rb["investment_completion"] is None
    assert rb["investment_gap"] is None
    assert rb["time_progress"] == D("24.86")
    assert rb["score"] == D("50.00")

    # ---- RC --------------------------------------------------------------------------
    # Its one task is due in June (once-only reports): no task component, nothing owed.
    # Project PC plan 2000.00, Jan–Mar 100 + 48.60 + 100 = 248.60 → 12.43 %; gap −12.43.
    # Score: 经济 investment only, 12.43 / 24.86 × 100 = 50.00 → 50.00.
    rc = got["RC"]
    assert (rc["tasks_due"], rc["on_time"], rc["overdue"], rc["closed"]) == (0, 0, 0, 0)
    assert rc["closure_rate"] is None
    assert rc["avg_overdue_days"] is None
    assert (rc["reports_due"], rc["reports_on_time"]) == (0, 0)
    assert rc["report_punctuality"] is None
    assert rc["completed_investment"] == D("248.60")
    assert rc["investment_completion"] == D("12.43")
    assert rc["investment_gap"] == D("-12.43")
    assert rc["score"] == D("50.00")

    # ---- RD: a Q3 task not yet signed for — nothing to judge, no score, no rank ------
    rd = got["RD"]
    assert (rd["tasks_due"], rd["reports_due"], rd["score"], rd["rank"]) == (0, 0, None, None)

    # ---- ranking: RA 55.56; RB and RC tie at 50.00 and share 2nd; RD unranked last.
    assert [(row["department_code"], row["rank"]) for row in rows] == [
        ("RA", 1),
        ("RB", 2),
        ("RC", 2),
        ("RD", None),
    ]


def test_running_quarter_counts_only_what_has_happened_by_today(quarter):
    """On Tuesday 20 Feb 2024 (E = today): 序时进度 = 51/366 = 13.934… → 13.93."""
    got = by_code(department_scorecards(period="2024Q1", today=dt.date(2024, 2, 20)))

    # RB: due B1 B2 B3 B4 (4), on time B1 B2 (2), overdue B4 only (9 Feb < 20 Feb; B3 due
    # 31 Mar is pending). B4's days (9 Feb, 20 Feb] = Sun 18 (worked), Mon 19, Tue 20 → 3.00.
    # Reports: January (ended) owed by B4 and met; Q1 (B3) and February have not ended → 1/1.
    # Closure: of what fell due (B1, B2, B4) 2 on time → 66.67, the 经济 card and the score.
    rb = got["RB"]
    assert (rb["tasks_due"], rb["on_time"], rb["overdue"]) == (4, 2, 1)
    assert rb["avg_overdue_days"] == D("3.00")
    assert (rb["reports_due"], rb["reports_on_time"]) == (1, 1)
    assert rb["time_progress"] == D("13.93")
    assert rb["closure_rate"] == D("66.67")
    assert rb["score"] == D("66.67")

    # RC: months up to 20 Feb: 100 + 48.60 = 148.60 / 2000 = 7.43 %;
    # 7.43 / 13.93 × 100 = 53.338… → 53.34 (经济's investment alone).
    rc = got["RC"]
    assert rc["investment_completion"] == D("7.43")
    assert rc["investment_gap"] == D("-6.50")
    assert rc["score"] == D("53.34")


def test_report_periods_of_a_quarter():
    q1 = parse_period("2024Q1")
    assert report_periods(q1, "quarterly") == [(dt.date(2024, 1, 1), dt.date(2024, 3, 31))]
    assert report_periods(q1, "monthly") == [
        (dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
    ]
    weeks = report_periods(q1, "weekly")
    # Sundays 7 Jan … 31 Mar: 13 weeks, Monday to Sunday.
    assert len(weeks) == 13
    assert weeks[0] == (dt.date(2024, 1, 1), dt.date(2024, 1, 7))
    assert weeks[-1] == (dt.date(2024, 3, 25), dt.date(2024, 3, 31))
    # 2024Q4 starts on a Tuesday: the week 30 Sep – 6 Oct ends in Q4 and belongs to it.
    q4_weeks = report_periods(parse_period("2024Q4"), "weekly")
    assert q4_weeks[0] == (dt.date(2024, 9, 30), dt.date(2024, 10, 6))
    assert len(q4_weeks) == 13
    # 2023Q4 has 14 Sundays (1 Oct … 31 Dec).
    assert len(report_periods(parse_period("2023Q4"), "weekly")) == 14


@pytest.mark.parametrize(
    "period",
    [
        "",
        "2024",
        "2024Q0",
        "2024Q5",
        "2024q1",
        "24Q1",
        "1999Q4",
        "2101Q1",
        "2024Q1\n",
        " 2024Q1",
        "２０２４Q1",
        "2024-Q1",
        None,
        2024,
    ],
)
def test_bad_period_is_a_value_error_in_chinese(period):
    with pytest.raises(ValueError, match="季度格式"):
        department_scorecards(period=period, today=AFTER_Q1)


@pytest.mark.parametrize("period", ["2000Q1", "2100Q4", "2024Q3"])
def test_boundary_periods_are_accepted(db, period):
    assert department_scorecards(period=period, today=AFTER_Q1) == []
