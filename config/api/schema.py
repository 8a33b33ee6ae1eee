"""OpenAPI schema: the Bearer scheme, the error body and the headers every endpoint shares.

``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` names ``AutoSchema`` below, so drf-spectacular
imports this module (and so registers ``BearerTokenScheme``) before it describes any view.
Nothing here runs a query: ``manage.py spectacular`` works without a database.

What the schema adds to each operation, from what the view classes do (``config.api``):

- the error responses ``{"code", "message", "errors"?}`` the exception handler produces:
  401 (with ``WWW-Authenticate: Bearer``), 403 and 429 (with ``Retry-After``) everywhere a
  user is needed; 400 for bodies, filters and POSTs; 404 for ids and pages; 409 for writes;
  412 for ``If-Match``;
- the ``Idempotency-Key`` request header on POSTs and ``Idempotent-Replayed`` on their replay;
- ``If-Match`` on PATCH/PUT/DELETE and the ``ETag`` response header on retrieve and update.
"""

import inspect

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import permissions, serializers

from accounts.models import IdempotencyRecord
from config.api.serializers import Serializer
from config.api.viewsets import ETagMixin, IdempotentPostMixin


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "config.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "wl_<prefix>_<secret>",
            "description": (
                "API token: POST /api/v1/auth/token/ or `manage.py issue_token`. "
                "A read-scoped token gets 403 on every write."
            ),
        }


_MESSAGES = {"type": "array", "items": {"type": "string"}}


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [
                _MESSAGES,
                {"type": "object", "additionalProperties": _MESSAGES},
            ]
        },
    }
)
class FieldErrorsField(serializers.DictField):
    """``{"title": ["…"]}``, or ``{"event_types": {"0": ["…"]}}`` for an item of a list."""


class ErrorSerializer(Serializer):
    """Every error response: a machine-readable code, a message, per-field errors on 400."""

    code = serializers.CharField(
        help_text="validation_error, parse_error, not_authenticated, authentication_failed, "
        "permission_denied, not_found, invalid_transition, conflict, precondition_failed, "
        "throttled, …"
    )
    message = serializers.CharField()
    errors = FieldErrorsField(
        required=False,
        help_text="400 only: field name (or non_field_errors) → messages; for a list field, "
        "the index of each bad item → its messages",
    )


_ERROR_DESCRIPTIONS = {
    400: _("Validation error, malformed JSON or an unknown filter value"),
    401: _("No or bad credentials"),
    403: _("Not allowed (role, department, or a read-scoped token writing)"),
    404: _("Not found, not visible, or a page past the end"),
    409: _("Not allowed from the current state (e.g. an illegal transition)"),
    412: _("If-Match no longer matches: the object changed; nothing was written"),
    429: _("Throttled"),
}

_STRING = {"type": "string"}
_ERROR_HEADERS = {
    401: {
        "WWW-Authenticate": {
            "schema": _STRING,
            "description": "`Bearer`",
            "required": True,
        }
    },
    429: {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds to wait before retrying",
            "required": True,
        }
    },
}

_WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _idempotency_key_length() -> int:
    return IdempotencyRecord._meta.get_field("key").max_length


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema plus the shared headers and error responses."""

    # --- what the view does ------------------------------------------------------------

    def _needs_user(self) -> bool:
        return not any(
            isinstance(perm, permissions.AllowAny) for perm in self.view.get_permissions()
        )

    def _is_idempotent_post(self) -> bool:
        return (
            self.method == "POST"
            and isinstance(self.view, IdempotentPostMixin)
            and self._needs_user()
        )

    def _honours_if_match(self) -> bool:
        return self.method in ("PUT", "PATCH", "DELETE") and isinstance(self.view, ETagMixin)

    def _sends_etag(self) -> bool:
        action = getattr(self.view, "action", None)
        return isinstance(self.view, ETagMixin) and action in (
            "retrieve",
            "update",
            "partial_update",
        )

    def _has_path_parameters(self) -> bool:
        return "{" in self.path

    def _error_codes(self) -> list[int]:
        is_list = self.method == "GET" and self._is_list_view() and self._get_paginator()
        codes = {401, 429}
        if self._needs_user():
            codes.add(403)
        if self.method in ("POST", "PUT", "PATCH") or is_list:
            codes.add(400)
        if self._has_path_parameters() or is_list:
            codes.add(404)
        if self.method in _WRITES and self._needs_user():
            codes.add(409)
        if self._honours_if_match():
            codes.add(412)
        return sorted(codes)

    # --- text, parameters and responses ------------------------------------------------

    def get_description(self):
        """The action's docstring, else the view's own one: never a shared base class's notes."""
        action = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        own = type(self.view).__dict__.get("__doc__")
        return get_doc(action) or (inspect.cleandoc(own) if own else "")

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._is_idempotent_post():
            parameters += [
                OpenApiParameter(
                    "Idempotency-Key",
                    {"type": "string", "minLength": 1, "maxLength": _idempotency_key_length()},
                    OpenApiParameter.HEADER,
                    description=(
                        "Repeating a key already used by the same user on the same path returns "
                        "the first response (with `Idempotent-Replayed: true`) and creates "
                        "nothing; the same key on another path is a 400."
                    ),
                ),
                OpenApiParameter(
                    "Idempotent-Replayed",
                    {"type": "string", "enum": ["true"]},
                    OpenApiParameter.HEADER,
                    response=True,
                    description="Present when this is the stored response to an earlier request",
                ),
            ]
        if self._honours_if_match():
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=(
                        "The ETag from the last GET; when the object changed since, the answer "
                        "is 412 and nothing is written"
                    ),
                )
            )
        if self._sends_etag():
            parameters.append(
                OpenApiParameter(
                    "ETag",
                    str,
                    OpenApiParameter.HEADER,
                    response=[200],
                    required=True,
                    description="Send it back as If-Match with PATCH",
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        media_types = self.map_renderers("media_type")
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                {
                    **({"headers": _ERROR_HEADERS[code]} if code in _ERROR_HEADERS else {}),
                    "content": {media_type: {"schema": error} for media_type in media_types},
                    "description": str(_ERROR_DESCRIPTIONS[code]),
                },
            )
        return responses
