"""The dashboard is cached, and every kind of write the application makes invalidates it."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from supervision.loop.transitions import task_accept
from supervision.reminders.delivery import deliver_pending
from supervision.reminders.scan import scan_deadlines
from supervision.scorecards.dashboard import dashboard_summary
from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2024, 9, 30, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()


def summary_queries() -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as ctx:
        summary = dashboard_summary(today=TODAY)
    return summary, len(ctx.captured_queries)


def test_a_second_read_is_served_from_the_cache(department):
    TaskFactory(lead_department=department, status="assigned", deadline=TODAY)
    first, queries = summary_queries()
    assert queries > 0
    second, queries = summary_queries()
    assert queries == 0
    assert second == first


def test_a_transition_invalidates_the_dashboard(owner):
    task = TaskFactory(lead_department=owner.department, status="assigned", deadline=TODAY)
    before, _ = summary_queries()
    assert before["tasks_by_status"]["assigned"] == 1
    with clock.override(NOW):
        task_accept(task=task, actor=owner)
    after, queries = summary_queries()
    assert queries > 0
    assert after["tasks_by_status"]["assigned"] == 0
    assert after["tasks_by_status"]["in_progress"] == 1


def test_the_scan_and_the_delivery_invalidate_the_dashboard(owner, supervisor):
    TaskFactory(
        lead_department=owner.department,
        status="in_progress",
        deadline=TODAY - dt.timedelta(days=14),
    )
    summary_queries()
    assert summary_queries()[1] == 0
    scan_deadlines(now=NOW)  # raw INSERTs: no signals
    assert summary_queries()[1] > 0
    assert summary_queries()[1] == 0
    deliver_pending(now=NOW)  # bulk UPDATE of sent_at: no signals
    after, queries = summary_queries()
    assert queries > 0


def test_a_policy_change_shows_in_the_cached_district_charts(
    settings, supervisor_client, department
):
    """Lights depend on the escalation policy: editing it must not leave cached lights stale."""
    from django.core.cache import cache

    from supervision.loop.models import EscalationPolicy

    settings.SUPERVISION_TODAY = dt.date(2024, 6, 24)  # a Monday
    # Four working days left: green with a 3-day warning window, yellow with a 5-day one.
    TaskFactory(lead_department=department, status="in_progress", deadline=dt.date(2024, 6, 28))
    policy = EscalationPolicy.current()
    policy.warning_days = 3
    policy.save()

    def lights():
        response = supervisor_client.get("/district/charts/")
        assert response.status_code == 200
        return response.json()["lights"]

    before = lights()
    policy.warning_days = 5
    policy.save()
    after = lights()
    cache.clear()
    fresh = lights()
    assert fresh != before  # the policy does change the lights
    assert after == fresh


def test_the_api_answer_is_kept_as_written_and_follows_a_write(owner, supervisor_api, settings):
    from tests.clients import API

    settings.SUPERVISION_TODAY = TODAY
    task = TaskFactory(lead_department=owner.department, status="assigned", deadline=TODAY)
    first = supervisor_api.get(API + "dashboard/").json()
    assert first["tasks_by_status"]["assigned"] == 1
    with CaptureQueriesContext(connection) as ctx:
        again = supervisor_api.get(API + "dashboard/").json()
    assert again == first
    assert not [q for q in ctx.captured_queries if "supervision_task" in q["sql"]]
    with clock.override(NOW):
        task_accept(task=task, actor=owner)
    after = supervisor_api.get(API + "dashboard/").json()
    assert (after["tasks_by_status"]["assigned"], after["tasks_by_status"]["in_progress"]) == (0, 1)
