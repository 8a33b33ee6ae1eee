"""督办事项 pages: the list's filters, the task page's timeline and buttons by role and
status, and every action going through the transitions/services with their errors shown."""

import datetime as dt

import pytest
from django.urls import reverse

from supervision.choices import ExtensionStatus, TaskStatus
from supervision.models import ExtensionRequest, ProgressReport, Task
from tests import factories
from tests.clients import session_client

pytestmark = pytest.mark.django_db


def detail(task):
    return reverse("web:task-detail", args=[task.pk])


def act(task, action):
    return reverse("web:task-action", args=[task.pk, action])


def buttons(response) -> set[str]:
    html = response.content.decode()
    return {key for key in ACTION_KEYS if f'data-action="{key}"' in html}


ACTION_KEYS = [
    "assign",
    "accept",
    "progress",
    "submit",
    "verify",
    "extend",
    "decide",
    "urge",
    "cancel",
]


# --- the list ------------------------------------------------------------------------------


def test_task_list_filters_like_the_api(supervisor_client, make_task, other_department):
    make_task("draft", title="草稿事项甲")
    make_task("in_progress", title="办理事项乙")
    make_task("draft", title="别家事项丙", lead_department=other_department)
    overdue = make_task("in_progress", title="逾期事项丁", deadline=dt.date(2024, 6, 3))

    page = supervisor_client.get(reverse("web:tasks"), {"status": ["in_progress"]})
    assert page.status_code == 200
    text = page.content.decode()
    assert "办理事项乙" in text
    assert "草稿事项甲" not in text

    page = supervisor_client.get(reverse("web:tasks"), {"department": other_department.pk})
    assert [t.title for t in page.context["page"]] == ["别家事项丙"]

    page = supervisor_client.get(reverse("web:tasks"), {"overdue": "true"})
    assert [t.pk for t in page.context["page"]] == [overdue.pk]
    assert page.context["page"][0].overdue > 0

    page = supervisor_client.get(reverse("web:tasks"), {"search": "事项乙"})
    assert [t.title for t in page.context["page"]] == ["办理事项乙"]


def test_task_list_bad_filter_value_is_shown_not_a_500(supervisor_client, make_task):
    make_task("draft")
    page = supervisor_client.get(reverse("web:tasks"), {"overdue": "maybe", "light": "blue"})
    assert page.status_code == 200
    assert page.context["filterset"].form.errors.keys() == {"overdue", "light"}
    assert "应为 true 或 false。" in page.content.decode()


def test_task_list_paginates(supervisor_client, make_task):
    for _ in range(25):
        make_task("draft")
    first = supervisor_client.get(reverse("web:tasks"))
    assert len(first.context["page"]) == 20
    second = supervisor_client.get(reverse("web:tasks"), {"page": 2})
    assert len(second.context["page"]) == 5
    assert "第 2 / 2 页" in second.content.decode()


# --- buttons by role and status ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "supervisor_buttons", "owner_buttons"),
    [
        ("draft", {"assign", "cancel"}, set()),
        ("assigned", {"urge", "cancel"}, {"accept", "extend"}),
        ("in_progress", {"urge", "cancel"}, {"progress", "submit", "extend"}),
        ("submitted", {"verify", "cancel"}, set()),
        ("closed", set(), set()),
        ("cancelled", set(), set()),
    ],
)
def test_buttons_follow_role_and_status(
    status, supervisor_buttons, owner_buttons, make_task, supervisor_client, owner_client
):
    task = make_task(status)
    assert buttons(supervisor_client.get(detail(task))) == supervisor_buttons
    assert buttons(owner_client.get(detail(task))) == owner_buttons


def test_other_department_viewer_and_co_department_buttons(
    make_task, other_owner_client, viewer_client, co_owner
):
    task = make_task("in_progress", co_departments=[co_owner.department])
    assert buttons(other_owner_client.get(detail(task))) == set()
    page = viewer_client.get(detail(task))
    assert buttons(page) == set()
    assert "当前没有您可以执行的操作" in page.content.decode()
    # A co-operating department reports progress, nothing else.
    assert buttons(session_client(co_owner).get(detail(task))) == {"progress"}


def test_pending_extension_shows_approval_to_supervisor_only(
    make_task, owner, supervisor_client, owner_client
):
    task = make_task("in_progress")
    from supervision.loop.services import extension_request_create

    extension_request_create(
        task=task, actor=owner, requested_deadline=dt.date(2025, 3, 31), reason="汛期停工"
    )
    assert buttons(supervisor_client.get(detail(task))) == {"decide", "urge", "cancel"}
    assert buttons(owner_client.get(detail(task))) == {"progress", "submit"}


# --- the closed loop through the page ------------------------------------------------------


def test_assign_accept_progress_submit_verify(make_task, supervisor_client, owner_client):
    task = make_task("draft")
    response = supervisor_client.post(act(task, "assign"), {"assign-comment": "请按期办理"})
    assert response.status_code == 302
    page = supervisor_client.get(response.url)
    assert "已交办，已通知牵头单位签收。" in page.content.decode()

    owner_client.post(act(task, "accept"), {})
    response = owner_client.post(
        act(task, "progress"),
        {"progress-content": "完成前期手续", "progress-percent": "40", "progress-value": "1.5"},
    )
    assert response.status_code == 302
    owner_client.post(act(task, "submit"), {"submit-summary": "全部完成"})
    response = supervisor_client.post(
        act(task, "verify"), {"verify-decision": "close", "verify-comment": "核验属实"}
    )
    assert response.status_code == 302
    assert "已销号。" in supervisor_client.get(response.url).content.decode()

    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    assert task.latest_value == 1.5
    page = supervisor_client.get(detail(task)).content.decode()
    for label in ["创建", "交办", "签收", "反馈进展", "申请办结", "核验销号", "核验属实"]:
        assert label in page
    assert "申请办结 → 已销号" in page
    assert ProgressReport.objects.get(task=task).percent == 40


def test_owner_cannot_assign_gets_403_message(make_task, owner_client):
    task = make_task("draft")
    response = owner_client.post(act(task, "assign"), {"assign-comment": ""})
    assert response.status_code == 403
    assert "只有督查办可以交办该事项。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.DRAFT


def test_other_department_cannot_accept(make_task, other_owner_client):
    task = make_task("assigned")
    response = other_owner_client.post(act(task, "accept"), {})
    assert response.status_code == 403
    assert "只有牵头单位可以签收该事项。" in response.content.decode()


def test_move_from_wrong_status_is_409_and_changes_nothing(make_task, owner_client):
    task = make_task("in_progress")
    response = owner_client.post(act(task, "accept"), {})
    assert response.status_code == 409
    text = response.content.decode()
    assert "事项当前状态为“办理中”，不能签收。" in text
    assert "（409）" in text
    assert Task.objects.get(pk=task.pk).events.count() == 3  # create, assign, accept


def test_invalid_form_for_a_button_not_yours_is_refused_not_redisplayed(
    make_task, other_owner_client
):
    task = make_task("in_progress")
    response = other_owner_client.post(act(task, "submit"), {"submit-summary": ""})
    assert response.status_code == 403
    assert "只有牵头单位可以申请办结该事项。" in response.content.decode()


def test_return_without_reason_shows_error_at_the_field(make_task, supervisor_client):
    task = make_task("submitted")
    response = supervisor_client.post(
        act(task, "verify"), {"verify-decision": "return", "verify-comment": "  "}
    )
    assert response.status_code == 400
    form = response.context["panels"][0]["form"]
    assert form.errors == {"comment": ["退回须说明理由。"]}
    assert "退回须说明理由。" in response.content.decode()
    task.refresh_from_db()
    assert task.status == TaskStatus.SUBMITTED


def test_return_with_reason_goes_back_to_owner(make_task, supervisor_client, owner_client):
    task = make_task("submitted")
    supervisor_client.post(
        act(task, "verify"), {"verify-decision": "return", "verify-comment": "佐证不足"}
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert "佐证不足" in owner_client.get(detail(task)).content.decode()


def test_submit_needs_summary_and_progress_checks_percent(make_task, owner_client):
    task = make_task("in_progress")
    response = owner_client.post(act(task, "submit"), {"submit-summary": ""})
    assert response.status_code == 400
    panel = next(p for p in response.context["panels"] if p["action"].key == "submit")
    assert list(panel["form"].errors) == ["summary"]
    assert "该字段是必填项。" in response.content.decode()
    response = owner_client.post(
        act(task, "progress"), {"progress-content": "推进中", "progress-percent": "150"}
    )
    assert response.status_code == 400
    panel = next(p for p in response.context["panels"] if p["action"].key == "progress")
    assert panel["open"]
    assert "percent" in panel["form"].errors
    assert not ProgressReport.objects.filter(task=task).exists()


def test_cancel_needs_reason(make_task, supervisor_client):
    task = make_task("assigned")
    response = supervisor_client.post(act(task, "cancel"), {"cancel-reason": ""})
    assert response.status_code == 400
    supervisor_client.post(act(task, "cancel"), {"cancel-reason": "任务调整"})
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_extension_request_and_approval_move_the_deadline(
    make_task, owner_client, supervisor_client
):
    task = make_task("in_progress", deadline=dt.date(2024, 7, 31))
    response = owner_client.post(
        act(task, "extend"),
        {"extend-requested_deadline": "2024-07-01", "extend-reason": "雨季"},
    )
    assert response.status_code == 400  # not later than the deadline (the model says so)
    assert "申请延期的日期须晚于原办理时限。" in response.content.decode()

    owner_client.post(
        act(task, "extend"),
        {"extend-requested_deadline": "2024-09-30", "extend-reason": "雨季停工"},
    )
    extension = ExtensionRequest.objects.get(task=task)
    response = supervisor_client.post(
        act(task, "decide"),
        {"decide-extension": extension.pk, "decide-decision": "reject", "decide-comment": ""},
    )
    assert response.status_code == 400
    assert "驳回延期须说明理由。" in response.content.decode()

    supervisor_client.post(
        act(task, "decide"),
        {"decide-extension": extension.pk, "decide-decision": "approve", "decide-comment": "同意"},
    )
    task.refresh_from_db()
    extension.refresh_from_db()
    assert task.deadline == dt.date(2024, 9, 30)
    assert extension.status == ExtensionStatus.APPROVED
    page = supervisor_client.get(detail(task)).content.decode()
    assert "时限 2024-07-31 → 2024-09-30" in page
    assert "已批准" in page


def test_decide_someone_elses_extension_is_404(make_task, owner, supervisor_client):
    from supervision.loop.services import extension_request_create

    task = make_task("in_progress")
    other = make_task("in_progress")
    extension = extension_request_create(
        task=other, actor=owner, requested_deadline=dt.date(2025, 1, 31), reason="理由"
    )
    extension_request_create(
        task=task, actor=owner, requested_deadline=dt.date(2025, 1, 31), reason="理由"
    )
    response = supervisor_client.post(
        act(task, "decide"),
        {"decide-extension": extension.pk, "decide-decision": "approve", "decide-comment": ""},
    )
    assert response.status_code == 404


def test_unknown_action_and_get_are_refused(make_task, supervisor_client):
    task = make_task("draft")
    assert supervisor_client.post(act(task, "delete"), {}).status_code == 404
    assert supervisor_client.get(act(task, "assign")).status_code == 405
    assert supervisor_client.get(reverse("web:task-detail", args=[999999])).status_code == 404


def test_viewer_and_leader_read_but_cannot_act(make_task, viewer_client, leader):
    task = make_task("submitted")
    assert viewer_client.get(detail(task)).status_code == 200
    response = session_client(leader).post(
        act(task, "verify"), {"verify-decision": "close", "verify-comment": ""}
    )
    assert response.status_code == 403
    assert factories.TaskFactory._meta.model.objects.get(pk=task.pk).status == "submitted"


def test_export_link_carries_the_filters_and_downloads(supervisor_client, make_task):
    make_task("in_progress", title="要导出的")
    page = supervisor_client.get(reverse("web:tasks"), {"status": "in_progress", "page": "1"})
    url = page.context["export_url"]
    assert url == reverse("export-tasks") + "?status=in_progress"
    response = supervisor_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
