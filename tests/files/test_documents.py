"""公文: numbering, the GB/T 9704 DOCX, the PDF (pdftoppm), the API and the webhook."""

import datetime as dt
import io
import shutil
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image

from accounts.models import AuditRecord
from supervision.files.documents import services as documents
from supervision.files.documents.content import Content
from supervision.files.documents.pdf import render_pdf
from supervision.models import Document, DocumentCounter, TaskEvent
from supervision.webhooks.models import WebhookDelivery
from supervision.webhooks.services import endpoint_create
from tests import factories
from tests.clients import API
from tests.conftest import is_postgres

TODAY = dt.date(2024, 6, 28)
# Debian's poppler-utils (make test installs it)
PDFTOPPM = shutil.which("pdftoppm") or "/usr/bin/pdftoppm"
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"


@pytest.fixture(autouse=True)
def _today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def overdue_task(world):
    task = world.task
    task.deadline = dt.date(2024, 6, 14)
    task.title = "仙女山机场扩建前期工作"
    task.save()
    return task


def _docx(document: Document):
    with document.docx.open("rb") as handle:
        return Docx(io.BytesIO(handle.read()))


def test_duban_notice_docx_follows_gb_t_9704(world, overdue_task):
    document = documents.document_generate(
        actor=world.users["supervisor"], type="duban", task=overdue_task
    )
    assert document.code == "武隆督〔2024〕1号"
    assert document.department == world.lead
    doc = _docx(document)
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    texts = [p for p in doc.paragraphs if p.text.strip()]
    flag, number, title, addressee = texts[:4]
    # 版头: the issuing office in red, centred; the 发文字号 centred under it with the red rule
    assert flag.text == "武隆区人民政府督查办公室"
    assert flag.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert str(flag.runs[0].font.color.rgb) == "FF0000"
    assert number.text == "武隆督〔2024〕1号"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER
    rule = number._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    # 标题 two lines below the rule, centred, 2号 (22 pt); 主送机关 flush left with a colon
    assert title.text == "关于督促办理“仙女山机场扩建前期工作”的督办通知书"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.runs[0].font.size.pt == 22
    assert addressee.text == f"{world.lead.short_name}："
    body = texts[4]
    assert "已逾期 10 个工作日" in body.text
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters of 16 pt
    assert body.runs[0].font.size.pt == 16
    # 发文机关署名, then 成文日期 right, four characters in; the 版记 last
    date = next(p for p in texts if p.text == "2024年6月28日")
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent.pt == 64
    assert texts.index(date) > texts.index(body)
    assert texts[-1].text == "武隆区人民政府督查办公室\t2024年6月28日印发"
    assert doc.core_properties.identifier == document.code
    footer = section.footer.paragraphs[0]
    assert footer.text.startswith("— ")
    assert "PAGE" in footer._p.xml


def test_the_pdf_renders_a4_with_the_red_header(world, overdue_task, tmp_path):
    document = documents.document_generate(
        actor=world.users["supervisor"], type="duban", task=overdue_task
    )
    assert not document.pdf  # rendered by the worker, or on the first download
    document = documents.document_pdf(document)
    pdf = tmp_path / "doc.pdf"
    with document.pdf.open("rb") as handle:
        pdf.write_bytes(handle.read())
    subprocess.run(  # noqa: S603
        [PDFTOPPM, "-r", "72", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    page = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    width, height = page.size
    assert abs(width - 595.28) < 1  # A4 (210 × 297 mm) at 72 dpi
    assert abs(height - 841.89) < 1
    # the red 发文机关标志 sits at the top of the 版心 (37 mm ≈ 105 pt down), nowhere near the foot
    top = page.crop((79, 100, 516, 160))
    colours = top.getcolors(top.width * top.height)
    red = sum(count for count, (r, g, b) in colours if r > 200 and g < 80 and b < 80)
    assert red > 500
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "武隆督〔2024〕1号" in text
    assert "2024年6月28日" in text


def test_pdf_rendering_fetches_nothing():
    content = Content(
        type="urge",
        title='<img src="http://127.0.0.1:1/x.png"> 标题',
        addressee="单位",
        paragraphs=['<link rel="stylesheet" href="file:///etc/passwd">'],
        issuer="武隆区人民政府督查办公室",
        issued_on="2024-06-28",
        code="武隆督催〔2024〕1号",
    )
    assert render_pdf(content).startswith(b"%PDF")


def test_numbers_run_per_type_and_year(world, overdue_task):
    actor = world.users["supervisor"]
    codes = [
        documents.document_generate(actor=actor, type=kind, task=overdue_task).code
        for kind in ("duban", "urge", "duban", "urge", "urge")
    ]
    assert codes == [
        "武隆督〔2024〕1号",
        "武隆督催〔2024〕1号",
        "武隆督〔2024〕2号",
        "武隆督催〔2024〕2号",
        "武隆督催〔2024〕3号",
    ]
    assert DocumentCounter.objects.get(type="urge", year=2024).last == 3


def test_a_failed_generation_leaves_no_gap(world, overdue_task):
    actor = world.users["supervisor"]
    documents.document_generate(
        actor=actor, type="criticism", task=overdue_task, reason="推进迟缓。"
    )
    with pytest.raises(documents.ValidationError):
        documents.document_generate(actor=actor, type="criticism", task=overdue_task, reason=" ")
    third = documents.document_generate(
        actor=actor, type="criticism", department=world.other, reason="连续两周未报送进展。"
    )
    assert third.number == 2
    assert third.title == f"关于对{world.other.short_name}予以通报批评的通报"


@pytest.mark.skipif(not is_postgres(), reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_numbers_are_gap_free_under_concurrent_generation(settings):
    settings.SUPERVISION_TODAY = TODAY
    supervisor = factories.UserFactory(role="supervisor")
    tasks = [factories.TaskFactory(status="in_progress") for _ in range(4)]
    workers, per_worker = 4, 3
    barrier = threading.Barrier(workers)
    errors = []

    def generate(n):
        try:
            barrier.wait()
            for k in range(per_worker):
                documents.document_generate(
                    actor=supervisor, type="urge", task=tasks[(n + k) % len(tasks)]
                )
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=generate, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(
        Document.objects.filter(type="urge", year=2024).values_list("number", flat=True)
    )
    assert numbers == list(range(1, workers * per_worker + 1))
    assert DocumentCounter.objects.get(type="urge", year=2024).last == workers * per_worker


def test_generation_logs_audits_and_announces(world, overdue_task, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    endpoint, _ = endpoint_create(
        name="OA", url="http://127.0.0.1:9/hook", event_types=["document.issued"]
    )
    document = documents.document_generate(
        actor=world.users["supervisor"], type="duban", task=overdue_task
    )
    event = TaskEvent.objects.get(task=overdue_task, action="document")
    assert event.data == {"document": document.pk, "code": "武隆督〔2024〕1号"}
    # the lead unit's owners are told (站内消息)
    from supervision.models import Notification

    assert list(Notification.objects.filter(event=event).values_list("recipient", flat=True)) == [
        world.users["owner"].pk
    ]
    assert AuditRecord.objects.filter(model="supervision.Document", action="create").count() == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event_type="document.issued")
    assert delivery.payload["type"] == "document.issued"
    assert delivery.payload["data"] == {
        "id": document.pk,
        "type": "duban",
        "code": "武隆督〔2024〕1号",
        "title": document.title,
        "task": overdue_task.pk,
        "department": world.lead.pk,
        "period": "",
        "issued_on": "2024-06-28",
    }


def test_weekly_bulletin_lists_the_notice_rung(world, overdue_task):
    factories.ReminderFactory(
        task=overdue_task,
        level="notice",
        created_at=dt.datetime(2024, 6, 24, 2, tzinfo=dt.UTC),
    )
    document = documents.document_generate(
        actor=world.users["supervisor"], type="bulletin", period="2024-W26"
    )
    assert document.code == "武隆督通〔2024〕1号"
    assert document.content["table"]["rows"][0][2] == overdue_task.title
    table = _docx(document).tables[0]
    assert table.cell(1, 2).text == overdue_task.title


def test_quarterly_bulletin_needs_a_published_ranking(world):
    from supervision.scorecards.models import RankingSnapshot

    with pytest.raises(documents.ValidationError) as refused:
        documents.document_generate(
            actor=world.users["supervisor"], type="bulletin", period="2024Q2"
        )
    assert "尚未发布" in str(refused.value)
    RankingSnapshot.objects.create(
        period="2024Q2",
        as_of=TODAY,
        published_at=dt.datetime(2024, 6, 28, tzinfo=dt.UTC),
        published_by=world.users["supervisor"],
        rows=[
            {"rank": 1, "department_name": "甲单位", "score": str(Decimal("95.5"))},
            {"rank": 2, "department_name": "乙单位", "score": "80.00"},
        ],
    )
    document = documents.document_generate(
        actor=world.users["supervisor"], type="bulletin", period="2024Q2"
    )
    assert document.title == "关于2024年第二季度重点工作综合评价情况的通报"
    assert document.content["table"]["rows"][0] == ["1", "甲单位", "95.5"]


# --- API ----------------------------------------------------------------------------------


def test_only_the_office_generates(world, overdue_task):
    for role in ("leader", "owner", "viewer"):
        response = world.client(role).post(
            API + "documents/", {"type": "duban", "task": overdue_task.pk}, format="json"
        )
        assert response.status_code == 403, role
    assert not Document.objects.exists()
    response = world.client("supervisor").post(
        API + "documents/", {"type": "duban", "task": overdue_task.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["code"] == "武隆督〔2024〕1号"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "duban"}, "task"),
        ({"type": "bulletin", "period": "2024-26"}, "period"),
        ({"type": "bulletin", "period": "2024-W60"}, "period"),
        ({"type": "criticism"}, "department"),
        ({"type": "nonsense"}, "type"),
    ],
)
def test_generation_errors_are_field_errors(world, body, field):
    response = world.client("supervisor").post(API + "documents/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()


def test_documents_are_listed_and_downloaded_by_who_they_concern(world, overdue_task):
    supervisor = world.client("supervisor")
    duban = supervisor.post(
        API + "documents/", {"type": "duban", "task": overdue_task.pk}, format="json"
    ).json()
    for role, seen in (
        ("owner", True),
        ("co_owner", True),
        ("other_owner", False),
        ("viewer", True),
    ):
        client = world.client(role)
        listed = client.get(API + "documents/", {"task": overdue_task.pk}).json()["results"]
        assert bool(listed) is seen, role
        download = client.get(duban["download_url"])
        assert download.status_code == (200 if seen else 404), role
    download = world.client("owner").get(duban["download_url"])
    assert download["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert Docx(io.BytesIO(b"".join(download.streaming_content))).paragraphs
    pdf = world.client("owner").get(duban["download_url"], {"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert world.client("owner").get(duban["download_url"], {"format": "exe"}).status_code == 400
    filtered = supervisor.get(API + "documents/", {"department": world.lead.pk, "type": "duban"})
    assert filtered.json()["count"] == 1


def test_the_task_sheet_prints_details_log_and_files(world, overdue_task, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.files.services import attachment_upload
    from tests.files import samples

    photo = attachment_upload(
        actor=world.users["owner"],
        upload=SimpleUploadedFile("现场.jpg", samples.photo()),
        target_type="progress_report",
        target_id=world.report.pk,
    )
    TaskEvent.objects.create(
        task=overdue_task,
        actor=world.users["supervisor"],
        action="assign",
        comment="请按期办理",
        created_at=dt.datetime(2024, 5, 6, 1, tzinfo=dt.UTC),
    )
    documents.document_generate(actor=world.users["supervisor"], type="urge", task=overdue_task)
    response = world.client("viewer").get(API + f"tasks/{overdue_task.pk}/sheet/")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        [PDFTOTEXT, str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    compact = "".join(text.split())
    for expected in (
        "督办单",
        overdue_task.code,
        "仙女山机场扩建前期工作",
        "完成主体施工",
        "请按期办理",
        "现场.jpg",
        photo.sha256[:16],
        "武隆督催〔2024〕1号",
    ):
        assert expected in compact, expected
    assert world.client("anonymous").get(API + f"tasks/{overdue_task.pk}/sheet/").status_code == 401
    assert world.client("viewer").get(API + "tasks/999999/sheet/").status_code == 404


@pytest.mark.parametrize("status", ["draft", "closed", "cancelled"])
def test_no_notice_for_a_task_not_in_hand(world, status):
    task = factories.TaskFactory(status=status, lead_department=world.lead)
    response = world.client("supervisor").post(
        API + "documents/", {"type": "urge", "task": task.pk}, format="json"
    )
    assert response.status_code == 409
    assert "不能印发催办通知书" in response.json()["message"]
    assert not Document.objects.exists()
