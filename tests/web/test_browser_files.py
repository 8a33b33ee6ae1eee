"""The upload widget in a real browser (Playwright + Debian's Chromium): a unit reports
progress with a photo and a PDF chosen in the file dialog and a third file dropped on the
zone; each shows a preview and its progress, an executable is refused in place; the report
lists the files with SHA-256 and the photo's 拍摄时间/地点, and a file downloads as an
attachment. A screenshot of the widget is saved under ``test-artifacts/``."""

import base64

import pytest
from django.conf import settings

from accounts.choices import Role
from supervision.loop import services, transitions
from supervision.models import Attachment, ProgressReport
from tests import factories
from tests.files import samples
from tests.web.test_browser import ARTIFACTS, browser, login  # noqa: F401 (fixtures)

DROP = """([selector, name, b64, type]) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, {type}));
  const zone = document.querySelector(selector);
  zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
  zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
}"""


@pytest.mark.django_db(transaction=True)
def test_a_unit_uploads_evidence_with_its_progress_report(login, live_server):  # noqa: F811
    office = factories.DepartmentFactory(code="DCB", name="区政府督查办")
    lead = factories.DepartmentFactory(code="JTJ", name="区交通运输委", short_name="交通运输委")
    supervisor = factories.UserFactory(role=Role.SUPERVISOR, department=office)
    owner = factories.UserFactory(
        username="owner_jtj", display_name="交通委联络员", role=Role.OWNER, department=lead
    )
    task = services.task_create(
        actor=supervisor,
        code="BR-F01",
        title="农村公路提质改造100公里",
        source="work_report",
        domain="economy",
        lead_department=lead,
        deadline=settings.SUPERVISION_TODAY.replace(month=12, day=31),
    )
    transitions.task_assign(task=task, actor=supervisor)
    transitions.task_accept(task=task, actor=owner)
    task_url = f"{live_server.url}/tasks/{task.pk}/"

    page = login(owner)
    page.goto(task_url)
    page.click("summary[data-action=progress]")
    page.fill("#id_progress-content", "完成路基改造62公里")
    form = "form[action$='/progress/']"
    page.set_input_files(
        f"{form} [data-upload-input]",
        files=[
            {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": samples.photo()},
            {"name": "验收单.pdf", "mimeType": "application/pdf", "buffer": samples.pdf()},
            {"name": "报告.pdf", "mimeType": "application/pdf", "buffer": samples.EXE},
        ],
    )
    page.evaluate(
        DROP,
        [
            f"{form} [data-dropzone]",
            "台账.xlsx",
            base64.b64encode(samples.xlsx()).decode(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ],
    )
    items = page.locator(f"{form} [data-testid=upload-item]")
    page.wait_for_function(
        "s => document.querySelectorAll(s + ' .upload-item.done, ' + s + ' .upload-item.failed')"
        ".length === 4",
        arg=form,
    )
    assert items.count() == 4
    photo = items.filter(has_text="现场照片.jpg")
    assert photo.locator(".preview img").count() == 1  # the image preview
    assert "拍摄 2024-06-20 10:30" in photo.locator(".meta").inner_text()
    assert "SHA-256" in photo.locator(".meta").inner_text()
    assert items.filter(has_text="验收单.pdf").locator(".preview iframe").count() == 1
    refused = items.filter(has_text="报告.pdf")
    assert "failed" in refused.get_attribute("class")
    assert "可执行程序" in refused.locator(".meta").inner_text()
    assert "done" in items.filter(has_text="台账.xlsx").get_attribute("class")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(form).screenshot(path=str(ARTIFACTS / "upload-widget.png"))

    page.click(f"{form} button[type=submit]")
    page.wait_for_url(task_url)
    assert "进展已反馈。" in page.locator(".flash").inner_text()
    table = page.locator("[data-testid=attachments]").inner_text()
    report = ProgressReport.objects.get(task=task)
    files = Attachment.objects.filter(target_type="progress_report", target_id=report.pk)
    assert sorted(files.values_list("name", flat=True)) == sorted(
        ["台账.xlsx", "现场照片.jpg", "验收单.pdf"]
    )
    for attachment in files:
        assert attachment.sha256 in table
    assert "2024-06-20 10:30" in table
    assert "29.325000, 107.760000" in table
    download = page.request.get(
        f"{live_server.url}/api/v1/attachments/{files.get(name='验收单.pdf').pk}/download/"
    )
    assert download.status == 200
    assert download.headers["content-disposition"].startswith("attachment; filename*=utf-8''")
    assert download.body() == samples.pdf()
    assert not Attachment.objects.filter(target_type="").exists()  # nothing left staged
