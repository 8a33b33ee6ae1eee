"""``document_generate``: the one writer of documents — builds the content, takes the next
发文字号 under the counter's lock, renders the DOCX and PDF, stores both, logs and
announces it (``document.issued``), all in one transaction."""

import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from accounts import audit
from config.celery import enqueue
from core import clock, events
from core.errors import DomainError, NotPermitted
from supervision.choices import TaskAction, TaskStatus
from supervision.files.choices import DocumentType
from supervision.files.documents import content as build
from supervision.files.documents.docx import render_docx
from supervision.files.documents.numbering import format_code, next_number
from supervision.files.documents.pdf import render_pdf
from supervision.files.models import Document
from supervision.loop.transitions import record_event

TASK_TYPES = (DocumentType.DUBAN, DocumentType.URGE)
UNIT_TYPES = (DocumentType.COMMENDATION, DocumentType.CRITICISM)


def can_generate(user) -> bool:
    """The supervision office issues documents."""
    return user.is_active and user.is_supervisor


def _content(doc_type, *, task, department, period, reason, today) -> build.Content:
    if doc_type in TASK_TYPES:
        if task is None:
            raise ValidationError({"task": f"{DocumentType(doc_type).label}须指定事项。"})
        if not task.is_open or task.status == TaskStatus.DRAFT:
            raise DomainError(
                f"事项当前状态为“{task.get_status_display()}”，不能印发{DocumentType(doc_type).label}。"
            )
        return (build.duban if doc_type == DocumentType.DUBAN else build.urge)(task, today)
    if doc_type == DocumentType.BULLETIN:
        return build.bulletin(period, today)
    if doc_type in UNIT_TYPES:
        department = department or (task.lead_department if task else None)
        if department is None:
            raise ValidationError({"department": "通报表扬/批评须指定单位。"})
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"reason": "须写明通报事由。"})
        return build.mechanism(doc_type, department, task, reason, today)
    raise ValidationError({"type": f"文种须为：{'、'.join(DocumentType.values)}。"})


def _payload(document: Document) -> dict:
    return {
        "id": document.pk,
        "type": document.type,
        "code": document.code,
        "title": document.title,
        "task": document.task_id,
        "department": document.department_id,
        "period": document.period,
        "issued_on": document.issued_on.isoformat(),
    }


@transaction.atomic
def document_generate(
    *,
    actor,
    type: str,
    task=None,
    department=None,
    period: str = "",
    reason: str = "",
    reminder=None,
) -> Document:
    """Generate, number and store one document (督办通知书, 催办通知书, 督查通报, 通报表扬/批评).
    ``reminder``: the ladder's rung that issued it (``documents.ladder``)."""
    if not can_generate(actor):
        raise NotPermitted("只有督查办可以印发公文。")
    today = clock.today()
    content = _content(
        type, task=task, department=department, period=period, reason=reason, today=today
    )
    if type in UNIT_TYPES and department is None and task is not None:
        department = task.lead_department
    number = next_number(type, today.year)  # the counter stays locked until commit
    content.code = format_code(type, today.year, number)
    document = Document(
        type=type,
        year=today.year,
        number=number,
        code=content.code,
        title=content.title,
        task=task,
        department=department or (task.lead_department if task else None),
        period=(period or "").strip() if type == DocumentType.BULLETIN else "",
        reminder=reminder,
        content=content.as_dict(),
        issued_on=today,
        issued_by=actor,
        issued_at=clock.now(),
    )
    key = f"documents/{today.year}/{type}-{number:04d}-{uuid.uuid4().hex[:8]}"
    document.docx.save(f"{key}.docx", ContentFile(render_docx(content)), save=False)
    try:
        # Field checks only: the number is unique by the counter's lock (and the database's
        # constraints stay), the related rows were just read — no query per generation here.
        document.full_clean(
            exclude=["docx", "pdf", "task", "department", "issued_by", "reminder"],
            validate_unique=False,
            validate_constraints=False,
        )
        document.save()
        audit.record(
            actor=actor, action="create", instance=document, after=audit.snapshot(document)
        )
        if task is not None:
            record_event(
                task=task,
                actor=actor,
                action=TaskAction.DOCUMENT,
                comment=f"{document.get_type_display()} {document.code}",
                data={"document": document.pk, "code": document.code},
            )
        events.publish("document.issued", _payload(document))
        # The PDF (≈0.3 s) is rendered by the worker; a download before then renders it.
        pk = document.pk
        transaction.on_commit(lambda: enqueue("supervision.files.tasks.render_document_pdf", pk))
    except BaseException:
        storage = Document._meta.get_field("docx").storage
        for name in (document.docx.name, document.pdf.name):
            if name:
                storage.delete(name)
        raise
    return document


def document_pdf(document: Document) -> Document:
    """The document with its PDF, rendering and storing it first if it is not there yet
    (idempotent: the row lock makes a second renderer find the first one's file)."""
    if document.pdf:
        return document
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if not locked.pdf:
            content = build.Content.from_dict(locked.content)
            name = locked.docx.name.rsplit(".", 1)[0] + ".pdf"
            locked.pdf.save(name, ContentFile(render_pdf(content)), save=False)
            try:
                locked.save(update_fields=["pdf"])
            except BaseException:
                locked.pdf.storage.delete(locked.pdf.name)
                raise
    return locked
