"""A unit (单位) seen by the office: 催办 all of its overdue work at once."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.models import Department
from supervision.reminders.services import department_urge_overdue
from supervision.web.forms import UrgeForm
from supervision.web.views.common import attempt


def _back(request) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("web:dashboard")


@login_required
@require_POST
def unit_urge_overdue(request, pk: int):
    """催办全部逾期 → ``department_urge_overdue`` (the supervision office only)."""
    department = Department.objects.filter(pk=pk).first()
    if department is None:
        raise Http404("单位不存在。")
    form = UrgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors["message"]))
        return redirect(_back(request))
    count, refusal = attempt(
        lambda: department_urge_overdue(
            department=department, actor=request.user, message=form.cleaned_data["message"]
        )
    )
    if refusal is not None:
        raise PermissionDenied(refusal.message)  # the service refuses only the actor
    if count:
        messages.success(request, f"已催办{department}的 {count} 件逾期事项。")
    else:
        messages.info(request, f"{department}没有需要催办的逾期事项（今天已催办的不再重复）。")
    return redirect(_back(request))
