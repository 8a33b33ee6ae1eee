"""The printable 督办单 of one task: its details, nodes, closed-loop log, files and documents,
as one PDF (same renderer as the documents)."""

from django.template.loader import render_to_string

from core import clock
from supervision.files.documents.content import chinese_date
from supervision.files.documents.pdf import html_to_pdf
from supervision.files.selectors import attachments_visible_to, documents_visible_to
from supervision.loop.selectors import overdue_days


def task_sheet_context(task, *, user) -> dict:
    today = clock.today()
    return {
        "task": task,
        "co_departments": list(task.co_departments.all()),
        "overdue_days": overdue_days(task, today),
        "nodes": list(task.nodes.order_by("sequence", "pk")),
        "events": list(task.events.select_related("actor").order_by("created_at", "pk")),
        "attachments": list(
            attachments_visible_to(user).filter(task=task).order_by("created_at", "pk")
        ),
        "documents": list(documents_visible_to(user).filter(task=task).order_by("issued_at")),
        "printed_on": chinese_date(today),
        "printed_by": user,
    }


def task_sheet_pdf(task, *, user) -> bytes:
    html = render_to_string(
        "supervision/documents/task_sheet.html", task_sheet_context(task, user=user)
    )
    return html_to_pdf(html)
