"""归档 / 删除 a key project from its page (the office, through ``projects.services``): a
project with milestones, investment or tasks cannot be deleted (409, "请归档"); units and
leaders get 403; each write is audited; query counts."""

import pytest
from django.test import Client

from accounts.models import AuditRecord
from projects.models import Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(department):
    return factories.ProjectFactory(lead_department=department)


def test_the_office_archives_and_unarchives_a_project(supervisor_client, supervisor, project):
    response = supervisor_client.post(f"/projects/{project.pk}/archive/", follow=True)
    body = response.content.decode()
    assert f"已归档项目 {project.code}" in body
    assert 'data-testid="archived"' in body
    assert 'data-testid="project-unarchive"' in body
    project.refresh_from_db()
    assert project.is_archived
    record = AuditRecord.objects.get(model="projects.Project")
    assert (record.action, record.actor) == ("update", supervisor)
    assert (record.before["is_archived"], record.after["is_archived"]) == (False, True)
    response = supervisor_client.post(
        f"/projects/{project.pk}/archive/", {"archived": "0"}, follow=True
    )
    assert "已取消归档" in response.content.decode()
    project.refresh_from_db()
    assert not project.is_archived


def test_the_office_deletes_a_project_nothing_refers_to(supervisor_client, supervisor, project):
    pk = project.pk
    response = supervisor_client.post(f"/projects/{pk}/delete/", follow=True)
    assert response.redirect_chain[-1][0] == "/projects/"
    assert f"已删除项目 {project.code}" in response.content.decode()
    assert not Project.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get(model="projects.Project", object_id=str(pk))
    assert (record.action, record.actor, record.after) == ("delete", supervisor, None)


def test_a_referenced_project_is_not_deleted_but_archived(supervisor_client, project):
    factories.MilestoneFactory(project=project)
    response = supervisor_client.post(f"/projects/{project.pk}/delete/")
    assert response.status_code == 409
    body = response.content.decode()
    assert "无法删除：" in body
    assert "请改为归档" in body
    assert 'data-testid="project-archive"' in body  # the way out is on the page
    assert Project.objects.filter(pk=project.pk).exists()
    assert not AuditRecord.objects.filter(action="delete").exists()


def test_units_and_leaders_may_not(owner_client, viewer_client, leader, project):
    leader_client = Client()
    leader_client.force_login(leader)
    for client in (owner_client, viewer_client, leader_client):
        for url in (f"/projects/{project.pk}/archive/", f"/projects/{project.pk}/delete/"):
            response = client.post(url)
            assert response.status_code == 403, url
            assert "只有督查办可以" in response.content.decode()
        body = client.get(f"/projects/{project.pk}/").content.decode()
        assert 'data-testid="project-delete"' not in body
    project.refresh_from_db()
    assert not project.is_archived
    assert not AuditRecord.objects.exists()


def test_the_buttons_are_posts_with_a_confirmation(supervisor_client, project):
    body = supervisor_client.get(f"/projects/{project.pk}/").content.decode()
    assert body.count("确认删除项目") == 1
    assert body.count("确认归档项目") == 1
    assert supervisor_client.get(f"/projects/{project.pk}/delete/").status_code == 405


@pytest.mark.parametrize("milestones", [1, 8])
def test_the_refused_delete_query_count(
    supervisor_client, project, milestones, django_assert_num_queries
):
    for n in range(milestones):
        factories.MilestoneFactory(project=project, sequence=n + 1)
    with django_assert_num_queries(24):  # the same whatever the number of milestones
        assert supervisor_client.post(f"/projects/{project.pk}/delete/").status_code == 409


def test_the_archive_query_count(supervisor_client, project, django_assert_num_queries):
    with django_assert_num_queries(18):
        assert supervisor_client.post(f"/projects/{project.pk}/archive/").status_code == 302
