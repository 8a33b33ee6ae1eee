"""人大建议 / 政协提案: reply, satisfaction, 不满意 → 二次办理 with a fresh ladder, 并案, 协办."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core import clock
from supervision.kinds import merge, proposals
from supervision.loop import services as loop_services
from supervision.loop import transitions
from supervision.models import Notification, Reminder, Task, TaskEvent
from supervision.reminders.scan import scan_deadlines
from tests.clients import API

pytestmark = pytest.mark.django_db

REPLY = {"reply_class": "B", "replied_on": "2024-06-20", "summary": "已列入2025年养护计划。"}


def test_the_lead_unit_replies_and_only_then_may_submit(make_proposal, owner_api, owner):
    task = make_proposal("in_progress")

    refused = owner_api.post(f"{API}tasks/{task.pk}/submit/", {"summary": "已办理"}, format="json")
    replied = owner_api.post(
        f"{API}tasks/{task.pk}/reply/", {**REPLY, "met_on": "2024-06-18"}, format="json"
    )
    submitted = owner_api.post(
        f"{API}tasks/{task.pk}/submit/", {"summary": "已办理"}, format="json"
    )

    assert refused.status_code == 400
    assert "reply" in refused.json()["errors"]
    assert replied.status_code == 200, replied.content
    assert replied.json()["proposal"]["reply_class"] == "B"
    assert replied.json()["proposal"]["met_on"] == "2024-06-18"
    assert replied.json()["proposal"]["meeting_form"] == "in_person"
    assert submitted.status_code == 200
    assert TaskEvent.objects.filter(task=task, action="reply").count() == 1


def test_only_the_lead_unit_replies(make_proposal, supervisor_api, other_owner):
    task = make_proposal("in_progress")

    response = supervisor_api.post(f"{API}tasks/{task.pk}/reply/", REPLY, format="json")

    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).proposal.reply_class == ""


def test_a_reply_dated_in_the_future_is_refused(make_proposal, owner_api):
    task = make_proposal("in_progress")

    response = owner_api.post(
        f"{API}tasks/{task.pk}/reply/", {**REPLY, "replied_on": "2024-07-01"}, format="json"
    )

    assert response.status_code == 400
    assert "replied_on" in response.json()["errors"]


def test_the_reply_binds_its_letter_and_refuses_someone_elses_file(
    make_proposal, owner_api, other_owner
):
    """API.md: ``reply/`` takes ``attachments`` (the 答复函), the caller's own staged uploads;
    a file of another unit is refused with a field error and the reply is not recorded."""
    from supervision.models import Attachment
    from tests.clients import bearer_client
    from tests.files import samples
    from tests.files.conftest import upload

    task = make_proposal("in_progress")
    foreign = upload(bearer_client(other_owner), samples.pdf("x"), name="别人的.pdf").json()
    refused = owner_api.post(
        f"{API}tasks/{task.pk}/reply/", {**REPLY, "attachments": [foreign["id"]]}, format="json"
    )
    assert refused.status_code == 400
    assert str(foreign["id"]) in refused.json()["errors"]["attachments"][0]
    assert Task.objects.get(pk=task.pk).proposal.reply_class == ""
    assert Attachment.objects.get(pk=foreign["id"]).is_staged

    letter = upload(owner_api, samples.pdf("答复函"), name="答复函.pdf").json()
    replied = owner_api.post(
        f"{API}tasks/{task.pk}/reply/", {**REPLY, "attachments": [letter["id"]]}, format="json"
    )
    assert replied.status_code == 200, replied.content
    bound = Attachment.objects.get(pk=letter["id"])
    assert (bound.target_type, bound.target_id, bound.task_id) == (
        "proposal_reply",
        task.proposal.pk,
        task.pk,
    )
    listed = owner_api.get(f"{API}attachments/", {"task": task.pk}).json()["results"]
    assert [row["id"] for row in listed] == [letter["id"]]


def test_satisfaction_before_a_reply_is_a_conflict(make_proposal, supervisor_api):
    task = make_proposal("in_progress")

    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/satisfaction/", {"satisfaction": "satisfied"}, format="json"
    )

    assert response.status_code == 409


def replied_and_closed(task, owner, supervisor, reply_class="B"):
    proposals.proposal_reply(
        task=task,
        actor=owner,
        reply_class=reply_class,
        replied_on=dt.date(2024, 6, 20),
        summary="答复",
    )
    transitions.task_submit(task=task, actor=owner, summary="已答复代表")
    return transitions.task_verify(task=task, actor=supervisor, approved=True)


def test_satisfied_is_recorded_and_changes_nothing_else(
    make_proposal, supervisor_api, owner, supervisor
):
    task = replied_and_closed(make_proposal("in_progress"), owner, supervisor)

    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/satisfaction/",
        {"satisfaction": "basically_satisfied", "met_on": "2024-06-25"},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["proposal"]["satisfaction"] == "basically_satisfied"
    assert response.json()["proposal"]["satisfaction_on"] == "2024-06-28"


def test_dissatisfied_reopens_with_a_new_deadline_and_a_fresh_ladder(
    make_proposal, supervisor_api, owner, supervisor
):
    task = make_proposal("in_progress", deadline=dt.date(2024, 6, 3))
    with clock.override(dt.datetime(2024, 6, 14, 10, tzinfo=dt.UTC)):
        scan_deadlines()  # the old deadline reached 通报
    old_rungs = set(Reminder.objects.filter(task=task).values_list("level", flat=True))
    assert "notice" in old_rungs
    task = replied_and_closed(task, owner, supervisor)

    response = supervisor_api.post(
        f"{API}tasks/{task.pk}/satisfaction/",
        {"satisfaction": "dissatisfied", "comment": "养护计划不具体", "deadline": "2024-07-03"},
        format="json",
    )

    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert (task.status, task.deadline, task.closed_at) == (
        "in_progress",
        dt.date(2024, 7, 3),
        None,
    )
    assert task.proposal.round == 2
    reopen = TaskEvent.objects.get(task=task, action="reopen")
    assert (reopen.from_status, reopen.to_status) == ("closed", "in_progress")
    assert reopen.data["deadline"] == ["2024-06-03", "2024-07-03"]
    scan_deadlines()  # 2024-06-28: three working days before 07-03
    new = Reminder.objects.filter(task=task, deadline=dt.date(2024, 7, 3))
    assert list(new.values_list("level", flat=True)) == ["warning"]


def test_dissatisfied_without_a_deadline_takes_the_policys_time_limit(
    make_proposal, supervisor, owner
):
    task = replied_and_closed(make_proposal("in_progress"), owner, supervisor)

    proposals.proposal_satisfaction(
        task=task, actor=supervisor, satisfaction="dissatisfied", comment="不满意"
    )

    task.refresh_from_db()
    assert task.deadline == dt.date(2024, 9, 28)  # three months from 2024-06-28


def test_dissatisfied_needs_the_proposers_words(make_proposal, supervisor, owner):
    task = replied_and_closed(make_proposal("in_progress"), owner, supervisor)

    with pytest.raises(ValidationError) as exc:
        proposals.proposal_satisfaction(task=task, actor=supervisor, satisfaction="dissatisfied")

    assert "comment" in exc.value.message_dict
    assert Task.objects.get(pk=task.pk).status == "closed"


def test_a_second_reply_clears_the_earlier_dissatisfaction(make_proposal, supervisor, owner):
    task = replied_and_closed(make_proposal("in_progress"), owner, supervisor)
    proposals.proposal_satisfaction(
        task=task, actor=supervisor, satisfaction="dissatisfied", comment="不满意"
    )

    proposals.proposal_reply(
        task=task, actor=owner, reply_class="A", replied_on=dt.date(2024, 6, 28), summary="已解决"
    )

    task.refresh_from_db()
    assert (task.proposal.reply_class, task.proposal.satisfaction, task.proposal.round) == (
        "A",
        "",
        2,
    )


# --- 并案 ---------------------------------------------------------------------------------


def test_merged_proposals_keep_their_numbers_and_move_with_the_main_one(
    make_proposal, supervisor, owner, supervisor_api, owner_api, other_department
):
    main = make_proposal()
    first = make_proposal(lead=other_department, deadline=dt.date(2024, 8, 31))
    second = make_proposal()

    response = supervisor_api.patch(
        f"{API}tasks/{main.pk}/",
        {"proposal": {"merged_with": [first.pk, second.pk]}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["proposal"]["merged_with"] == sorted([first.pk, second.pk])
    first.refresh_from_db()
    assert (first.lead_department, first.deadline) == (main.lead_department, main.deadline)
    assert supervisor_api.get(f"{API}tasks/{first.pk}/").json()["proposal"]["merged_with"] == [
        main.pk
    ]

    transitions.task_assign(task=main, actor=supervisor)
    transitions.task_accept(task=main, actor=owner)
    owner_api.post(f"{API}tasks/{main.pk}/reply/", REPLY, format="json")

    group = Task.objects.filter(pk__in=[main.pk, first.pk, second.pk]).select_related("proposal")
    assert {(t.status, t.proposal.reply_class) for t in group} == {("in_progress", "B")}
    assert {t.proposal.number for t in group} == {"第1号", "第2号", "第3号"}
    direct = owner_api.post(f"{API}tasks/{first.pk}/submit/", {"summary": "x"}, format="json")
    assert direct.status_code == 409
    assert main.code in direct.json()["message"]


def test_a_merged_proposal_that_is_not_satisfied_leaves_the_group(make_proposal, supervisor, owner):
    main, follower = make_proposal(), make_proposal()
    merge.proposal_merge(main=main, others=[follower], actor=supervisor)
    main = replied_and_closed(
        transitions.task_accept(
            task=transitions.task_assign(task=main, actor=supervisor), actor=owner
        ),
        owner,
        supervisor,
    )
    assert Task.objects.get(pk=follower.pk).status == "closed"

    proposals.proposal_satisfaction(
        task=follower, actor=supervisor, satisfaction="dissatisfied", comment="不满意"
    )

    follower.refresh_from_db()
    assert (follower.status, follower.proposal.merged_into) == ("in_progress", None)
    assert Task.objects.get(pk=main.pk).status == "closed"


def test_merging_an_answered_or_other_kind_is_refused(make_proposal, supervisor, owner):
    main = make_proposal("in_progress")
    answered = make_proposal("in_progress")
    proposals.proposal_reply(
        task=answered, actor=owner, reply_class="A", replied_on=dt.date(2024, 6, 1), summary="已办"
    )
    cppcc = make_proposal("in_progress", source="cppcc")

    with pytest.raises(ValidationError) as exc:
        merge.proposal_merge(main=main, others=[answered, cppcc], actor=supervisor)

    message = exc.value.message_dict["merged_with"][0]
    assert answered.code in message
    assert cppcc.code in message
    assert not Task.objects.filter(proposal__merged_into=main).exists()


def test_an_extension_of_the_main_proposal_moves_its_followers(make_proposal, supervisor, owner):
    main, follower = make_proposal(), make_proposal()
    merge.proposal_merge(main=main, others=[follower], actor=supervisor)
    main = transitions.task_accept(
        task=transitions.task_assign(task=main, actor=supervisor), actor=owner
    )
    request = loop_services.extension_request_create(
        task=main, actor=owner, requested_deadline=dt.date(2024, 12, 31), reason="需跨年实施"
    )

    loop_services.extension_approve(extension=request, actor=supervisor)

    assert Task.objects.get(pk=follower.pk).deadline == dt.date(2024, 12, 31)


# --- 主办 / 协办 ----------------------------------------------------------------------------


def test_an_assisting_unit_reports_to_the_lead_unit(
    make_proposal, assist_department, assist_owner, owner
):
    task = make_proposal("in_progress", assist_departments=[assist_department])

    loop_services.progress_report_create(
        task=task, actor=assist_owner, content="我委同意列入明年计划。"
    )

    note = Notification.objects.get(recipient=owner, event__action="progress")
    assert "我委同意" in note.body
    assert note.event.task == task


def test_the_lead_unit_cannot_also_assist(make_proposal, department):
    with pytest.raises(ValidationError) as exc:
        make_proposal(assist_departments=[department])

    assert "proposal.assist_departments" in exc.value.message_dict


def test_a_draft_with_merged_proposals_or_a_leaders_instruction_is_not_deleted(
    make_proposal, make_instruction, supervisor, supervisor_api
):
    main, follower = make_proposal(), make_proposal()
    merge.proposal_merge(main=main, others=[follower], actor=supervisor)
    instructed = make_instruction()
    supervisor_api.post(f"{API}tasks/{instructed.pk}/instructions/", {"text": "阅"}, format="json")

    assert supervisor_api.delete(f"{API}tasks/{main.pk}/").status_code == 409
    assert supervisor_api.delete(f"{API}tasks/{instructed.pk}/").status_code == 409
    assert Task.objects.filter(pk__in=[main.pk, follower.pk, instructed.pk]).count() == 3
