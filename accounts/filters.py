import django_filters

from accounts.choices import DepartmentKind, Role
from accounts.models import ApiToken, Department, User
from config.api.filters import FilterSet


class DepartmentFilter(FilterSet):
    search_fields = ("code", "name", "short_name")
    ordering_fields = {"code": "编码", "name": "名称", "kind": "类型"}
    default_ordering = ("code",)

    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)

    class Meta:
        model = Department
        fields = ["kind", "is_active", "assumed"]


class UserFilter(FilterSet):
    search_fields = ("username", "display_name")
    ordering_fields = {"username": "用户名", "role": "角色"}
    default_ordering = ("username",)

    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "department"]


class ApiTokenFilter(FilterSet):
    ordering_fields = {"created_at": "创建时间", "last_used_at": "最近使用"}
    default_ordering = ("-created_at", "-id")

    revoked = django_filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", exclude=True, label="已吊销"
    )

    class Meta:
        model = ApiToken
        fields = ["scope"]
