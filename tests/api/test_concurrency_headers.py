"""ETag / If-Match (API.md "Concurrency") and Idempotency-Key (API.md "Idempotency")."""

import datetime as dt

import pytest

from accounts.models import AuditRecord, IdempotencyRecord
from projects.models import Milestone, Project
from supervision.models import Task, TaskEvent
from tests import factories
from tests.clients import API, bearer_client


@pytest.fixture
def objects(db, settings, department, supervisor):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    project = factories.ProjectFactory(lead_department=department)
    return {
        "projects": (project, "name", "新名称"),
        "tasks": (factories.TaskFactory(lead_department=department), "title", "新标题"),
        "milestones": (factories.MilestoneFactory(project=project), "name", "新节点"),
        "departments": (department, "short_name", "新简称"),
    }


RESOURCES = ["projects", "tasks", "milestones", "departments"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_get_returns_an_etag_that_patch_accepts_and_renews(objects, supervisor_api, resource):
    instance, field, value = objects[resource]
    url = f"{API}{resource}/{instance.pk}/"
    etag = supervisor_api.get(url)["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')

    response = supervisor_api.patch(url, {field: value}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.content[:300]
    assert response.json()[field] == value
    fresh = response["ETag"]
    assert fresh != etag
    assert supervisor_api.get(url)["ETag"] == fresh  # the PATCH answer's ETag is current


@pytest.mark.parametrize("resource", RESOURCES)
def test_stale_if_match_is_412_and_changes_nothing(objects, supervisor_api, resource):
    instance, field, value = objects[resource]
    url = f"{API}{resource}/{instance.pk}/"
    stale = supervisor_api.get(url)["ETag"]
    # Someone else edits first.
    other = supervisor_api.patch(url, {field: "他人修改"}, format="json")
    assert other.status_code == 200
    audits, events = AuditRecord.objects.count(), TaskEvent.objects.count()

    response = supervisor_api.patch(url, {field: value}, format="json", HTTP_IF_MATCH=stale)

    assert response.status_code == 412, response.content[:300]
    assert response.json()["code"] == "precondition_failed"
    instance.refresh_from_db()
    assert getattr(instance, field) == "他人修改"
    assert (AuditRecord.objects.count(), TaskEvent.objects.count()) == (audits, events)


@pytest.mark.parametrize("resource", RESOURCES)
def test_if_match_accepts_the_current_tag_among_several_and_weak_form(
    objects, supervisor_api, resource
):
    instance, field, value = objects[resource]
    url = f"{API}{resource}/{instance.pk}/"
    etag = supervisor_api.get(url)["ETag"]
    response = supervisor_api.patch(
        url, {field: value}, format="json", HTTP_IF_MATCH=f'"stale", W/{etag}'
    )
    assert response.status_code == 200, response.content[:300]


def test_if_match_star_and_no_if_match_are_unconditional(objects, supervisor_api):
    project = objects["projects"][0]
    url = f"{API}projects/{project.pk}/"
    assert supervisor_api.patch(url, {"name": "甲"}, format="json").status_code == 200
    response = supervisor_api.patch(url, {"name": "乙"}, format="json", HTTP_IF_MATCH="*")
    assert response.status_code == 200


def test_stale_if_match_on_delete_is_412_and_keeps_the_row(objects, supervisor_api):
    task = objects["tasks"][0]
    url = f"{API}tasks/{task.pk}/"
    response = supervisor_api.delete(url, HTTP_IF_MATCH='"not-the-current-tag"')
    assert response.status_code == 412
    assert Task.objects.filter(pk=task.pk).exists()
    response = supervisor_api.delete(url, HTTP_IF_MATCH=supervisor_api.get(url)["ETag"])
    assert response.status_code == 204
    assert not Task.objects.filter(pk=task.pk).exists()


# --- Idempotency-Key -----------------------------------------------------------------------


def new_task(department, code="T-IDEM"):
    return {
        "code": code,
        "title": "幂等创建",
        "source": "work_report",
        "domain": "economy",
        "lead_department": department.pk,
        "deadline": "2024-12-31",
    }


def test_same_key_twice_creates_once_and_replays_the_first_answer(db, supervisor_api, department):
    first = supervisor_api.post(
        API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201
    assert not first.has_header("Idempotent-Replayed")

    second = supervisor_api.post(
        API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Task.objects.filter(code="T-IDEM").count() == 1
    assert TaskEvent.objects.filter(action="create").count() == 1


def test_a_replay_does_not_run_the_request_again_even_with_another_body(
    db, supervisor_api, department
):
    supervisor_api.post(
        API + "tasks/", new_task(department, "T-A"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    replay = supervisor_api.post(
        API + "tasks/", new_task(department, "T-B"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert replay.json()["code"] == "T-A"
    assert not Task.objects.filter(code="T-B").exists()


def test_idempotent_transition_is_applied_once(db, supervisor_api, department):
    task = factories.TaskFactory(lead_department=department)
    url = f"{API}tasks/{task.pk}/assign/"
    for _ in range(2):
        response = supervisor_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="assign-1")
        assert response.status_code == 200
    assert TaskEvent.objects.filter(task=task, action="assign").count() == 1


def test_same_key_on_another_path_is_400(db, supervisor_api, department):
    supervisor_api.post(
        API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    before = Project.objects.count()
    response = supervisor_api.post(
        API + "projects/",
        {
            "code": "P-X",
            "name": "x",
            "category": "district",
            "year": 2024,
            "stage": "reserve",
            "lead_department": department.pk,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert Project.objects.count() == before


def test_keys_are_per_user(db, supervisor, department):
    first, second = (
        bearer_client(supervisor),
        bearer_client(factories.UserFactory(role="supervisor")),
    )
    for client, code in ((first, "T-1"), (second, "T-2")):
        response = client.post(
            API + "tasks/", new_task(department, code), format="json", HTTP_IDEMPOTENCY_KEY="same"
        )
        assert response.status_code == 201
        assert not response.has_header("Idempotent-Replayed")
    assert Task.objects.filter(code__in=["T-1", "T-2"]).count() == 2


def test_a_key_longer_than_255_is_400(db, supervisor_api, department):
    response = supervisor_api.post(
        API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256
    )
    assert response.status_code == 400
    assert not Task.objects.exists()


def test_a_refused_request_is_replayed_as_refused(db, supervisor_api, department):
    body = {**new_task(department), "deadline": "1999-01-01"}
    first = supervisor_api.post(API + "tasks/", body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    again = supervisor_api.post(API + "tasks/", body, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()


def test_a_server_error_frees_the_key_for_a_retry(db, supervisor_api, department, monkeypatch):
    """An unexpected exception used to leave the key "in progress" (409 for ever)."""
    from supervision.loop import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "task_create", broken)
    with pytest.raises(RuntimeError):
        supervisor_api.post(
            API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="retry"
        )
    assert not IdempotencyRecord.objects.filter(key="retry").exists()
    monkeypatch.undo()

    response = supervisor_api.post(
        API + "tasks/", new_task(department), format="json", HTTP_IDEMPOTENCY_KEY="retry"
    )
    assert response.status_code == 201


def test_milestone_complete_is_idempotent(db, settings, supervisor_api, department):
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    milestone = factories.MilestoneFactory(project=factories.ProjectFactory())
    url = f"{API}milestones/{milestone.pk}/complete/"
    body = {"completed_on": "2024-06-01", "note": "已完成"}
    first = supervisor_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    second = supervisor_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert first.status_code == second.status_code == 200
    assert second.json() == first.json()
    assert Milestone.objects.get(pk=milestone.pk).completed_on == dt.date(2024, 6, 1)
    assert AuditRecord.objects.filter(action="complete").count() == 1


def test_an_idempotent_answer_with_dates_beyond_the_serializers_is_stored(db, supervisor_api):
    """A task's answer carries ``nodes_summary.next_due`` as a date object (not a string):
    the stored replay must hold it as the client got it, not fail with a 500."""
    node = factories.NodeFactory(task__status="closed")
    response = supervisor_api.post(
        f"{API}tasks/{node.task_id}/rating/",
        {"rating": "completed", "comment": ""},
        format="json",
        HTTP_IDEMPOTENCY_KEY="rate-1",
    )
    assert response.status_code == 200, response.content[:300]
    record = IdempotencyRecord.objects.get(key="rate-1")
    assert record.body["nodes_summary"]["next_due"] == "2024-06-30"
    assert record.body == response.json()
