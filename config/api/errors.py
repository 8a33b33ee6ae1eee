"""The API's one mapping from errors to JSON ``{"code", "message", "errors"?}``."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError, NotPermitted, constraint_violation


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("对象已被他人修改（If-Match 不匹配），请刷新后重试。")
    default_code = "precondition_failed"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(_("请求体过大，上限 %(mb).1f MB。") % {"mb": limit / 1024 / 1024})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("操作与当前状态冲突。")
    default_code = "conflict"


def _django_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): msgs
            for field, msgs in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc, context):
    """One mapping from errors to JSON ``{"code", "message", "errors"?}``.

    Domain errors: ``DomainError`` (e.g. an illegal transition) → 409, ``NotPermitted`` → 403, Django's
    ``ValidationError`` → 400; a unique or check constraint the database enforced (a race
    past the service's check) → 400 on its field, by the constraint's name; a body over
    Django's upload limits → 413, other refused requests (too many fields) → 400. Anything
    unexpected is not caught here: it is a bug.
    """
    if isinstance(exc, IntegrityError):
        violation = constraint_violation(exc)
        if violation is None:
            return None  # not a constraint of ours: a bug
        exc = violation
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, SuspiciousOperation):
        exc = exceptions.ParseError(str(exc))
    if isinstance(exc, NotPermitted):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DomainError):
        exc = Conflict(exc.message, code=exc.code)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_errors(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("对象不存在或无权查看。"))

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {
            "code": "validation_error",
            "message": str(_("请求数据有误，请按字段提示修改。")),
            "errors": detail,
        }
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(exc.detail) if hasattr(exc, "detail") else str(exc),
        }
    return response
