"""Filing each kind through the API: required details with field errors, generated codes,
deadlines from the kind's policy (working days on China's calendar), nested objects."""

import datetime as dt

import pytest

from core import clock
from supervision.kinds import services
from supervision.kinds.models import Meeting, SourcePolicy
from supervision.models import Task, TaskEvent
from tests.clients import API

pytestmark = pytest.mark.django_db


def body(department, source="work_report", **extra):
    return {
        "title": "新建督办事项",
        "source": source,
        "domain": "economy",
        "lead_department": department.pk,
        **extra,
    }


def instruction(leader, **extra):
    return {
        "leader": leader.pk,
        "instructed_on": "2024-06-24",
        "text": "请抓紧研究落实。",
        "urgency": "normal",
        **extra,
    }


PROPOSAL = {"number": "第12号", "proposer": "张代表", "proposer_contact": "023-77000000"}
PROBLEM = {
    "origin": "audit",
    "found_on": "2024-05-20",
    "description": "专项资金拨付滞后",
    "rectification_goal": "6月底前拨付到位",
}


# --- required details, clear field errors -----------------------------------------------


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("instruction", "instruction"),
        ("npc", "proposal"),
        ("cppcc", "proposal"),
        ("problem", "problem"),
    ],
)
def test_a_kind_that_needs_details_refuses_a_task_without_them(
    supervisor_api, department, source, name
):
    response = supervisor_api.post(
        API + "tasks/", body(department, source, deadline="2024-12-31"), format="json"
    )

    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]
    assert "须填写" in response.json()["errors"][name][0]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("source", "name", "detail", "missing"),
    [
        ("instruction", "instruction", {"instructed_on": "2024-06-24", "text": "阅"}, "leader"),
        ("instruction", "instruction", {"leader": None, "text": "阅"}, "instructed_on"),
        ("npc", "proposal", {"number": "第1号"}, "proposer"),
        ("problem", "problem", {"origin": "audit", "description": "问题"}, "found_on"),
        ("problem", "problem", {**PROBLEM, "origin": "rumour"}, "origin"),
    ],
)
def test_a_detail_missing_a_field_names_that_field(
    supervisor_api, department, source, name, detail, missing
):
    response = supervisor_api.post(
        API + "tasks/",
        body(department, source, deadline="2024-12-31", **{name: detail}),
        format="json",
    )

    assert response.status_code == 400, response.content
    assert missing in response.json()["errors"][name], response.json()
    assert not Task.objects.exists()


def test_details_of_another_kind_are_refused(supervisor_api, department, leader):
    response = supervisor_api.post(
        API + "tasks/",
        body(
            department,
            "npc",
            deadline="2024-12-31",
            proposal=PROPOSAL,
            instruction=instruction(leader),
        ),
        format="json",
    )

    assert response.status_code == 400
    assert "instruction" in response.json()["errors"]
    assert not Task.objects.exists()


def test_the_instructing_leader_must_be_a_leader(supervisor_api, department, owner):
    response = supervisor_api.post(
        API + "tasks/",
        body(department, "instruction", instruction=instruction(owner)),
        format="json",
    )

    assert response.status_code == 400
    assert "leader" in response.json()["errors"]["instruction"]


# --- codes -------------------------------------------------------------------------------


def test_codes_are_generated_per_source_and_year_and_a_given_code_is_kept(
    supervisor_api, department, leader
):
    first = supervisor_api.post(
        API + "tasks/",
        body(department, "instruction", instruction=instruction(leader)),
        format="json",
    )
    second = supervisor_api.post(
        API + "tasks/",
        body(department, "instruction", instruction=instruction(leader)),
        format="json",
    )
    problem = supervisor_api.post(
        API + "tasks/",
        body(department, "problem", deadline="2024-09-30", problem=PROBLEM),
        format="json",
    )
    typed = supervisor_api.post(
        API + "tasks/", body(department, code="自编-1", deadline="2024-09-30"), format="json"
    )

    assert [r.status_code for r in (first, second, problem, typed)] == [201] * 4
    assert first.json()["code"] == "PS2024-0001"
    assert second.json()["code"] == "PS2024-0002"
    assert problem.json()["code"] == "WT2024-0001"
    assert typed.json()["code"] == "自编-1"


def test_a_number_already_typed_by_hand_is_skipped(supervisor, department):
    services.task_file(
        actor=supervisor, source="other", code="QT2024-0001", title="手工编号", domain="economy",
        lead_department=department, deadline=dt.date(2024, 9, 30),
    )  # fmt: skip
    task = services.task_file(
        actor=supervisor, source="other", title="自动编号", domain="economy",
        lead_department=department, deadline=dt.date(2024, 9, 30),
    )  # fmt: skip

    assert task.code == "QT2024-0002"


# --- deadlines from the policy -----------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "deadline"),
    [
        # 2024-09-27 is a Friday; 09-29 (Sunday) is a 调休 working day; 10-01…10-07 国庆 off.
        ("extra_urgent", "2024-09-29"),
        ("urgent", "2024-10-08"),
        ("normal", "2024-10-23"),  # 10-12 (Saturday) is a 调休 working day
    ],
)
def test_an_instruction_without_deadline_gets_it_from_urgency_in_working_days(
    supervisor_api, department, leader, urgency, deadline
):
    response = supervisor_api.post(
        API + "tasks/",
        body(
            department,
            "instruction",
            instruction=instruction(leader, instructed_on="2024-09-27", urgency=urgency),
        ),
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["deadline"] == deadline
    assert response.json()["deadline_auto"] is False
    assert response.json()["instruction"]["urgency"] == urgency


def test_the_urgency_days_follow_the_offices_policy(supervisor, supervisor_api, department, leader):
    services.source_policy_save(actor=supervisor, source="instruction", urgent_days=5)

    response = supervisor_api.post(
        API + "tasks/",
        body(
            department,
            "instruction",
            instruction=instruction(leader, instructed_on="2024-09-27", urgency="urgent"),
        ),
        format="json",
    )

    assert response.json()["deadline"] == "2024-10-10"
    assert SourcePolicy.objects.get(source="instruction").urgent_days == 5


def test_a_proposals_three_months_count_from_assign(supervisor_api, supervisor, department):
    created = supervisor_api.post(
        API + "tasks/", body(department, "npc", proposal=PROPOSAL), format="json"
    )
    assert created.status_code == 201, created.content
    assert (created.json()["deadline"], created.json()["deadline_auto"]) == ("2024-09-28", True)
    pk = created.json()["id"]

    with clock.override(dt.datetime(2024, 7, 2, 10, tzinfo=dt.UTC)):
        assigned = supervisor_api.post(f"{API}tasks/{pk}/assign/", {}, format="json")

    assert assigned.json()["deadline"] == "2024-10-02"
    assert assigned.json()["deadline_auto"] is False
    event = TaskEvent.objects.get(task_id=pk, action="assign")
    assert event.data["deadline"] == ["2024-09-28", "2024-10-02"]


def test_a_kind_without_a_default_time_limit_needs_a_deadline(supervisor_api, department):
    response = supervisor_api.post(
        API + "tasks/", body(department, "problem", problem=PROBLEM), format="json"
    )

    assert response.status_code == 400
    assert "deadline" in response.json()["errors"]


def test_a_deadline_typed_by_hand_is_not_recomputed_at_assign(supervisor_api, department):
    created = supervisor_api.post(
        API + "tasks/",
        body(department, "npc", proposal=PROPOSAL, deadline="2024-08-31"),
        format="json",
    )
    pk = created.json()["id"]

    assigned = supervisor_api.post(f"{API}tasks/{pk}/assign/", {}, format="json")

    assert assigned.json()["deadline"] == "2024-08-31"


# --- nested objects ----------------------------------------------------------------------


def test_items_naming_the_same_meeting_share_it_and_are_numbered(supervisor_api, department):
    meeting = {
        "name": "区政府第45次常务会议",
        "held_on": "2024-06-20",
        "minutes_number": "〔2024〕45号",
    }
    one = supervisor_api.post(
        API + "tasks/",
        body(department, "decision", deadline="2024-09-30", meeting=meeting),
        format="json",
    )
    two = supervisor_api.post(
        API + "tasks/",
        body(department, "decision", deadline="2024-09-30", meeting=meeting),
        format="json",
    )
    bare = supervisor_api.post(
        API + "tasks/", body(department, "decision", deadline="2024-09-30"), format="json"
    )

    assert one.status_code == two.status_code == bare.status_code == 201
    assert one.json()["meeting"]["id"] == two.json()["meeting"]["id"] == Meeting.objects.get().pk
    assert (one.json()["meeting"]["sequence"], two.json()["meeting"]["sequence"]) == (1, 2)
    assert one.json()["code"] == "HY2024-0001"
    assert bare.json()["meeting"] is None


def test_every_kind_reads_back_its_nested_object_and_null_for_the_others(
    supervisor_api, department, leader
):
    created = supervisor_api.post(
        API + "tasks/",
        body(department, "problem", deadline="2024-09-30", problem=PROBLEM),
        format="json",
    )

    task = supervisor_api.get(f"{API}tasks/{created.json()['id']}/").json()

    assert task["problem"] == {**PROBLEM, "measures": "", "recurring": False, "recurs_of": None}
    assert task["instruction"] is task["meeting"] is task["proposal"] is None


def test_patching_a_detail_logs_the_change_with_the_reason(supervisor_api, department, leader):
    created = supervisor_api.post(
        API + "tasks/",
        body(department, "instruction", instruction=instruction(leader)),
        format="json",
    )
    pk = created.json()["id"]
    supervisor_api.post(f"{API}tasks/{pk}/assign/", {}, format="json")

    response = supervisor_api.patch(
        f"{API}tasks/{pk}/",
        {
            "instruction": {"urgency": "urgent", "document_number": "武府办〔2024〕3号"},
            "reason": "来文补正",
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["instruction"]["urgency"] == "urgent"
    event = TaskEvent.objects.filter(task_id=pk, action="edit").get()
    assert event.comment == "来文补正"
    assert event.data["changes"]["instruction.urgency"] == ["normal", "urgent"]


def test_an_assigned_task_keeps_its_source(supervisor_api, department, leader):
    created = supervisor_api.post(
        API + "tasks/",
        body(department, "instruction", instruction=instruction(leader)),
        format="json",
    )
    pk = created.json()["id"]
    supervisor_api.post(f"{API}tasks/{pk}/assign/", {}, format="json")

    response = supervisor_api.patch(f"{API}tasks/{pk}/", {"source": "other"}, format="json")

    assert response.status_code == 400
    assert "source" in response.json()["errors"]
    assert Task.objects.get(pk=pk).source == "instruction"
