"""Year end: the office rates each task; ``carry_over 2024`` carries open work to 2025,
linked to the old tasks, and closes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from supervision.choices import TaskAction
from supervision.loop.models import Task, TaskEvent
from supervision.loop.transitions import ActorNotAllowed, TransitionNotAllowed
from supervision.phases import yearend
from tests import factories
from tests.clients import API, session_client
from tests.phases.conftest import api_for


def test_rating_needs_a_reason_unless_completed(owner, supervisor):
    task = factories.TaskFactory(status="closed", lead_department=owner.department)
    with pytest.raises(ValidationError, match="理由"):
        yearend.task_rate(task=task, actor=supervisor, rating="mostly_completed")
    with pytest.raises(ActorNotAllowed):
        yearend.task_rate(task=task, actor=owner, rating="completed")
    with pytest.raises(ValidationError):
        yearend.task_rate(task=task, actor=supervisor, rating="excellent")
    yearend.task_rate(task=task, actor=supervisor, rating="completed")
    yearend.task_rate(task=task, actor=supervisor, rating="not_completed", comment="指标未达")
    task.refresh_from_db()
    assert (task.rating, task.rating_comment) == ("not_completed", "指标未达")
    events = TaskEvent.objects.filter(task=task, action=TaskAction.RATE).order_by("pk")
    assert [e.data["rating"] for e in events] == [["", "completed"], ["completed", "not_completed"]]
    draft = factories.TaskFactory()
    with pytest.raises(TransitionNotAllowed):
        yearend.task_rate(task=draft, actor=supervisor, rating="completed")


def test_rating_through_the_api_and_the_cockpit(owner, supervisor):
    task = factories.TaskFactory(status="in_progress", lead_department=owner.department)
    url = API + f"tasks/{task.pk}/rating/"
    assert api_for(owner).post(url, {"rating": "completed"}, format="json").status_code == 403
    response = api_for(supervisor).post(url, {"rating": "mostly_completed"}, format="json")
    assert response.status_code == 400
    response = api_for(supervisor).post(
        url, {"rating": "mostly_completed", "comment": "主体完成"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["rating"] == "mostly_completed"
    office = session_client(supervisor)
    action = reverse("web:task-phase", args=[task.pk, "rate"])
    response = office.post(action, {"rate-rating": "not_completed"})
    assert response.status_code == 400
    assert "须说明理由" in response.content.decode()
    assert office.post(action, {"rate-rating": "completed"}).status_code == 302
    page = office.get(reverse("web:task-detail", args=[task.pk])).content.decode()
    assert "年度评定：完成" in page
    assert session_client(owner).post(action, {"rate-rating": "completed"}).status_code == 403


@pytest.fixture
def year_2024(owner, supervisor, department, other_department):
    def make(status, deadline=dt.date(2024, 12, 31), **extra):
        return factories.TaskFactory(
            status=status,
            lead_department=owner.department,
            co_departments=[other_department],
            deadline=deadline,
            target_value=100,
            target_unit="户",
            **extra,
        )

    tasks = {status: make(status) for status in ("draft", "assigned", "in_progress", "submitted")}
    tasks["closed"] = make("closed")
    tasks["cancelled"] = make("cancelled")
    tasks["child"] = make("in_progress", parent=tasks["in_progress"])
    tasks["leap"] = make("in_progress", deadline=dt.date(2024, 2, 29))
    tasks["2025"] = make("in_progress", deadline=dt.date(2025, 6, 30))
    return tasks


def test_carry_over_creates_linked_tasks_and_closes_nothing(year_2024, supervisor):
    out = StringIO()
    call_command("carry_over", "2024", stdout=out)
    carried = {t.carried_from_id: t for t in Task.objects.filter(carried_from__isnull=False)}
    expected = {"assigned", "in_progress", "submitted", "child", "leap"}
    assert set(carried) == {year_2024[name].pk for name in expected}
    new = carried[year_2024["in_progress"].pk]
    assert new.code.startswith("GZ2025-")
    assert new.deadline == dt.date(2025, 12, 31)
    assert new.status == "assigned"
    assert new.lead_department_id == year_2024["in_progress"].lead_department_id
    assert list(new.co_departments.all()) == list(year_2024["in_progress"].co_departments.all())
    assert (new.target_value, new.target_unit) == (100, "户")
    assert carried[year_2024["child"].pk].parent_id == new.pk
    assert carried[year_2024["leap"].pk].deadline == dt.date(2025, 2, 28)
    for name in expected:  # the old ones are still open, each with its carry_over event
        old = year_2024[name]
        before = old.status
        old.refresh_from_db()
        assert old.status == before
        assert TaskEvent.objects.filter(task=old, action=TaskAction.CARRY_OVER).exists()
    text = out.getvalue()
    assert "草稿" in text
    assert "原事项均未销号" in text
    call_command("carry_over", "2024", stdout=StringIO())  # a rerun carries nothing twice
    assert Task.objects.filter(carried_from__isnull=False).count() == len(expected)


def test_carry_over_dry_run_and_bad_input(year_2024, supervisor):
    out = StringIO()
    call_command("carry_over", "2024", "--dry-run", stdout=out)
    assert "将结转" in out.getvalue()
    assert not Task.objects.filter(carried_from__isnull=False).exists()
    with pytest.raises(CommandError):
        call_command("carry_over", "1999", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("carry_over", "2024", "--actor", "nobody", stdout=StringIO())


def test_carry_over_in_the_cockpit(year_2024, supervisor, owner):
    """The office previews a year's open work and carries it over from the cockpit (asked to
    confirm); a unit may not."""
    office = session_client(supervisor)
    url = reverse("web:carry-over")
    page = office.get(url + "?year=2024")
    assert page.status_code == 200
    assert page.context["count"] == 5  # assigned, in_progress, submitted, child, leap
    assert page.context["drafts"] == 1
    html = page.content.decode()
    assert "2024 年到期仍未办结、尚未结转的事项 <strong>5</strong> 项" in html
    assert 'data-confirm="确认将 2024 年未办结的 5 项事项结转至 2025 年？' in html
    assert 'data-testid="carry-over-link"' in office.get(reverse("web:tasks")).content.decode()

    assert session_client(owner).post(url, {"year": "2024"}).status_code == 403
    assert session_client(owner).get(url).status_code == 403
    bad = office.post(url, {"year": "1999"})
    assert bad.status_code == 400
    assert not Task.objects.filter(carried_from__isnull=False).exists()

    response = office.post(url, {"year": "2024", "draft": "on"}, follow=True)
    assert "已将 2024 年未办结事项 5 项结转至 2025 年（保留为草稿）" in response.content.decode()
    carried = Task.objects.filter(carried_from__isnull=False)
    assert carried.count() == 5
    assert set(carried.values_list("status", flat=True)) == {"draft"}
    assert response.context["count"] == 0
