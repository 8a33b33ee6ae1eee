import datetime as dt

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from accounts.api.serializers import (
    ApiTokenSerializer,
    DepartmentCreateSerializer,
    DepartmentSerializer,
    MeSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)
from accounts.filters import ApiTokenFilter, DepartmentFilter, UserFilter
from accounts.models import ApiToken, Department, User
from accounts.selectors import visible_users
from accounts.services import department_create, department_update, token_issue, token_revoke
from config.api.permissions import IsSupervisorOrReadOnly
from config.api.rows import RowListMixin
from config.api.viewsets import ApiModelViewSet, ApiViewSet
from core import clock

TOKEN_LIFETIME = dt.timedelta(days=30)


class MeViewSet(ApiViewSet):
    """The signed-in user: id, username, name, role, department."""

    queryset = User.objects.none()  # the answer is request.user; this only names the model
    serializer_class = MeSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(summary="当前用户")
    def list(self, request):
        return Response(MeSerializer(request.user).data)


class DepartmentViewSet(RowListMixin, ApiModelViewSet):
    """单位. Everyone reads; the supervision office creates and edits."""

    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    permission_classes = ApiModelViewSet.permission_classes + [IsSupervisorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return DepartmentCreateSerializer if self.action == "create" else DepartmentSerializer

    def perform_create(self, serializer):
        return department_create(**serializer.validated_data)

    def perform_update(self, serializer):
        return department_update(department=serializer.instance, **serializer.validated_data)


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Active users (read-only), as far as the caller's cockpit shows them
    (``accounts.selectors.visible_users``); anyone else is a 404."""

    serializer_class = UserSerializer
    filterset_class = UserFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        return visible_users(self.request.user)


class TokenViewSet(ApiViewSet):
    """``POST auth/token/``: exchange a username and password for a write token (30 days);
    ``DELETE auth/token/``: revoke the token this request is made with.

    Password guessing is limited here as at the other doors (``accounts.login_limits``):
    a locked caller gets 429 ``login_locked`` even with the right password."""

    throttle_classes = []  # the login limit counts failures instead (django-axes)
    idempotent = False  # the answer is a secret: never stored, never replayed
    serializer_class = TokenRequestSerializer
    pagination_class = None

    def get_permissions(self):
        # Anyone may try a password; a read-scoped token may still revoke itself.
        return [AllowAny()] if self.action == "create" else [IsAuthenticated()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenResponseSerializer})
    def create(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # axes reads and flags the Django request (AxesMiddleware answers a lock with 429).
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise exceptions.AuthenticationFailed("用户名或密码错误。")
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token, plaintext = token_issue(
            user=user, scope="write", name="auth/token", expires_at=clock.now() + TOKEN_LIFETIME
        )
        body = {"token": plaintext, "scope": token.scope, "expires_at": token.expires_at}
        return Response(TokenResponseSerializer(body).data, status=201)

    @extend_schema(request=None, responses={204: None}, summary="吊销当前令牌")
    def revoke(self, request):
        if not isinstance(request.auth, ApiToken):
            raise exceptions.ValidationError(
                {"non_field_errors": ["本请求未使用 API 令牌（Authorization: Bearer …）。"]}
            )
        token_revoke(token=request.auth)
        return Response(status=204)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """``auth/tokens/``: the caller's own tokens (never their secret); ``DELETE
    auth/tokens/{id}/`` revokes one. Someone else's token is a 404."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilter
    permission_classes = [IsAuthenticated]  # a read-scoped token may revoke too
    http_method_names = ["get", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(responses={204: None}, summary="吊销令牌")
    def destroy(self, request, pk=None):
        token_revoke(token=self.get_object())
        return Response(status=204)
