"""Forms of the office's 单位管理, 用户管理 and Webhook pages. They only shape input: the
services (``accounts.services``, ``supervision.webhooks.services``) validate and decide, and
their errors come back onto these fields (``views.common.attempt``)."""

from django import forms

from accounts.choices import DepartmentKind, Role
from accounts.models import Department
from supervision.web.forms import CockpitForm
from supervision.webhooks.models import EVENT_TYPES


class DepartmentForm(CockpitForm):
    """单位: its code (fixed once created), full name and 简称 (what the cockpit shows where
    one is set), kind and provenance."""

    code = forms.CharField(label="编码", max_length=20, help_text="如 ZJW；创建后不可修改。")
    name = forms.CharField(label="全称", max_length=100)
    short_name = forms.CharField(
        label="简称",
        max_length=50,
        required=False,
        help_text="驾驶舱各处显示简称（未填写时显示全称）。",
    )
    kind = forms.ChoiceField(label="类型", choices=DepartmentKind.choices)
    source_ref = forms.CharField(label="来源章节", max_length=200, required=False)
    assumed = forms.BooleanField(
        label="推定", required=False, help_text="报告未明确、由系统推定的单位。"
    )

    def __init__(self, *args, department: Department | None = None, **kwargs):
        if department is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(department, name)
                    for name in ("code", "name", "short_name", "kind", "source_ref", "assumed")
                },
            )
        super().__init__(*args, **kwargs)
        if department is not None:
            self.fields["code"].disabled = True  # the key seeds, imports and the API look up

    def changes(self) -> dict:
        """The fields the office changed (so the audit record shows only them)."""
        return {
            name: self.cleaned_data[name]
            for name in self.changed_data
            if not self.fields[name].disabled
        }


def _department_field(current: Department | None = None) -> forms.ModelChoiceField:
    units = Department.objects.filter(is_active=True)
    if current is not None:  # a user of a unit since deactivated keeps it selectable
        units = Department.objects.filter(is_active=True) | Department.objects.filter(pk=current.pk)
    return forms.ModelChoiceField(
        label="所属单位",
        queryset=units.order_by("code"),
        required=False,
        empty_label="（无）",
        help_text="责任单位用户必须指定。",
    )


class UserForm(CockpitForm):
    """A user's name, role, unit and contacts (修改用户)."""

    display_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    department = forms.ModelChoiceField(queryset=Department.objects.none())
    phone = forms.CharField(label="电话", max_length=30, required=False)
    email = forms.EmailField(label="邮箱", required=False)

    def __init__(self, *args, user=None, **kwargs):
        if user is not None:
            kwargs.setdefault(
                "initial",
                {
                    "display_name": user.display_name,
                    "role": user.role,
                    "department": user.department_id,
                    "phone": user.phone,
                    "email": user.email,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["department"] = _department_field(user.department if user else None)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class UserCreateForm(UserForm):
    """新建用户: the login name and, optionally, the first password (else a temporary one
    is generated and shown once)."""

    field_order = ["username", "display_name", "role", "department", "phone", "email"]

    username = forms.CharField(
        label="用户名", max_length=150, help_text="登录名：字母、数字或 @ . + - _，创建后不可修改。"
    )
    password = forms.CharField(
        label="初始密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="留空则生成临时密码（只显示一次）。",
    )


class PasswordResetForm(CockpitForm):
    password = forms.CharField(
        label="新密码",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="留空则生成临时密码（只显示一次）。重置后该用户须重新登录，其 API 令牌全部吊销。",
    )


class WebhookForm(CockpitForm):
    """A Webhook 接收端: name, URL (checked by the service: http(s), no private network) and
    the events it subscribes to (none ticked: all)."""

    name = forms.CharField(label="名称", max_length=100)
    url = forms.CharField(label="地址", max_length=500, help_text="http(s) 地址；不允许内网地址。")
    event_types = forms.MultipleChoiceField(
        label="订阅事件",
        choices=[(event, event) for event in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="都不勾选表示订阅全部事件。",
    )

    def __init__(self, *args, endpoint=None, **kwargs):
        if endpoint is not None:
            kwargs.setdefault(
                "initial",
                {"name": endpoint.name, "url": endpoint.url, "event_types": endpoint.event_types},
            )
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}
