from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.admin_readonly import ReadOnlyAdmin
from accounts.filters import DepartmentFilter, UserFilter
from accounts.login_limits import unlock
from accounts.models import ApiToken, AuditRecord, Department, User
from accounts.services import token_revoke


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


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are listed and revoked here, never shown: only a prefix and a digest are kept,
    and the digest is not displayed either. Issue with ``manage.py issue_token``."""

    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at"]
    list_display += ["last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]
    fields = ["user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at"]
    fields += ["revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]  # revoked, never deleted: the record of who had access stays

    def has_revoke_permission(self, request):
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description="吊销所选令牌", permissions=["revoke"])
    def revoke(self, request, queryset):
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            token_revoke(token=token)
        self.message_user(request, f"已吊销 {len(live)} 个令牌。")


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    """The audit trail is looked at, never written or changed by hand."""

    list_display = ["created_at", "actor", "action", "model", "object_id"]
    list_filter = ["model", "action"]
    search_fields = ["model", "object_id", "actor__username", "actor__display_name"]
    fields = ["created_at", "actor", "action", "model", "object_id", "before", "after"]
    readonly_fields = fields
