"""The office's housekeeping in the cockpit: 单位管理, 用户管理 and Webhook 接收端.

Every write goes through the same services as the API and the admin
(``accounts.services``, ``supervision.webhooks.services``): they check the actor's right,
validate and write the ``AuditRecord`` in one transaction. A unit's user or a leader gets
403. A secret (a temporary password, a webhook's signing secret) is shown once, on the
answer to the POST that made it, never stored in the session.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services as accounts
from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from supervision.web import admin_forms
from supervision.web.views.common import Refusal, attempt, paginate
from supervision.web.views.kinds import refused_page
from supervision.webhooks import services as webhooks
from supervision.webhooks.models import WebhookEndpoint


def _refuse_unless_admin(request, what: str):
    if accounts.can_admin_accounts(request.user):
        return None
    return refused_page(request, Refusal(403, f"只有督查办可以{what}。"))


def _page(request, template, context, status=200, refusal=None):
    return render(request, template, {**context, "refusal": refusal}, status=status)


def _get(queryset, pk: int, what: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise Http404(f"{what}不存在。")
    return obj


def _set_active(request, *, set_active, done, back: str):
    """停用 / 启用 (``active`` = 0 / 1 in the POST): ``set_active(active)`` calls the
    service; ``done(active)`` is the result message; back to the list ``back``."""
    active = {"1": True, "0": False}.get(request.POST.get("active"))
    if active is None:
        messages.error(request, "操作无效。")
        return redirect(back)
    _, refusal = attempt(lambda: set_active(active))
    if refusal is not None:
        return refused_page(request, refusal)
    messages.success(request, done(active))
    return redirect(back)


# --- 单位管理 ------------------------------------------------------------------------------


@login_required
def unit_index(request):
    refused = _refuse_unless_admin(request, "管理单位")
    if refused:
        return refused
    units = Department.objects.annotate(
        user_count=Count("users", filter=Q(users__is_active=True))
    ).order_by("-is_active", "code")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        units = units.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(short_name__icontains=q)
        )
    kind = request.GET.get("kind", "")
    if kind in DepartmentKind.values:
        units = units.filter(kind=kind)
    context = {
        "page": paginate(request, units, per_page=50),
        "q": q,
        "kind": kind,
        "kinds": DepartmentKind.choices,
    }
    return render(request, "web/manage/units.html", context)


@login_required
def unit_edit(request, pk: int | None = None):
    """新建单位 (no ``pk``) or 修改单位."""
    refused = _refuse_unless_admin(request, "新建或修改单位")
    if refused:
        return refused
    department = _get(Department.objects, pk, "单位") if pk is not None else None
    form = admin_forms.DepartmentForm(request.POST or None, department=department)
    context = {"form": form, "department": department}
    template = "web/manage/unit_form.html"
    if request.method != "POST":
        return _page(request, template, context)
    if not form.is_valid():
        return _page(request, template, context, 400)
    if department is None:
        saved, refusal = attempt(
            lambda: accounts.department_create(actor=request.user, **form.cleaned_data), form=form
        )
        done = "已新建单位"
    else:
        changes = form.changes()
        if not changes:
            messages.info(request, "单位没有改动。")
            return redirect("web:manage-units")
        saved, refusal = attempt(
            lambda: accounts.department_update(
                actor=request.user, department=Department.objects.get(pk=pk), **changes
            ),
            form=form,
        )
        done = "已修改单位"
    if refusal is not None:
        return _page(request, template, context, refusal.status, refusal)
    messages.success(request, f"{done} {saved.code} {saved}（已记录）。")
    return redirect("web:manage-units")


@login_required
@require_POST
def unit_active(request, pk: int):
    """停用 / 启用 a unit (``active`` = 0 / 1): a deactivated unit leaves the pick lists."""
    refused = _refuse_unless_admin(request, "停用或启用单位")
    if refused:
        return refused
    department = _get(Department.objects, pk, "单位")
    return _set_active(
        request,
        set_active=lambda active: accounts.department_update(
            actor=request.user, department=department, is_active=active
        ),
        done=lambda active: (
            f"已{'启用' if active else '停用'}单位 {department.code} {department}（已记录）。"
        ),
        back="web:manage-units",
    )


# --- 用户管理 ------------------------------------------------------------------------------


@login_required
def user_index(request):
    refused = _refuse_unless_admin(request, "管理用户账号")
    if refused:
        return refused
    users = User.objects.select_related("department").order_by("-is_active", "username")
    q = request.GET.get("q", "").strip()[:50]
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    role = request.GET.get("role", "")
    if role in Role.values:
        users = users.filter(role=role)
    unit = request.GET.get("department", "")
    if unit.isdigit():
        users = users.filter(department_id=int(unit))
    context = {
        "page": paginate(request, users, per_page=50),
        "q": q,
        "role": role,
        "roles": Role.choices,
        "unit": unit,
        "units": Department.objects.filter(is_active=True).order_by("code"),
    }
    return render(request, "web/manage/users.html", context)


def _shown_once(request, user, password: str, done: str):
    """The page with the password, answered to the POST (``never_cache`` on the views)."""
    return render(
        request,
        "web/manage/password_shown.html",
        {"account": user, "password": password, "done": done},
    )


@never_cache
@login_required
def user_new(request):
    refused = _refuse_unless_admin(request, "新建用户账号")
    if refused:
        return refused
    initial = {}
    if request.GET.get("department", "").isdigit():
        initial = {"department": int(request.GET["department"]), "role": Role.OWNER}
    form = admin_forms.UserCreateForm(request.POST or None, initial=initial)
    context = {"form": form, "account": None}
    template = "web/manage/user_form.html"
    if request.method != "POST":
        return _page(request, template, context)
    if not form.is_valid():
        return _page(request, template, context, 400)
    data = dict(form.cleaned_data)
    password = data.pop("password") or accounts.temporary_password()
    user, refusal = attempt(
        lambda: accounts.user_create(actor=request.user, password=password, **data), form=form
    )
    if refusal is not None:
        return _page(request, template, context, refusal.status, refusal)
    return _shown_once(request, user, password, "已新建用户账号")


@login_required
def user_edit(request, pk: int):
    refused = _refuse_unless_admin(request, "修改用户账号")
    if refused:
        return refused
    account = _get(User.objects.select_related("department"), pk, "用户")
    form = admin_forms.UserForm(request.POST or None, user=account)
    context = {"form": form, "account": account}
    template = "web/manage/user_form.html"
    if request.method != "POST":
        return _page(request, template, context)
    if not form.is_valid():
        return _page(request, template, context, 400)
    changes = form.changes()
    if not changes:
        messages.info(request, "用户没有改动。")
        return redirect("web:manage-users")
    _, refusal = attempt(
        lambda: accounts.user_update(actor=request.user, user=account, **changes), form=form
    )
    if refusal is not None:
        return _page(request, template, context, refusal.status, refusal)
    messages.success(request, f"已修改用户 {account.username}（已记录）。")
    return redirect("web:manage-users")


@login_required
@require_POST
def user_active(request, pk: int):
    refused = _refuse_unless_admin(request, "停用或启用用户账号")
    if refused:
        return refused
    account = _get(User.objects, pk, "用户")
    return _set_active(
        request,
        set_active=lambda active: accounts.user_set_active(
            actor=request.user, user=account, active=active
        ),
        done=lambda active: (
            f"已启用用户 {account.username}（已记录）。"
            if active
            else f"已停用用户 {account.username}，其 API 令牌已全部吊销（已记录）。"
        ),
        back="web:manage-users",
    )


@never_cache
@login_required
def user_password(request, pk: int):
    """重置密码: the office sets one, or a temporary one is generated; shown once."""
    refused = _refuse_unless_admin(request, "重置密码")
    if refused:
        return refused
    account = _get(User.objects, pk, "用户")
    form = admin_forms.PasswordResetForm(request.POST or None)
    context = {"form": form, "account": account}
    template = "web/manage/user_password.html"
    if request.method != "POST":
        return _page(request, template, context)
    if not form.is_valid():
        return _page(request, template, context, 400)
    password, refusal = attempt(
        lambda: accounts.user_password_reset(
            actor=request.user, user=account, password=form.cleaned_data["password"] or None
        ),
        form=form,
    )
    if refusal is not None:
        return _page(request, template, context, refusal.status, refusal)
    return _shown_once(request, account, password, "已重置密码")


# --- Webhook 接收端 -------------------------------------------------------------------------


def _refuse_unless_webhooks(request):
    if webhooks.can_manage_endpoints(request.user):
        return None
    return refused_page(request, Refusal(403, "只有督查办可以管理 Webhook。"))


@login_required
def webhook_index(request):
    refused = _refuse_unless_webhooks(request)
    if refused:
        return refused
    endpoints = WebhookEndpoint.objects.annotate(
        delivery_count=Count("deliveries"),
        failed_count=Count("deliveries", filter=Q(deliveries__status="failed")),
    ).order_by("id")
    return render(request, "web/manage/webhooks.html", {"page": paginate(request, endpoints)})


@never_cache
@login_required
def webhook_edit(request, pk: int | None = None):
    """新增 (no ``pk``; the signing secret is shown once) or 修改 a receiver."""
    refused = _refuse_unless_webhooks(request)
    if refused:
        return refused
    endpoint = _get(WebhookEndpoint.objects, pk, "接收端") if pk is not None else None
    form = admin_forms.WebhookForm(request.POST or None, endpoint=endpoint)
    context = {"form": form, "endpoint": endpoint}
    template = "web/manage/webhook_form.html"
    if request.method != "POST":
        return _page(request, template, context)
    if not form.is_valid():
        return _page(request, template, context, 400)
    if endpoint is None:
        created, refusal = attempt(
            lambda: webhooks.endpoint_create(actor=request.user, **form.cleaned_data), form=form
        )
        if refusal is not None:
            return _page(request, template, context, refusal.status, refusal)
        endpoint, secret = created
        return render(
            request, "web/manage/webhook_secret.html", {"endpoint": endpoint, "secret": secret}
        )
    changes = form.changes()
    if not changes:
        messages.info(request, "接收端没有改动。")
        return redirect("web:manage-webhooks")
    _, refusal = attempt(
        lambda: webhooks.endpoint_update(actor=request.user, endpoint=endpoint, **changes),
        form=form,
    )
    if refusal is not None:
        return _page(request, template, context, refusal.status, refusal)
    messages.success(request, f"已修改接收端“{form.cleaned_data['name']}”（已记录）。")
    return redirect("web:manage-webhooks")


@login_required
@require_POST
def webhook_active(request, pk: int):
    refused = _refuse_unless_webhooks(request)
    if refused:
        return refused
    endpoint = _get(WebhookEndpoint.objects, pk, "接收端")
    return _set_active(
        request,
        set_active=lambda active: webhooks.endpoint_update(
            actor=request.user, endpoint=endpoint, is_active=active
        ),
        done=lambda active: f"已{'启用' if active else '停用'}接收端“{endpoint.name}”（已记录）。",
        back="web:manage-webhooks",
    )


@login_required
@require_POST
def webhook_delete(request, pk: int):
    refused = _refuse_unless_webhooks(request)
    if refused:
        return refused
    endpoint = _get(WebhookEndpoint.objects, pk, "接收端")
    _, refusal = attempt(lambda: webhooks.endpoint_delete(actor=request.user, endpoint=endpoint))
    if refusal is not None:
        return refused_page(request, refusal)
    messages.success(request, f"已删除接收端“{endpoint.name}”及其投递记录（已记录）。")
    return redirect("web:manage-webhooks")
