"""The office's daily work on the kinds of 督办件 in the cockpit: 新建 for each kind with its
own form, edit (a reason once assigned), 保存并交办, batch 交办, a meeting with its items,
the policy editor, a leader's 批示, a proposal's 答复 / 满意度, and refusals by role."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from supervision.choices import TaskAction, TaskStatus
from supervision.kinds import instructions, proposals, services
from supervision.kinds.models import Instruction, MeetingItem, SourcePolicy
from supervision.loop import transitions
from supervision.loop.models import Task, TaskEvent
from tests.clients import API, bearer_client
from tests.clients import session_client as client_for
from tests.web.conftest import walk

pytestmark = pytest.mark.django_db


def task_data(department, **extra):
    return {
        "task-title": "关于乌江航道整治的批示",
        "task-domain": "ecology",
        "task-lead_department": department.pk,
        "task-priority": "normal",
        "task-report_frequency": "monthly",
        **extra,
    }


def instruction_data(leader, **extra):
    return {
        "instruction-leader": leader.pk,
        "instruction-instructed_on": "2024-09-27",
        "instruction-urgency": "urgent",
        "instruction-text": "请区交通局抓紧研究。",
        **extra,
    }


def test_the_new_page_offers_every_kind_to_the_office(supervisor_client):
    response = supervisor_client.get("/tasks/new/")

    assert response.status_code == 200
    for href in ("/tasks/new/instruction/", "/tasks/new/npc/", "/meetings/new/", "/tasks/import/"):
        assert href in response.content.decode()


@pytest.mark.parametrize("path", ["/tasks/new/", "/tasks/new/instruction/", "/meetings/new/"])
def test_units_cannot_file(owner_client, path):
    response = owner_client.get(path)

    assert response.status_code == 403
    assert "只有督查办" in response.content.decode()


def test_a_batch_of_an_instruction_gets_its_deadline_from_urgency_and_is_assigned(
    supervisor_client, department, leader
):
    data = task_data(department, then="assign", **instruction_data(leader))

    response = supervisor_client.post("/tasks/new/instruction/", data)

    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/tasks/{task.pk}/"
    assert task.status == TaskStatus.ASSIGNED
    assert task.deadline == dt.date(2024, 10, 8)  # 急件: 3 working days across 国庆
    assert task.code.startswith("PS")
    assert task.instruction.leader == leader


def test_a_missing_detail_field_is_shown_on_that_field(supervisor_client, department, leader):
    data = task_data(department, **instruction_data(leader, **{"instruction-text": ""}))

    response = supervisor_client.post("/tasks/new/instruction/", data)

    assert response.status_code == 400
    assert response.context["detail_form"].errors["text"]
    assert not Task.objects.exists()


def test_a_proposal_with_assisting_units_and_a_merge(
    supervisor_client, supervisor, department, other_department
):
    first = services.task_file(
        actor=supervisor,
        source="npc",
        title="先到的建议",
        domain="livelihood",
        lead_department=department,
        details={"proposal": {"number": "第1号", "proposer": "代表甲"}},
    )
    data = {
        **task_data(department, **{"task-title": "关于农村公路养护的建议"}),
        "proposal-number": "第2号",
        "proposal-proposer": "代表乙",
        "proposal-assist_departments": [other_department.pk],
        "proposal-merged_codes": f"{first.code}、",
    }

    response = supervisor_client.post("/tasks/new/npc/", data)

    assert response.status_code == 302, response.context and response.context["form"].errors
    main = Task.objects.exclude(pk=first.pk).get()
    assert list(main.proposal.assist_departments.all()) == [other_department]
    first.proposal.refresh_from_db()
    assert first.proposal.merged_into == main


def test_an_unknown_code_to_merge_is_a_field_error(supervisor_client, department):
    data = {
        **task_data(department),
        "proposal-number": "第2号",
        "proposal-proposer": "代表乙",
        "proposal-merged_codes": "JY1999-9999",
    }

    response = supervisor_client.post("/tasks/new/npc/", data)

    assert response.status_code == 400
    assert "JY1999-9999" in str(response.context["detail_form"].errors["merged_codes"])


def test_editing_an_assigned_task_needs_a_reason_which_is_logged(
    supervisor_client, supervisor, owner, department, leader
):
    task = services.task_file(
        actor=supervisor,
        source="instruction",
        title="原标题",
        domain="ecology",
        lead_department=department,
        details={
            "instruction": {
                "leader": leader,
                "instructed_on": dt.date(2024, 6, 24),
                "text": "请办理。",
                "urgency": "normal",
            }
        },
    )
    walk(task, "assigned", supervisor=supervisor, owner=owner)
    data = task_data(department, **{"task-title": "新标题"}, **instruction_data(leader))

    refused = supervisor_client.post(f"/tasks/{task.pk}/edit/", data)
    done = supervisor_client.post(f"/tasks/{task.pk}/edit/", {**data, "task-reason": "领导要求"})

    assert refused.status_code == 400
    assert refused.context["form"].errors["reason"]
    assert done.status_code == 302
    event = TaskEvent.objects.filter(task=task, action=TaskAction.EDIT).get()
    assert event.comment == "领导要求"
    assert event.data["changes"]["title"] == ["原标题", "新标题"]


def test_batch_assign_assigns_the_ticked_drafts(supervisor_client, make_task):
    drafts = [make_task(), make_task()]

    response = supervisor_client.post(
        "/tasks/assign/", {"tasks": [t.pk for t in drafts], "next": "/tasks/?status=draft"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/tasks/?status=draft"
    assert {t.status for t in Task.objects.all()} == {TaskStatus.ASSIGNED}


def test_the_list_has_kind_tabs_and_the_office_gets_checkboxes(
    supervisor_client, owner_client, make_task
):
    make_task()

    office = supervisor_client.get("/tasks/?source=instruction").content.decode()
    unit = owner_client.get("/tasks/").content.decode()

    assert 'aria-current="page">领导批示</a>' in office
    assert 'name="tasks"' not in office  # the draft is not an instruction
    assert 'name="tasks"' in supervisor_client.get("/tasks/").content.decode()
    assert 'name="tasks"' not in unit
    assert "新建督办件" not in unit


def test_a_meeting_and_its_items_saved_and_assigned_together(
    supervisor_client, department, other_department
):
    data = {
        "meeting-name": "区政府第12次常务会议",
        "meeting-held_on": "2024-06-20",
        "meeting-minutes_number": "武隆府纪〔2024〕12号",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "then": "assign",
    }
    for index, unit in enumerate([department, other_department, department]):
        data |= {
            f"items-{index}-title": f"议定事项{index + 1}",
            f"items-{index}-lead_department": unit.pk,
            f"items-{index}-deadline": "2024-09-30",
            f"items-{index}-domain": "economy",
        }

    response = supervisor_client.post("/meetings/new/", data)

    assert response.status_code == 302
    items = list(MeetingItem.objects.select_related("task").order_by("sequence"))
    assert [i.task.title for i in items] == ["议定事项1", "议定事项2", "议定事项3"]
    assert {i.task.status for i in items} == {TaskStatus.ASSIGNED}
    assert len({i.meeting_id for i in items}) == 1


def test_a_meeting_item_error_is_shown_on_its_row(supervisor_client, department):
    data = {
        "meeting-name": "区政府第12次常务会议",
        "meeting-held_on": "2024-06-20",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-title": "议定事项1",
        "items-0-lead_department": department.pk,
        "items-0-deadline": "2024-09-30",
        "items-0-domain": "economy",
        "items-1-title": "议定事项2",
        "items-1-deadline": "2024-09-30",
        "items-1-domain": "economy",
    }

    response = supervisor_client.post("/meetings/new/", data)

    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors["lead_department"]
    assert not Task.objects.exists()


def test_the_office_edits_a_policy(supervisor_client):
    page = supervisor_client.get("/kinds/policies/")
    response = supervisor_client.post(
        "/kinds/policies/instruction/",
        {
            "time_limit": "",
            "time_limit_unit": "workdays",
            "extra_urgent_days": 1,
            "urgent_days": 5,
            "normal_days": 15,
            "complex_days": 30,
            "detail_required": "on",
        },
    )

    assert page.status_code == 200
    assert response.status_code == 302
    assert SourcePolicy.objects.get(source="instruction").urgent_days == 5


def test_a_unit_cannot_edit_a_policy(owner_client):
    assert owner_client.post("/kinds/policies/npc/", {"time_limit": 1}).status_code == 403


def test_a_leader_instructs_on_any_task_and_a_unit_cannot(leader, owner_client, make_task):
    task = make_task("in_progress")
    leader_client = client_for(leader)

    page = leader_client.get(f"/tasks/{task.pk}/")
    done = leader_client.post(f"/tasks/{task.pk}/instruct/", {"instruct-text": "加快进度。"})
    refused = owner_client.post(f"/tasks/{task.pk}/instruct/", {"instruct-text": "加快进度。"})

    assert 'data-action="instruct"' in page.content.decode()
    assert done.status_code == 302
    assert refused.status_code == 403
    assert Instruction.objects.get().leader == leader


def test_the_unit_replies_and_the_office_records_dissatisfaction(
    supervisor, owner, owner_client, supervisor_client, department
):
    task = services.task_file(
        actor=supervisor,
        source="cppcc",
        title="提案",
        domain="livelihood",
        lead_department=department,
        details={"proposal": {"number": "第3号", "proposer": "委员丙"}},
    )
    walk(task, "in_progress", supervisor=supervisor, owner=owner)

    replied = owner_client.post(
        f"/tasks/{task.pk}/reply/",
        {
            "reply-reply_class": "B",
            "reply-replied_on": "2024-06-27",
            "reply-summary": "已列入计划。",
            "reply-met_on": "2024-06-26",
            "reply-meeting_form": "phone",
        },
    )
    transitions.task_submit(task=task, actor=owner, summary="已办理")
    missing = supervisor_client.post(
        f"/tasks/{task.pk}/satisfaction/", {"satisfaction-satisfaction": "dissatisfied"}
    )
    reopened = supervisor_client.post(
        f"/tasks/{task.pk}/satisfaction/",
        {"satisfaction-satisfaction": "dissatisfied", "satisfaction-comment": "进度太慢"},
    )

    assert replied.status_code == 302
    assert missing.status_code == 400
    assert missing.context["kind"]["forms"]["satisfaction"].errors["comment"]
    assert reopened.status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert task.proposal.round == 2


def _sheet(rows):
    from tests.excel.conftest import upload, workbook_bytes

    header = ["编号", "事项名称", "来源", "报表类别", "牵头单位", "办理时限"]
    return upload(workbook_bytes([header, *rows]))


def test_the_import_page_previews_then_commits(supervisor_client, department):
    good = [
        ["QT-1", "推进重点项目建设", "其他", "经济", department.code, dt.date(2024, 9, 30)],
        ["QT-2", "推进城市更新", "其他", "民生", department.code, dt.date(2024, 10, 31)],
    ]

    preview = supervisor_client.post("/tasks/import/", {"file": _sheet(good)})
    token = preview.context["commit"]["token"].value()
    nothing_yet = Task.objects.count()
    commit = supervisor_client.post("/tasks/import/", {"token": token, "assign": "on"})
    again = supervisor_client.post("/tasks/import/", {"token": token})

    assert preview.status_code == 200
    assert 'data-testid="import-commit"' in preview.content.decode()
    assert nothing_yet == 0
    assert commit.status_code == 302, commit.context["check"].errors
    assert sorted(Task.objects.values_list("status", flat=True)) == ["assigned", "assigned"]
    assert again.status_code == 302  # the preview was used up: nothing imported twice
    assert Task.objects.count() == 2


def test_an_import_with_errors_shows_them_and_offers_no_commit(supervisor_client, department):
    rows = [["QT-1", "推进重点项目建设", "其他", "经济", "NO-SUCH", dt.date(2024, 9, 30)]]

    response = supervisor_client.post("/tasks/import/", {"file": _sheet(rows)})

    body = response.content.decode()
    assert response.status_code == 200
    assert "牵头单位" in body
    assert "import-commit" not in body
    assert not Task.objects.exists()


def test_the_proposal_page_and_ledger(supervisor, owner, client, department):
    task = services.task_file(
        actor=supervisor,
        source="npc",
        title='=HYPERLINK("http://x")',
        domain="livelihood",
        lead_department=department,
        details={"proposal": {"number": "第5号", "proposer": "代表丁"}},
    )
    walk(task, "in_progress", supervisor=supervisor, owner=owner)
    proposals.proposal_reply(
        task=task, actor=owner, reply_class="A", replied_on=dt.date(2024, 6, 27), summary="已采纳"
    )
    viewer = client_for(owner)

    page = viewer.get("/proposals/?source=npc")
    bad = viewer.get("/proposals/?year=abc")
    ledger = viewer.get("/proposals/ledger.xlsx?source=npc")

    assert page.status_code == 200
    assert page.context["overall"].resolution_rate == 100
    assert bad.status_code == 400
    ws = load_workbook(io.BytesIO(b"".join(ledger.streaming_content))).active
    assert ws["D3"].value == '=HYPERLINK("http://x")'
    assert ws["D3"].data_type == "s"
    assert ws["C3"].value == "第5号"
    api = bearer_client(owner)  # the same ledger from the API, same filters
    exported = api.get(API + "exports/proposals.xlsx?source=cppcc")
    assert exported["Content-Disposition"].startswith('attachment; filename="proposals-')
    ws = load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active
    assert ws["C3"].value is None  # no 提案: the 四率 footer follows the header
    assert api.get(API + "exports/proposals.xlsx?year=abc").json()["code"]
    ws = load_workbook(
        io.BytesIO(b"".join(api.get(API + "exports/proposals.xlsx").streaming_content))
    ).active
    assert (ws["C3"].value, ws["D3"].data_type) == ("第5号", "s")


def test_a_leader_instructs_on_a_project_and_a_unit_cannot(leader, owner_client, department):
    from tests.factories import ProjectFactory

    project = ProjectFactory(lead_department=department)
    leader_client = client_for(leader)

    page = leader_client.get(f"/projects/{project.pk}/")
    done = leader_client.post(f"/projects/{project.pk}/instruct/", {"instruct-text": "抓紧开工。"})
    refused = owner_client.post(f"/projects/{project.pk}/instruct/", {"instruct-text": "x"})

    assert 'data-action="instruct"' in page.content.decode()
    assert done.status_code == 302
    assert refused.status_code == 403
    assert Instruction.objects.get().project == project


def test_a_draft_is_edited_without_a_reason(supervisor_client, supervisor, department):
    task = services.task_file(
        actor=supervisor,
        source="problem",
        title="问题",
        domain="safety",
        lead_department=department,
        deadline=dt.date(2024, 9, 30),
        details={
            "problem": {
                "origin": "audit",
                "found_on": dt.date(2024, 6, 1),
                "description": "账目不清",
                "rectification_goal": "理清账目",
            }
        },
    )
    page = supervisor_client.get(f"/tasks/{task.pk}/edit/")
    data = {
        **task_data(department, **{"task-title": "问题（改）", "task-deadline": "2024-10-31"}),
        "problem-origin": "audit",
        "problem-found_on": "2024-06-01",
        "problem-description": "账目不清",
        "problem-rectification_goal": "理清账目并建章立制",
    }

    response = supervisor_client.post(f"/tasks/{task.pk}/edit/", data)

    assert page.context["detail_form"]["rectification_goal"].value() == "理清账目"
    assert "reason" not in page.context["form"].fields
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.deadline) == ("问题（改）", dt.date(2024, 10, 31))
    assert task.problem.rectification_goal == "理清账目并建章立制"


def test_a_leaders_inbox_lists_the_work_he_instructed(
    leader, supervisor, make_task, django_assert_max_num_queries
):
    mine = make_task("in_progress", title="我批示过的事项")
    make_task("in_progress", title="别的事项")
    instructions.task_instruct(task=mine, actor=leader, text="加快进度。")

    client = client_for(leader)
    client.get("/inbox/")  # the session's first request does extra work
    with django_assert_max_num_queries(20):
        page = client.get("/inbox/")

    rows = page.context["instructed"]["rows"]
    assert [t.title for t in rows] == ["我批示过的事项"]


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("post", "/tasks/assign/", {"tasks": ["abc", "9999999"]}, 302),
        ("post", "/tasks/assign/", {"tasks": ["1"], "next": "//evil.example/"}, 302),
        ("get", "/tasks/new/bogus/", None, 404),
        ("get", "/kinds/policies/bogus/", None, 404),
        ("get", "/tasks/999999/edit/", None, 404),
        ("post", "/tasks/import/", {"token": "no-such-token"}, 302),
        ("post", "/tasks/import/", {"file": ("x.xlsx", b"not a workbook")}, 400),
        ("get", "/proposals/?department=abc&year=99999", None, 400),
        ("post", "/meetings/new/", {"items-TOTAL_FORMS": "1000", "items-INITIAL_FORMS": "0"}, 400),
        ("post", "/meetings/new/", {"meeting-name": "会\x00议"}, 400),
        ("post", "/tasks/new/npc/", {"task-title": "x\x07", "proposal-number": "\x1b"}, 400),
        ("post", "/kinds/policies/npc/", {"time_limit": "-1", "time_limit_unit": "x"}, 400),
        ("post", "/tasks/999999/satisfaction/", {"satisfaction-satisfaction": "x"}, 404),
    ],
)
def test_hostile_input_is_refused_cleanly(supervisor_client, method, path, data, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if data and isinstance(data.get("file"), tuple):
        name, content = data["file"]
        data = {"file": SimpleUploadedFile(name, content)}
    response = getattr(supervisor_client, method)(path, data)

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/tasks/")
    assert not Task.objects.exists()


def _proposal(supervisor, owner, n):
    task = services.task_file(
        actor=supervisor,
        source="npc",
        title=f"建议{n}",
        domain="livelihood",
        lead_department=owner.department,
        details={"proposal": {"number": f"第{n}号", "proposer": f"代表{n}", "category": "交通"}},
    )
    return walk(task, "in_progress", supervisor=supervisor, owner=owner)


def test_the_reply_form_binds_the_reply_letter(supervisor, owner, owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.models import Attachment
    from tests.files import samples

    task = _proposal(supervisor, owner, 8)
    assert 'name="reply-attachments"' in owner_client.get(f"/tasks/{task.pk}/").content.decode()
    letter = owner_client.post(
        "/uploads/", {"file": SimpleUploadedFile("答复函.pdf", samples.pdf())}
    ).json()
    body = {
        "reply-reply_class": "A",
        "reply-replied_on": "2024-06-27",
        "reply-summary": "已采纳。",
        "reply-attachments": [letter["id"]],
    }
    response = owner_client.post(f"/tasks/{task.pk}/reply/", body)
    assert response.status_code == 302, response.content[:500]
    bound = Attachment.objects.get(pk=letter["id"])
    assert (bound.target_type, bound.target_id) == ("proposal_reply", task.proposal.pk)
    assert letter["sha256"] in owner_client.get(f"/tasks/{task.pk}/").content.decode()


def test_the_kinds_pages_query_a_constant_number_of_times(
    supervisor, owner, other_owner, django_assert_max_num_queries
):
    client = client_for(supervisor)
    client.get("/proposals/")  # the session's first request does extra work
    counts = []
    for n in range(2):
        for i in range(3):
            _proposal(supervisor, owner if i % 2 else other_owner, n * 3 + i)
        for url in ("/proposals/", "/proposals/ledger.xlsx", "/kinds/policies/"):
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
                if url.endswith(".xlsx"):
                    b"".join(response.streaming_content)
            assert response.status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:], counts
    task = Task.objects.filter(source="npc").first()
    with django_assert_max_num_queries(30):
        assert client.get(f"/tasks/{task.pk}/").status_code == 200
