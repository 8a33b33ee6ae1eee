"""佐证材料 through the API: who may upload where, types by content, caps, EXIF, downloads,
frozen records, staged uploads bound by a form, the evidence policy hook."""

import datetime as dt
import hashlib
from decimal import Decimal
from urllib.parse import quote

import pytest

from accounts.models import AuditRecord
from supervision.files import services
from supervision.models import Attachment, TaskEvent
from tests.clients import API
from tests.files import samples
from tests.files.conftest import upload

TARGETS = {
    # target_type: (world attribute, roles that may write)
    "progress_report": ("report", {"owner"}),
    "submission": ("submission", {"owner"}),
    "extension": ("extension", {"owner"}),
    "milestone": ("milestone", {"owner", "supervisor"}),
    "investment_report": ("investment", {"owner", "supervisor"}),
    "node": ("node", {"owner"}),
}
ROLES = ["supervisor", "leader", "owner", "co_owner", "other_owner", "viewer"]


@pytest.mark.parametrize("target_type", sorted(TARGETS))
def test_upload_on_each_target_by_the_right_role_only(world, target_type, media):
    attribute, writers = TARGETS[target_type]
    target = getattr(world, attribute)
    for role in ROLES:
        response = upload(
            world.client(role), samples.pdf(), target_type=target_type, target_id=target.pk
        )
        if role in writers:
            assert response.status_code == 201, (role, response.content)
            body = response.json()
            assert body["target_type"] == target_type
            assert body["target_id"] == target.pk
            assert body["sha256"] == hashlib.sha256(samples.pdf()).hexdigest()
            assert body["content_type"] == "application/pdf"
        else:
            assert response.status_code == 403, (role, response.content)
            assert response.json()["code"] == "permission_denied"
    stored = Attachment.objects.filter(target_type=target_type, target_id=target.pk)
    assert stored.count() == len(writers)
    assert len(list(media.rglob("*.pdf"))) == len(writers)


def test_upload_logs_on_the_task_and_audits(world):
    response = upload(
        world.client("owner"),
        samples.pdf(),
        target_type="progress_report",
        target_id=world.report.pk,
    )
    assert response.status_code == 201
    event = TaskEvent.objects.get(task=world.task, action="attach")
    assert event.data["attachments"] == [response.json()["id"]]
    assert AuditRecord.objects.filter(
        model="supervision.Attachment", object_id=str(response.json()["id"]), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("content", "name", "detected"),
    [
        (samples.EXE, "验收证书.pdf", "Windows 可执行程序"),
        (samples.HTML, "验收证书.pdf", "HTML 网页"),
        (samples.SVG, "现场.png", "SVG 图形"),
        (samples.docx(macro=True), "方案.docx", "含宏的 Office 文档"),
        (b"GIF89a" + b"\x00" * 50, "photo.jpg", "GIF 图片"),
    ],
    ids=["exe-as-pdf", "html-as-pdf", "svg-as-png", "docm-as-docx", "gif"],
)
def test_content_not_allowed_is_refused_with_a_clear_400(world, content, name, detected, media):
    response = upload(world.client("owner"), content, name=name)
    assert response.status_code == 400, response.content
    message = response.json()["errors"]["file"][0]
    assert detected in message
    assert "允许" in message
    assert not Attachment.objects.exists()
    assert not media.exists() or not any(media.rglob("*.*"))


@pytest.mark.parametrize(
    ("content", "name", "mime", "stored_name"),
    [
        (samples.docx(), "方案.docx", "wordprocessingml", "方案.docx"),
        (samples.xlsx(), "台账", "spreadsheetml", "台账.xlsx"),
        (samples.ofd(), "批复.ofd", "application/ofd", "批复.ofd"),
        (samples.png(), "截图.jpg", "image/png", "截图.png"),
        (samples.mp4(30), "现场.mp4", "video/mp4", "现场.mp4"),
    ],
)
def test_allowed_types_are_named_by_content(world, content, name, mime, stored_name):
    response = upload(world.client("owner"), content, name=name)
    assert response.status_code == 201, response.content
    assert mime in response.json()["content_type"]
    assert response.json()["name"] == stored_name


def test_long_video_is_refused(world):
    response = upload(world.client("owner"), samples.mp4(600), name="全程.mp4")
    assert response.status_code == 400
    assert "秒" in response.json()["errors"]["file"][0]


def test_a_25_mb_file_is_refused_and_nothing_is_stored(world, media, tmp_path, monkeypatch):
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    big = samples.pdf() + b"0" * (25 * 1024 * 1024)
    response = upload(
        world.client("owner"), big, target_type="progress_report", target_id=world.report.pk
    )
    assert response.status_code == 400, response.content[:300]
    assert "超过单个文件上限 20 MB" in response.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()
    assert not TaskEvent.objects.filter(action="attach").exists()
    assert not media.exists() or not any(media.rglob("*"))
    assert not any(spool.iterdir()), "the spooled upload was left on disk"


def test_a_body_past_the_request_cap_is_413(world, settings):
    settings.FILES_MAX_REQUEST_MB = 1
    response = upload(world.client("owner"), samples.pdf() + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not Attachment.objects.exists()


def test_exif_time_and_gps_are_read_from_a_photo(world):
    response = upload(
        world.client("owner"),
        samples.photo(),
        name="IMG_0001.JPG",
        target_type="progress_report",
        target_id=world.report.pk,
        purpose="photo",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["taken_at"] == "2024-06-20T10:30:15+08:00"
    assert body["location"] == {"latitude": "29.325000", "longitude": "107.760000"}
    assert body["name"] == "IMG_0001.jpg"
    assert body["content_type"] == "image/jpeg"
    thumb = world.client("owner").get(body["thumbnail_url"])
    assert thumb.status_code == 200
    assert thumb["Content-Type"] == "image/jpeg"
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(b"".join(thumb.streaming_content)))
    assert max(image.size) == 320


def test_exif_offset_is_honoured_and_no_gps_means_no_location(world):
    response = upload(
        world.client("owner"), samples.photo(gps=False, offset="+00:00"), name="a.jpg"
    )
    body = response.json()
    assert body["taken_at"] == "2024-06-20T18:30:15+08:00"
    assert body["location"] is None


def test_a_broken_image_is_refused(world):
    response = upload(world.client("owner"), b"\xff\xd8\xff\xe0" + b"garbage" * 10, name="a.jpg")
    assert response.status_code == 400
    assert "不是可读取的图片" in response.json()["errors"]["file"][0]


def _uploaded(world, role="owner", **fields):
    fields.setdefault("target_type", "progress_report")
    fields.setdefault("target_id", world.report.pk)
    response = upload(world.client(role), samples.pdf(), name="验收报告（终稿）.pdf", **fields)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("supervisor", 200),
        ("leader", 200),
        ("viewer", 200),
        ("owner", 200),
        ("co_owner", 200),
        ("other_owner", 404),
        ("anonymous", 401),
    ],
)
def test_download_follows_the_parents_visibility(world, role, status):
    body = _uploaded(world)
    response = world.client(role).get(body["download_url"])
    assert response.status_code == status
    listed = world.client(role).get(API + "attachments/", {"target_type": "progress_report"})
    if status == 200:
        assert response["Content-Disposition"] == (
            "attachment; filename*=utf-8''" + quote("验收报告（终稿）.pdf")
        )
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == samples.pdf()
        assert [row["id"] for row in listed.json()["results"]] == [body["id"]]
    elif status == 404:
        assert response.json()["code"] == "not_found"
        assert listed.json()["count"] == 0
        assert world.client(role).get(API + f"attachments/{body['id']}/").status_code == 404


def test_project_files_are_visible_to_the_projects_units_only(world):
    body = _uploaded(world, target_type="milestone", target_id=world.milestone.pk)
    assert world.client("owner").get(body["download_url"]).status_code == 200
    assert world.client("other_owner").get(body["download_url"]).status_code == 404


def test_accel_and_redirect_delivery(world, settings):
    body = _uploaded(world)
    settings.FILES_DELIVERY = "accel"
    response = world.client("owner").get(body["download_url"])
    stored = Attachment.objects.get(pk=body["id"]).file.name
    assert response["X-Accel-Redirect"] == "/protected-files/" + stored
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response.content == b""


def test_a_file_on_a_submitted_record_cannot_be_deleted_only_superseded(world):
    body = _uploaded(world)
    owner = world.client("owner")
    response = owner.delete(API + f"attachments/{body['id']}/")
    assert response.status_code == 409
    assert "只能替换" in response.json()["message"]
    response = upload(owner, samples.pdf("v2"), name="验收报告v2.pdf", supersedes=body["id"])
    assert response.status_code == 201, response.content
    new = response.json()
    old = Attachment.objects.get(pk=body["id"])
    assert old.superseded_by_id == new["id"]
    assert old.superseded_at is not None
    assert old.file.storage.exists(old.file.name), "the superseded file is kept"
    assert new["target_type"] == "progress_report"
    assert new["target_id"] == world.report.pk
    event = TaskEvent.objects.get(task=world.task, action="supersede")
    assert event.data == {"attachment": new["id"], "supersedes": old.pk, "sha256": new["sha256"]}
    again = upload(owner, samples.pdf("v3"), supersedes=body["id"])
    assert again.status_code == 409
    # another unit cannot supersede what it cannot write
    other = upload(world.client("co_owner"), samples.pdf("x"), supersedes=new["id"])
    assert other.status_code == 403


def test_files_of_an_open_milestone_can_be_deleted_and_leave_storage(
    world, media, django_capture_on_commit_callbacks
):
    body = _uploaded(world, target_type="milestone", target_id=world.milestone.pk)
    assert world.client("other_owner").delete(API + f"attachments/{body['id']}/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client("owner").delete(API + f"attachments/{body['id']}/")
    assert response.status_code == 204
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in media.rglob("*"))
    assert AuditRecord.objects.filter(model="supervision.Attachment", action="delete").exists()


def test_staged_uploads_are_private_until_bound(world):
    staged = _uploaded(world, target_type="", target_id=None)
    assert staged["target_type"] == ""
    assert staged["task"] is None
    assert world.client("owner").get(staged["download_url"]).status_code == 200
    assert world.client("supervisor").get(staged["download_url"]).status_code == 404
    peer = factories_owner(world)
    assert peer.get(staged["download_url"]).status_code == 404


def factories_owner(world):
    from tests import factories

    colleague = factories.UserFactory(role="owner", department=world.lead)
    client = world.client("owner")
    client.force_login(colleague)
    return client


def test_submit_binds_staged_files_and_the_policy_hook_refuses_without(world, monkeypatch):
    from tests import factories

    owner = world.users["owner"]
    task = factories.TaskFactory(status="in_progress", lead_department=world.lead)
    monkeypatch.setattr(services, "_EVIDENCE_RULES", [])
    services.require_evidence_when(lambda t: t.source == "work_report")
    with pytest.raises(services.ValidationError) as refused:
        services.task_submit_with_evidence(task=task, actor=owner, summary="已完成")
    assert "佐证材料" in str(refused.value)
    task.refresh_from_db()
    assert task.status == "in_progress"
    staged = _uploaded(world, target_type="", target_id=None)
    services.task_submit_with_evidence(
        task=task, actor=owner, summary="已完成", attachments=[staged["id"]]
    )
    task.refresh_from_db()
    assert task.status == "submitted"
    attachment = Attachment.objects.get(pk=staged["id"])
    event = TaskEvent.objects.get(task=task, action="submit")
    assert (attachment.target_type, attachment.target_id, attachment.task_id) == (
        "submission",
        event.pk,
        task.pk,
    )


def test_binding_someone_elses_upload_is_refused_and_undoes_the_write(world):
    from supervision.loop import services as loop_services

    staged = _uploaded(world, role="supervisor", target_type="", target_id=None)
    before = world.task.reports.count()
    with pytest.raises(services.ValidationError):
        services.with_attachments(
            lambda: loop_services.progress_report_create(
                task=world.task, actor=world.users["owner"], content="进展"
            ),
            actor=world.users["owner"],
            ids=[staged["id"]],
            target_type="progress_report",
        )
    assert world.task.reports.count() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"target_type": "nonsense", "target_id": 1}, "target_type"),
        ({"target_type": "progress_report", "target_id": 999999}, "target_id"),
        ({"target_id": 5}, "target_type"),
        ({"purpose": "x"}, "purpose"),
    ],
)
def test_bad_targets_are_field_errors(world, fields, field):
    response = upload(world.client("owner"), samples.pdf(), **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Attachment.objects.exists()


def test_names_are_cleaned(world):
    body = _uploaded(world, target_type="", target_id=None)
    response = upload(world.client("owner"), samples.pdf(), name="../../etc/\x00passwd\u202e.exe")
    assert response.status_code == 201
    assert response.json()["name"] == "passwd.pdf"
    assert body["name"] == "验收报告（终稿）.pdf"


def test_location_decimal_type(world):
    response = upload(world.client("owner"), samples.photo(), name="a.jpg")
    stored = Attachment.objects.get(pk=response.json()["id"])
    assert stored.latitude == Decimal("29.325000")
    assert stored.taken_at == dt.datetime(2024, 6, 20, 2, 30, 15, tzinfo=dt.UTC)


def test_api_submit_binds_its_files_or_refuses_whole(world):
    from tests import factories

    task = factories.TaskFactory(status="in_progress", lead_department=world.lead)
    owner = world.client("owner")
    foreign = _uploaded(world, role="supervisor", target_type="", target_id=None)
    response = owner.post(
        API + f"tasks/{task.pk}/submit/",
        {"summary": "已完成", "attachments": [foreign["id"]]},
        format="json",
    )
    assert response.status_code == 400
    assert "attachments" in response.json()["errors"]
    task.refresh_from_db()
    assert task.status == "in_progress"
    mine = _uploaded(world, target_type="", target_id=None)
    response = owner.post(
        API + f"tasks/{task.pk}/submit/",
        {"summary": "已完成", "attachments": [mine["id"]]},
        format="json",
    )
    assert response.status_code == 200, response.content
    listed = owner.get(API + "attachments/", {"task": task.pk}).json()["results"]
    assert [(row["id"], row["target_type"]) for row in listed] == [(mine["id"], "submission")]


def test_an_owners_list_costs_the_same_at_any_page_size(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        _uploaded(world)
    _uploaded(world, target_type="milestone", target_id=world.milestone.pk)
    client = world.client("co_owner")  # co-operates on the task, not on the project
    client.get(API + "attachments/?page_size=1")  # warm-up: the session's first request
    with CaptureQueriesContext(connection) as small:
        assert client.get(API + "attachments/?page_size=1").json()["count"] == 3
    with django_assert_num_queries(len(small)):
        assert len(client.get(API + "attachments/?page_size=100").json()["results"]) == 3


def test_a_kind_whose_policy_needs_a_file_refuses_submit_without_one(world):
    from supervision.kinds.models import SourcePolicy
    from tests import factories

    SourcePolicy.objects.update_or_create(source="livelihood", defaults={"submit_needs_file": True})
    task = factories.TaskFactory(
        status="in_progress", lead_department=world.lead, source="livelihood"
    )
    owner = world.client("owner")
    response = owner.post(API + f"tasks/{task.pk}/submit/", {"summary": "已完成"}, format="json")
    assert response.status_code == 400, response.content
    assert "佐证材料" in response.json()["errors"]["attachments"][0]
    task.refresh_from_db()
    assert task.status == "in_progress"
    staged = _uploaded(world, target_type="", target_id=None)
    response = owner.post(
        API + f"tasks/{task.pk}/submit/",
        {"summary": "已完成", "attachments": [staged["id"]]},
        format="json",
    )
    assert response.status_code == 200, response.content
    task.refresh_from_db()
    assert task.status == "submitted"


@pytest.mark.parametrize(
    ("key", "writers"),
    [("instruction", {"supervisor"}), ("proposal_reply", {"owner"}), ("problem", {"owner"})],
)
def test_the_kinds_targets(world, key, writers):
    import datetime as dt

    from supervision.kinds.models import InstructionDetail, ProblemDetail, ProposalDetail
    from tests import factories

    status = "draft" if key == "instruction" else "in_progress"
    task = factories.TaskFactory(status=status, lead_department=world.lead)
    if key == "instruction":
        detail = InstructionDetail.objects.create(
            task=task,
            leader=world.users["leader"],
            instructed_on=dt.date(2024, 6, 3),
            text="请督办",
        )
    elif key == "proposal_reply":
        detail = ProposalDetail.objects.create(task=task, number="第12号", proposer="张代表")
    else:
        detail = ProblemDetail.objects.create(
            task=task,
            origin="audit",
            found_on=dt.date(2024, 5, 6),
            description="资金闲置",
            rectification_goal="年底前盘活",
        )
    for role in ("supervisor", "owner", "co_owner", "other_owner", "viewer"):
        response = upload(world.client(role), samples.pdf(), target_type=key, target_id=detail.pk)
        assert response.status_code == (201 if role in writers else 403), (role, response.content)
    body = Attachment.objects.get(target_type=key)
    assert body.task_id == task.pk
    assert world.client("other_owner").get(API + f"attachments/{body.pk}/").status_code == 404
