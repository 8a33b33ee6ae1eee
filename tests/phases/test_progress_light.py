"""Lights from progress (issue 13, DESIGN.md "Phased targets"): nodes and the 序时 target.

A task of 100 due 2024-12-31 with nodes Q1 25 (03-31) and Q2 50 (06-30): on Wed 05-15 the
序时 target is 25 + 25 × 45/91 = 37.36 (03-31 → 05-15 is 45 days of 91 to 06-30), so a value
of 30 lags by 7.36 points (green), 27 by 10.36 (yellow: > 10), 17 by 20.36 (red: > 20)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supervision.loop.selectors import overdue_days, task_list
from supervision.models import EscalationPolicy, Indicator
from tests import factories
from tests.clients import API, bearer_client

pytestmark = pytest.mark.django_db
MAY_15 = dt.date(2024, 5, 15)


def lit(task, today=MAY_15):
    return task_list(today=today).get(pk=task.pk)


def quarterly(latest=None, **fields):
    task = factories.TaskFactory(
        status="in_progress",
        target_value=Decimal("100"),
        latest_value=latest,
        deadline=dt.date(2024, 12, 31),
        **fields,
    )
    factories.NodeFactory(
        task=task,
        sequence=1,
        due_date=dt.date(2024, 3, 31),
        target_value=Decimal("25"),
        status="done",
        completed_on=dt.date(2024, 3, 29),
        value=Decimal("26"),
    )
    factories.NodeFactory(
        task=task, sequence=2, due_date=dt.date(2024, 6, 30), target_value=Decimal("50")
    )
    return task


@pytest.mark.parametrize(
    ("latest", "lag", "colour"),
    [
        ("40", "-2.64", "green"),  # ahead
        ("30", "7.36", "green"),
        ("27.5", "9.86", "green"),
        ("27", "10.36", "yellow"),  # behind by more than the yellow gap (10)
        ("17.5", "19.86", "yellow"),
        ("17", "20.36", "red"),  # behind by more than the red gap (20)
    ],
)
def test_a_lagging_task_turns_yellow_then_red_at_the_policy_gaps(latest, lag, colour):
    task = lit(quarterly(Decimal(latest)))
    assert task.schedule_target.quantize(Decimal("0.01")) == Decimal("37.36")
    assert task.lag.quantize(Decimal("0.01")) == Decimal(lag)
    assert task.light == colour


def test_the_gaps_come_from_the_active_policy():
    task = quarterly(Decimal("30"))  # 7.36 behind
    EscalationPolicy.objects.create(name="从严", yellow_gap=5, red_gap=7)
    assert lit(task).light == "red"


def test_without_nodes_the_schedule_is_linear_in_the_year():
    task = factories.TaskFactory(
        status="in_progress", target_value=Decimal("120"), latest_value=Decimal("40")
    )
    row = lit(task, dt.date(2024, 7, 1))  # 182 of 365 days since 01-01
    assert row.schedule_target.quantize(Decimal("0.01")) == Decimal("59.84")
    assert row.light == "yellow"  # 16.5 points behind


def test_no_value_or_no_target_to_reach_means_no_lag():
    assert lit(quarterly(None)).lag is None
    at_most = quarterly(Decimal("90"), target_comparison="at_most")
    assert lit(at_most).lag is None
    assert lit(at_most).light == "green"


def test_a_task_linked_to_an_indicator_reads_the_indicators_value():
    indicator = Indicator.objects.create(
        code="JOBS", name="城镇新增就业", domain="livelihood", unit="人", latest_value=Decimal("17")
    )
    task = lit(quarterly(Decimal("40"), indicator=indicator))
    assert task.current_value == Decimal("17")
    assert task.light == "red"


def test_an_overdue_node_turns_the_task_red_and_counts_its_overdue_days():
    task = quarterly(Decimal("60"))  # ahead of schedule
    # On Mon 07-08 the Q2 node (Sun 06-30) is 6 working days overdue (07-01 .. 07-08).
    row = lit(task, dt.date(2024, 7, 8))
    assert row.light == "red"
    assert row.is_overdue
    assert overdue_days(row, dt.date(2024, 7, 8)) == 6


def test_a_node_in_the_warning_window_turns_the_task_yellow():
    task = quarterly(Decimal("60"))
    assert lit(task, dt.date(2024, 6, 26)).light == "yellow"  # 06-27, 28 left: 2 ≤ 3
    assert lit(task, dt.date(2024, 6, 20)).light == "green"


def test_proposed_and_done_nodes_are_not_chased():
    task = quarterly(Decimal("60"))
    task.nodes.filter(sequence=2).update(status="proposed")
    assert lit(task, dt.date(2024, 7, 8)).light == "green"


@pytest.mark.parametrize("status", ["closed", "cancelled"])
def test_a_closed_or_cancelled_task_has_no_light(status):
    task = quarterly(Decimal("1"))
    task.status = status
    task.closed_at = dt.datetime(2024, 5, 1, tzinfo=dt.UTC) if status == "closed" else None
    task.save()
    row = lit(task, dt.date(2024, 7, 8))
    assert row.light is None
    assert overdue_days(row, dt.date(2024, 7, 8)) == 0


def test_the_list_is_one_query_whatever_its_length(settings):
    settings.SUPERVISION_TODAY = MAY_15
    quarterly(Decimal("10"))
    with CaptureQueriesContext(connection) as one:
        rows = list(task_list(today=MAY_15))
    for _ in range(20):
        quarterly(Decimal("30"))
    with CaptureQueriesContext(connection) as many:
        rows = list(task_list(today=MAY_15))
    assert len(rows) == 21
    assert len(many.captured_queries) == len(one.captured_queries) <= 2  # policy + the list


def test_the_api_shows_the_light_the_lag_the_nodes_and_filters_on_them(settings, viewer):
    settings.SUPERVISION_TODAY = MAY_15
    behind, fine = quarterly(Decimal("17")), quarterly(Decimal("40"))
    late = quarterly(Decimal("60"))  # ahead of its schedule, but a node is overdue
    late.nodes.filter(sequence=2).update(due_date=dt.date(2024, 5, 10))
    closed = factories.TaskFactory(status="closed")
    client = bearer_client(viewer)
    rows = {row["id"]: row for row in client.get(API + "tasks/?page_size=10").json()["results"]}
    assert rows[behind.pk]["light"] == "red"
    assert rows[behind.pk]["lag"] == "20.3626"
    assert rows[behind.pk]["schedule_target"] == "37.3626"
    assert rows[fine.pk]["light"] == "green"
    assert rows[late.pk]["overdue_days"] == 4  # 05-11 (make-up Saturday), 13, 14, 15
    assert rows[closed.pk]["light"] is None
    assert rows[fine.pk]["nodes_summary"] == {
        "total": 2,
        "proposed": 0,
        "approved": 1,
        "done": 1,
        "overdue": 0,
        "next_due": "2024-06-30",
    }

    def ids(query):
        return {row["id"] for row in client.get(API + "tasks/?" + query).json()["results"]}

    assert ids("behind=true") == {behind.pk}
    assert ids("node_overdue=true") == {late.pk}
    assert ids("overdue=true") == {late.pk}
    assert ids("light=red") == {behind.pk, late.pk}


def test_a_list_row_is_the_task_as_its_detail_shows_it(settings, viewer):
    """The list reads its page's lights and node figures in queries of its own
    (``attach_lights``, ``attach_nodes_summary``); the detail through ``with_light`` and
    the prefetched nodes. Both say the same of every task."""
    settings.SUPERVISION_TODAY = MAY_15
    late = quarterly(Decimal("60"))
    late.nodes.filter(sequence=2).update(due_date=dt.date(2024, 5, 10))
    quarterly(Decimal("17")).nodes.filter(sequence=2).update(status="proposed")
    quarterly(Decimal("40"))
    factories.TaskFactory(status="closed")
    factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 5, 1))  # no nodes
    client = bearer_client(viewer)
    rows = client.get(API + "tasks/?page_size=10").json()["results"]
    assert len(rows) == 5
    for row in rows:
        assert row == client.get(f"{API}tasks/{row['id']}/").json()


def test_the_dashboard_counts_overdue_and_behind_work_from_nodes():
    from supervision.scorecards.dashboard import compute_dashboard

    behind = quarterly(Decimal("17"))
    late = quarterly(Decimal("60"))
    late.nodes.filter(sequence=2).update(due_date=dt.date(2024, 5, 10))
    quarterly(Decimal("40"))
    summary = compute_dashboard(today=MAY_15)
    assert summary["tasks_by_light"] == {"green": 1, "yellow": 0, "red": 2}
    assert (summary["tasks_overdue"], summary["tasks_behind"]) == (1, 1)
    assert [row["id"] for row in summary["overdue_tasks"]] == [late.pk]
    assert summary["overdue_tasks"][0]["overdue_days"] == 4
    assert behind.pk not in [row["id"] for row in summary["overdue_tasks"]]
