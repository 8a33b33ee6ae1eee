"""The cockpit's 八张报表, 问题清单 and unit profile pages: what each role sees and may do."""

import datetime as dt

import pytest

from supervision.models import Intervention, ProblemDetail, RankingSnapshot
from tests import factories

pytestmark = pytest.mark.django_db
AFTER_Q2 = dt.date(2024, 7, 10)


@pytest.fixture
def unit(settings, department, supervision_office):
    settings.SUPERVISION_TODAY = AFTER_Q2
    factories.TaskFactory(
        lead_department=department,
        domain="safety",
        deadline=dt.date(2024, 5, 31),
        status="closed",
        closed_at=dt.datetime(2024, 5, 30, 3, tzinfo=dt.UTC),
    )
    problem = factories.TaskFactory(
        lead_department=department,
        domain="ecology",
        source="problem",
        deadline=dt.date(2024, 6, 30),
        status="in_progress",
        title="河道垃圾清理不及时",
    )
    ProblemDetail.objects.create(
        task=problem,
        origin="public",
        found_on=dt.date(2024, 4, 2),
        description="群众反映",
        rectification_goal="清理到位",
    )
    return department


def test_the_heat_map_lists_units_and_links_to_the_drill_down(supervisor_client, unit):
    page = supervisor_client.get("/report-cards/", {"period": "2024Q2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="heatmap"' in html
    assert f"/units/{unit.pk}/?period=2024Q2#card-safety" in html
    assert 'data-testid="publish"' in html  # a finished quarter, not yet published
    assert supervisor_client.get("/report-cards/", {"period": "2024Q9"}).status_code == 400
    assert supervisor_client.get("/report-cards/", {"track": "x"}).status_code == 400


def test_only_the_office_publishes(supervisor_client, owner_client, unit):
    assert 'data-testid="publish"' not in owner_client.get("/report-cards/").content.decode()
    owner_client.post("/report-cards/publish/", {"period": "2024Q2"})
    assert not RankingSnapshot.objects.exists()
    response = supervisor_client.post("/report-cards/publish/", {"period": "2024Q2"}, follow=True)
    assert RankingSnapshot.objects.filter(period="2024Q2").exists()
    assert "已发布" in response.content.decode()
    again = supervisor_client.post("/report-cards/publish/", {"period": "2024Q2"}, follow=True)
    assert "已发布" in again.content.decode()  # the 409's message, nothing else changed
    assert RankingSnapshot.objects.count() == 1


def test_the_problem_list_page(viewer_client, unit):
    page = viewer_client.get("/problems/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "河道垃圾清理不及时" in html  # what stands between 生态 and 清零
    assert "逾期10天" in html
    assert viewer_client.get("/problems/", {"origin": "rumour"}).status_code == 400


def test_the_unit_profile_and_recording_an_intervention(supervisor_client, owner_client, unit):
    page = supervisor_client.get(f"/units/{unit.pk}/", {"period": "2024Q2"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="drilldown"' in html
    assert 'id="card-safety"' in html
    assert 'data-testid="intervention-form"' in html
    assert (
        'data-testid="intervention-form"'
        not in owner_client.get(f"/units/{unit.pk}/").content.decode()
    )

    bad = supervisor_client.post(
        f"/units/{unit.pk}/interventions/",
        {"type": "interview", "occurred_on": "2024-07-08", "summary": "约谈"},
    )
    assert bad.status_code == 400
    assert "约谈须记录参加人员" in bad.content.decode()
    assert not Intervention.objects.exists()
    good = supervisor_client.post(
        f"/units/{unit.pk}/interventions/",
        {"type": "best_practice", "occurred_on": "2024-07-08", "summary": "“河长制”经验"},
    )
    assert good.status_code == 302
    assert Intervention.objects.get().department == unit
    refused = owner_client.post(
        f"/units/{unit.pk}/interventions/",
        {"type": "best_practice", "occurred_on": "2024-07-08", "summary": "自评"},
    )
    assert refused.status_code == 403
    assert Intervention.objects.count() == 1
    assert supervisor_client.get("/units/999999/").status_code == 404


def test_the_office_spawns_a_follow_up_from_the_problem_list(supervisor_client, owner_client, unit):
    from supervision.models import Task

    problem = Task.objects.get(source="problem")
    page = supervisor_client.get("/problems/").content.decode()
    assert f"/problems/{problem.pk}/follow-up/" in page
    assert "派生跟进事项" not in owner_client.get("/problems/").content.decode()
    body = {"title": "建立河道保洁长效机制", "lead_department": unit.pk, "deadline": "2024-09-30"}
    owner_client.post(f"/problems/{problem.pk}/follow-up/", body)
    assert not Task.objects.filter(parent=problem).exists()
    response = supervisor_client.post(f"/problems/{problem.pk}/follow-up/", body)
    child = Task.objects.get(parent=problem)
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{child.pk}/"
    assert (child.status, child.domain) == ("draft", "ecology")
    bad = supervisor_client.post(f"/problems/{problem.pk}/follow-up/", {**body, "deadline": ""})
    assert bad.status_code == 302
    assert Task.objects.filter(parent=problem).count() == 1


def test_the_follow_up_form_is_also_on_the_problems_own_page(supervisor_client, owner_client, unit):
    from supervision.models import Task

    problem = Task.objects.get(source="problem")
    page = supervisor_client.get(f"/tasks/{problem.pk}/").content.decode()
    assert f'action="/problems/{problem.pk}/follow-up/"' in page
    assert "派生跟进事项" not in owner_client.get(f"/tasks/{problem.pk}/").content.decode()
    body = {"title": "建立河道保洁长效机制", "lead_department": unit.pk, "from": "task"}
    bad = supervisor_client.post(f"/problems/{problem.pk}/follow-up/", body)
    assert bad["Location"] == f"/tasks/{problem.pk}/"  # back to the problem, not the list
    assert not Task.objects.filter(parent=problem).exists()
    response = supervisor_client.post(
        f"/problems/{problem.pk}/follow-up/", {**body, "deadline": "2024-09-30"}
    )
    assert response["Location"] == f"/tasks/{Task.objects.get(parent=problem).pk}/"
