from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.filters import DepartmentFilter, UserFilter
from accounts.login_limits import unlock
from accounts.models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "is_active", "assumed"]
    list_filter = ["kind", "is_active", "assumed"]
    search_fields = DepartmentFilter.search_fields


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "role", "department", "is_active"]
    list_filter = ["role", "department__kind", "is_active", "is_superuser"]
    search_fields = UserFilter.search_fields
    autocomplete_fields = ["department"]
    actions = ["unlock_login"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("督办信息", {"fields": ("display_name", "phone", "department", "role")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("督办信息", {"fields": ("display_name", "phone", "department", "role")}),
    )

    @admin.action(description="解除所选用户的登录锁定")
    def unlock_login(self, request, queryset):
        cleared = sum(unlock(username=user.username) for user in queryset)
        self.message_user(
            request, f"已解除 {queryset.count()} 个用户的登录锁定（{cleared} 条记录）。"
        )
