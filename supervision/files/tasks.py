"""Celery tasks of ``supervision.files``: thin, idempotent, by id."""

from celery import shared_task

from config.celery import RETRY


@shared_task(**RETRY)
def render_document_pdf(document_id: int) -> bool:
    from supervision.files.documents.services import document_pdf
    from supervision.files.models import Document

    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return False
    document_pdf(document)
    return True


@shared_task(**RETRY)
def purge_staged_attachments() -> int:
    from supervision.files.services import staged_purge

    return staged_purge()


@shared_task(**RETRY)
def issue_duban_notices() -> int:
    from supervision.files.documents.ladder import issue_duban_notices

    return issue_duban_notices()
