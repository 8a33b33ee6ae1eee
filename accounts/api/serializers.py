from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.models import ApiToken, Department, User
from config.api.serializers import ModelSerializer, Serializer


class DepartmentSerializer(ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "short_name", "kind", "is_active", "assumed", "source_ref"]


class DepartmentCreateSerializer(DepartmentSerializer):
    """A new department is active (``department_create`` takes no ``is_active``); deactivate
    it with a PATCH."""

    class Meta(DepartmentSerializer.Meta):
        read_only_fields = ["is_active"]


class UserSerializer(ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "department"]
        read_only_fields = fields


@extend_schema_serializer(many=False, component_name="CurrentUser")
class MeSerializer(UserSerializer):
    """``me/``: one object, although the route is the viewset's ``list``."""

    class Meta(UserSerializer.Meta):
        pass


class TokenRequestSerializer(Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class TokenResponseSerializer(Serializer):
    token = serializers.CharField(help_text="仅显示这一次；以 Authorization: Bearer <token> 使用")
    scope = serializers.CharField()
    expires_at = serializers.DateTimeField(allow_null=True)


class ApiTokenSerializer(ModelSerializer):
    """A token as its owner sees it: never its secret (which is not stored anyway)."""

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "scope",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = fields
