import django_filters

from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from config.api.filters import FilterSet


class DepartmentFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=DepartmentKind.choices)

    class Meta:
        model = Department
        fields = ["kind", "is_active", "assumed"]


class UserFilter(FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = User
        fields = ["role", "department"]
