"""Control characters are refused at input, with a field error, in the API and the cockpit
(issue 12 item 4); multi-line fields keep tab and line breaks. That every serializer and
every cockpit form does so is ``test_text_input_guard.py``."""

import pytest

from accounts.models import Department
from tests import factories
from tests.clients import API


@pytest.mark.django_db
def test_a_department_named_with_a_control_character_is_a_400_field_error(supervisor_api):
    response = supervisor_api.post(
        API + "departments/",
        {"code": "BAD", "name": "坏\x01单位", "kind": "district"},
        format="json",
    )
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "validation_error"
    assert "name" in response.json()["errors"]
    assert not Department.objects.filter(code="BAD").exists()


@pytest.mark.django_db
def test_single_line_fields_refuse_line_breaks_multi_line_fields_keep_them(
    supervisor_api, department
):
    task = factories.TaskFactory(lead_department=department)
    url = f"{API}tasks/{task.pk}/"
    response = supervisor_api.patch(url, {"title": "一\n二"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    response = supervisor_api.patch(url, {"content": "一\r\n二\t三"}, format="json")
    assert response.status_code == 200, response.content[:300]
    task.refresh_from_db()
    assert task.content == "一\r\n二\t三"
    response = supervisor_api.patch(url, {"content": "一\x1b[31m二"}, format="json")
    assert response.status_code == 400
    assert "content" in response.json()["errors"]


@pytest.mark.django_db
def test_a_transition_comment_with_a_control_character_is_refused(supervisor_api, department):
    task = factories.TaskFactory(lead_department=department)
    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/assign/", {"comment": "请\x01办理"}, format="json"
    )
    assert response.status_code == 400
    assert "comment" in response.json()["errors"]
    task.refresh_from_db()
    assert task.status == "draft"


@pytest.mark.django_db
def test_the_cockpit_refuses_control_characters_with_a_field_error(client, owner, department):
    task = factories.TaskFactory(lead_department=department, status="in_progress")
    client.force_login(owner)
    response = client.post(
        f"/tasks/{task.pk}/progress/",
        {"progress-content": "完成\x01一半", "progress-percent": "50"},
    )
    assert response.status_code == 400
    assert "不能包含控制字符" in response.content.decode()
    assert not task.reports.exists()
