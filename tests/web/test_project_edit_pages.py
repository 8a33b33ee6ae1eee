"""The office creates and edits key projects and their milestones in the cockpit (through
``projects.services``: audited); units and leaders get 403; bad input is refused in Chinese
with nothing written; query counts."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from accounts.models import AuditRecord
from projects.models import Milestone, Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(department):
    return factories.ProjectFactory(lead_department=department)


@pytest.fixture
def boss(db):
    return factories.UserFactory(role=Role.LEADER, first_name="包保")


def _pages(project, milestone):
    return [
        "/projects/new/",
        f"/projects/{project.pk}/edit/",
        f"/projects/{project.pk}/milestones/new/",
        f"/projects/{project.pk}/milestones/{milestone.pk}/edit/",
    ]


def test_only_the_office_opens_the_pages(
    supervisor_client, owner_client, viewer_client, client, leader, project
):
    milestone = factories.MilestoneFactory(project=project)
    client.force_login(leader)
    for url in _pages(project, milestone):
        assert supervisor_client.get(url).status_code == 200, url
        assert owner_client.get(url).status_code == 403, url
        assert viewer_client.get(url).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert owner_client.post("/projects/new/", {"code": "X"}).status_code == 403
    assert owner_client.post(f"/projects/{project.pk}/edit/", {"name": "x"}).status_code == 403
    assert Project.objects.count() == 1
    assert Project.objects.get().name == project.name


def test_the_list_and_detail_link_the_office_pages(supervisor_client, owner_client, project):
    milestone = factories.MilestoneFactory(project=project)
    assert "/projects/new/" in supervisor_client.get("/projects/").content.decode()
    assert "/projects/new/" not in owner_client.get("/projects/").content.decode()
    detail = supervisor_client.get(f"/projects/{project.pk}/").content.decode()
    assert f"/projects/{project.pk}/edit/" in detail
    assert f"/projects/{project.pk}/milestones/{milestone.pk}/edit/" in detail
    assert (
        f"/projects/{project.pk}/edit/"
        not in owner_client.get(f"/projects/{project.pk}/").content.decode()
    )


def _new(department, **overrides):
    return {
        "code": "ZD-2024-001",
        "name": "乌江二桥",
        "category": "district",
        "level": "district",
        "year": "2024",
        "stage": "new_start",
        "lead_department": department.pk,
        "total_investment": "52000",
        "annual_plan_investment": "12000.5",
        "planned_start": "2024-03-01",
        "planned_end": "2026-12-31",
        **overrides,
    }


def test_the_office_creates_a_project(
    supervisor_client, department, other_department, boss, supervisor
):
    response = supervisor_client.post(
        "/projects/new/",
        _new(department, responsible_leader=boss.pk, co_departments=[other_department.pk]),
        follow=True,
    )
    project = Project.objects.get(code="ZD-2024-001")
    assert response.status_code == 200
    assert "已新建重点项目" in response.content.decode()
    assert project.lead_department == department
    assert project.responsible_leader == boss
    assert list(project.co_departments.all()) == [other_department]
    assert project.annual_plan_investment == Decimal("12000.5")
    assert AuditRecord.objects.filter(
        action="create", model__icontains="project", object_id=str(project.pk), actor=supervisor
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "必填"),
        ({"annual_plan_investment": "-1"}, "0"),
        ({"year": "1800"}, "年"),
        ({"category": "municipal", "level": "district"}, "不一致"),
        ({"planned_start": "2024-13-01"}, "日期"),
    ],
)
def test_a_bad_project_is_refused_in_chinese(supervisor_client, department, overrides, message):
    response = supervisor_client.post("/projects/new/", _new(department, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_a_duplicate_code_is_refused(supervisor_client, department, project):
    response = supervisor_client.post("/projects/new/", _new(department, code=project.code))
    assert response.status_code == 400
    assert "已存在" in response.content.decode()
    assert Project.objects.count() == 1


def _edit(project, **overrides):
    data = {
        name: getattr(project, name)
        for name in ("name", "category", "level", "year", "stage", "location")
    }
    data.update(
        lead_department=project.lead_department_id,
        annual_plan_investment=project.annual_plan_investment,
        total_investment=project.total_investment or "",
    )
    return {k: ("" if v is None else v) for k, v in {**data, **overrides}.items()}


def test_the_office_edits_owners_and_targets(
    supervisor_client, project, other_department, boss, django_assert_num_queries
):
    with django_assert_num_queries(12) as captured:
        assert supervisor_client.get(f"/projects/{project.pk}/edit/").status_code == 200
    assert len(captured) < 30
    response = supervisor_client.post(
        f"/projects/{project.pk}/edit/",
        _edit(
            project,
            lead_department=other_department.pk,
            responsible_leader=boss.pk,
            annual_plan_investment="15000",
        ),
        follow=True,
    )
    html = response.content.decode()
    assert "已修改项目" in html
    assert "牵头单位" in html
    project.refresh_from_db()
    assert project.lead_department == other_department
    assert project.responsible_leader == boss
    assert project.annual_plan_investment == Decimal("15000")
    record = AuditRecord.objects.filter(action="update", object_id=str(project.pk)).get()
    assert record.before["lead_department"] != record.after["lead_department"]


def test_a_bad_edit_changes_nothing(supervisor_client, project):
    before = Project.objects.values().get(pk=project.pk)
    response = supervisor_client.post(
        f"/projects/{project.pk}/edit/", _edit(project, name="新名称", annual_plan_investment="x")
    )
    assert response.status_code == 400
    assert "数" in response.content.decode()
    assert Project.objects.values().get(pk=project.pk) == before
    assert not AuditRecord.objects.filter(action="update").exists()


def test_the_office_adds_and_edits_a_milestone(
    supervisor_client, project, django_assert_num_queries
):
    response = supervisor_client.post(
        f"/projects/{project.pk}/milestones/new/",
        {"name": "主体完工", "due_date": "2024-10-31", "sequence": "1", "note": "主桥合龙"},
        follow=True,
    )
    assert "已新增节点" in response.content.decode()
    milestone = Milestone.objects.get(project=project)
    assert (milestone.name, milestone.due_date) == ("主体完工", dt.date(2024, 10, 31))
    url = f"/projects/{project.pk}/milestones/{milestone.pk}/edit/"
    with django_assert_num_queries(6) as captured:
        assert supervisor_client.get(url).status_code == 200
    assert len(captured) < 30
    response = supervisor_client.post(
        url,
        {"name": "主体完工", "due_date": "2024-11-30", "sequence": "2", "note": "顺延"},
        follow=True,
    )
    assert "已修改节点" in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.due_date, milestone.sequence, milestone.note) == (
        dt.date(2024, 11, 30),
        2,
        "顺延",
    )
    assert AuditRecord.objects.filter(action="update", object_id=str(milestone.pk)).exists()


def test_a_bad_milestone_is_refused_and_nothing_changes(supervisor_client, project):
    milestone = factories.MilestoneFactory(project=project, name="开工")
    bad = {"name": "", "due_date": "2024-02-30", "sequence": "1"}
    response = supervisor_client.post(f"/projects/{project.pk}/milestones/new/", bad)
    assert response.status_code == 400
    assert "必填" in response.content.decode()
    assert Milestone.objects.count() == 1
    url = f"/projects/{project.pk}/milestones/{milestone.pk}/edit/"
    response = supervisor_client.post(url, {**bad, "name": "开工"})
    assert response.status_code == 400
    assert "日期" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.due_date == dt.date(2024, 12, 31)
    other = factories.MilestoneFactory()
    assert (
        supervisor_client.get(f"/projects/{project.pk}/milestones/{other.pk}/edit/").status_code
        == 404
    )
