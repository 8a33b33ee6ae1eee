"""佐证材料 and 公文 in the cockpit: the upload widget's staging endpoint, the documents page
(the office generates there), a task's documents and its printable 督办单.

Downloads use the API's URLs (session-authenticated), which check visibility."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from accounts.models import Department
from supervision.files import delivery, services, uploads
from supervision.files.choices import DocumentType
from supervision.files.documents import services as documents
from supervision.files.documents.sheet import task_sheet_pdf
from supervision.files.filters import DocumentFilter
from supervision.files.models import Attachment
from supervision.files.selectors import attachments_visible_to, documents_visible_to
from supervision.loop.selectors import task_list
from supervision.web.forms import DocumentForm
from supervision.web.views.common import attempt, paginate


def _json(attachment: Attachment) -> dict:
    location = None
    if attachment.latitude is not None:
        location = {"latitude": str(attachment.latitude), "longitude": str(attachment.longitude)}
    return {
        "id": attachment.pk,
        "name": attachment.name,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "sha256": attachment.sha256,
        "taken_at": attachment.taken_at.isoformat() if attachment.taken_at else None,
        "location": location,
    }


@csrf_exempt  # the CSRF check runs below, once the size cap is installed
@login_required
@require_POST
def upload(request):
    """The widget's staging upload: one file, answered in JSON (the message on refusal)."""
    if message := uploads.body_too_large(request):
        return JsonResponse({"message": message}, status=413)
    uploads.install(request)
    return _upload(request)


@csrf_protect
def _upload(request):
    upload_file = request.FILES.get("file")
    if message := uploads.too_large(request):
        return JsonResponse({"message": message}, status=400)
    if upload_file is None:
        return JsonResponse({"message": "请选择文件。"}, status=400)
    attachment, refusal = attempt(
        lambda: services.attachment_upload(actor=request.user, upload=upload_file)
    )
    if refusal is not None:
        return JsonResponse({"message": refusal.message}, status=refusal.status)
    return JsonResponse(_json(attachment), status=201)


@login_required
@require_POST
def upload_delete(request, pk: int):
    attachment = attachments_visible_to(request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404("材料不存在。")
    _, refusal = attempt(
        lambda: services.attachment_delete(actor=request.user, attachment=attachment)
    )
    if refusal is not None:
        return JsonResponse({"message": refusal.message}, status=refusal.status)
    return JsonResponse({"deleted": pk})


# --- documents ------------------------------------------------------------------------------


@login_required
def document_index(request, form=None, status=200):
    filterset = DocumentFilter(request.GET or None, queryset=documents_visible_to(request.user))
    page = paginate(request, filterset.qs.order_by("-issued_at", "-pk"))
    context = {
        "page": page,
        "filterset": filterset,
        "types": DocumentType.choices,
        "departments": Department.objects.filter(is_active=True).order_by("code"),
        "can_generate": documents.can_generate(request.user),
        "form": form or DocumentForm(prefix="doc"),
    }
    return render(request, "web/documents.html", context, status=status)


@login_required
@require_POST
def document_generate(request):
    """The office issues a document from the cockpit (a task's 督办/催办通知书 come from the task
    page with ``task``; 通报 and 表扬/批评 from the documents page)."""
    form = DocumentForm(request.POST, prefix="doc")
    back = request.POST.get("next", "")
    if form.is_valid():
        document, refusal = attempt(
            lambda: documents.document_generate(actor=request.user, **form.cleaned_data),
            form=form,
        )
        if refusal is None:
            messages.success(request, f"已印发{document.get_type_display()} {document.code}。")
            task = form.cleaned_data.get("task")
            return (
                redirect("web:task-detail", pk=task.pk)
                if back == "task" and task
                else redirect("web:documents")
            )
        if refusal.status != 400:
            messages.error(request, refusal.message)
            return document_index(request, form=form, status=refusal.status)
    return document_index(request, form=form, status=400)


@login_required
def task_sheet(request, pk: int):
    task = task_list().filter(pk=pk).prefetch_related("co_departments").first()
    if task is None:
        raise Http404("督办事项不存在。")
    return delivery.send_bytes(
        task_sheet_pdf(task, user=request.user),
        filename=f"督办单 {task.code}.pdf",
        content_type="application/pdf",
    )
