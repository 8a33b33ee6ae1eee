"""``GET dashboard/``, ``GET rankings/?period=`` and ``POST rankings/publish/``."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from core.errors import NotPermitted
from supervision import cache
from supervision.models import RankingSnapshot, Task
from supervision.scorecards.publish import publish_ranking
from supervision.scorecards.rankings import department_scorecards
from tests import factories
from tests.clients import API, bearer_client
from tests.rankings.conftest import AFTER_Q1, at, monthly_investment

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_q1(settings):
    settings.SUPERVISION_TODAY = AFTER_Q1


def test_dashboard_is_json_with_decimal_strings_and_iso_dates(settings, owner_api, department):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    factories.TaskFactory(
        lead_department=department,
        deadline=dt.date(2024, 6, 20),
        status="in_progress",
        code="T-OVER",
    )
    project = factories.ProjectFactory(
        code="KW-01",
        category="key_work",
        lead_department=department,
        annual_plan_investment=Decimal("1000.00"),
    )
    monthly_investment(project, {1: "333.33"})

    response = owner_api.get(f"{API}dashboard/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["today"] == "2024-06-28"
    assert body["tasks_by_status"]["in_progress"] == 1
    assert body["tasks_by_light"] == {"green": 0, "yellow": 0, "red": 1}
    assert body["overdue_tasks"][0]["code"] == "T-OVER"
    assert body["overdue_tasks"][0]["deadline"] == "2024-06-20"
    assert body["overdue_tasks"][0]["lead_department"] == department.name
    # 33.33 % against 序时 49.18: more than 10 points behind, yellow.
    assert body["key_works"] == [
        {
            "id": project.pk,
            "code": "KW-01",
            "name": project.name,
            "annual_plan_investment": "1000.00",
            "completed_investment": "333.33",
            "completion_rate": "33.33",
            "time_progress": "49.18",
            "light": "yellow",
        }
    ]
    assert body["key_works_total"] == 1
    assert body["key_works_by_light"] == {"green": 0, "yellow": 1, "red": 0}
    assert body["investment"] == {
        "annual_plan": "1000.00",
        "completed": "333.33",
        "completion_rate": "33.33",
        "time_progress": "49.18",
        "unplanned_completed": "0.00",
        "unplanned_projects": 0,
    }


def test_dashboard_needs_a_signed_in_user(client):
    assert client.get(f"{API}dashboard/").status_code in (401, 403)


def test_ranking_of_a_quarter_computed_live(after_q1, quarter, owner_api):
    response = owner_api.get(f"{API}rankings/", {"period": "2024Q1"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == "2024Q1"
    assert body["published"] is False
    assert body["published_at"] is None
    assert body["as_of"] == "2024-03-31"
    assert [(row["department_code"], row["rank"], row["score"]) for row in body["rows"]] == [
        ("RA", 1, "55.56"),
        ("RB", 2, "50.00"),
        ("RC", 2, "50.00"),
        ("RD", None, None),
    ]
    ra = body["rows"][0]
    assert ra["closure_rate"] == "20.00"
    assert ra["investment_gap"] == "5.14"
    assert ra["tasks_due"] == 5


@pytest.mark.parametrize(
    "query", [{}, {"period": ""}, {"period": "2024Q5"}, {"period": "1999Q1"}, {"period": "Q1"}]
)
def test_ranking_without_a_valid_period_is_400_on_period(owner_api, query):
    response = owner_api.get(f"{API}rankings/", query)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error"
    assert "period" in body["errors"]


def test_published_ranking_is_frozen(after_q1, quarter, supervisor, supervisor_api, owner_api):
    response = supervisor_api.post(f"{API}rankings/publish/", {"period": "2024Q1"}, format="json")

    assert response.status_code == 201, response.content
    published = response.json()
    assert published["published"] is True
    assert published["published_by"] == supervisor.pk
    assert published["as_of"] == "2024-03-31"
    snapshot = RankingSnapshot.objects.get(period="2024Q1")
    assert snapshot.published_by == supervisor
    assert published["published_at"] is not None
    assert published["rows"][0]["score"] == "55.56"

    # The data changes afterwards: RA's overdue A3 turns out closed on 20 Mar (on time), RC
    # corrects March's investment from 100.00 to 1100.00 (62.43 %, ahead of 序时进度).
    Task.objects.filter(pk=quarter["tasks"]["A3"].pk).update(
        status="closed", closed_at=at(2024, 3, 20)
    )
    rc_project = quarter["departments"]["RC"].led_projects.get()
    rc_project.investment_reports.filter(period=dt.date(2024, 3, 1)).update(
        amount=Decimal("1100.00")
    )
    cache.bump()  # these direct UPDATEs bypass the app's own invalidation (signals)

    again = owner_api.get(f"{API}rankings/", {"period": "2024Q1"})
    assert again.status_code == 200
    assert again.json() == published

    # …while a recomputation would now differ (so the frozen answer is not a coincidence).
    live = {r["department_code"]: r for r in department_scorecards(period="2024Q1")}
    assert live["RA"]["on_time"] == 2
    assert live["RC"]["score"] == Decimal("100.00")


def test_publishing_twice_is_409(after_q1, quarter, supervisor_api):
    first = supervisor_api.post(f"{API}rankings/publish/", {"period": "2024Q1"}, format="json")
    assert first.status_code == 201

    second = supervisor_api.post(f"{API}rankings/publish/", {"period": "2024Q1"}, format="json")

    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert RankingSnapshot.objects.count() == 1


def test_owner_cannot_publish(after_q1, quarter, owner_api):
    response = owner_api.post(f"{API}rankings/publish/", {"period": "2024Q1"}, format="json")

    assert response.status_code == 403
    assert not RankingSnapshot.objects.exists()


def test_read_token_cannot_publish(after_q1, quarter, supervisor):
    client = bearer_client(supervisor, scope="read")
    response = client.post(f"{API}rankings/publish/", {"period": "2024Q1"}, format="json")

    assert response.status_code == 403
    assert not RankingSnapshot.objects.exists()


def test_leader_cannot_publish_through_the_service(after_q1, quarter):
    leader = factories.UserFactory(role=Role.LEADER)
    with pytest.raises(NotPermitted):
        publish_ranking(period="2024Q1", actor=leader)


@pytest.mark.parametrize(
    ("period", "why"), [("2024Q2", "尚未结束"), ("2024Q3", "尚未结束"), ("2024Q9", "季度格式")]
)
def test_only_a_finished_quarter_can_be_published(after_q1, supervisor_api, period, why):
    response = supervisor_api.post(f"{API}rankings/publish/", {"period": period}, format="json")

    assert response.status_code == 400
    assert why in response.json()["errors"]["period"][0]
    assert not RankingSnapshot.objects.exists()
