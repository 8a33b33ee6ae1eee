"""The shared viewset bases: pagination, idempotent POSTs, ETag/If-Match and audited writes.

Viewsets subclass ``ApiViewSet`` / ``ApiModelViewSet`` and stay three lines long.
"""

import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from accounts.models import AuditRecord, IdempotencyRecord
from config.api.errors import Conflict, PreconditionFailed
from config.api.pagination import Pagination


def etag_for(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


class IdempotentPostMixin:
    """``Idempotency-Key`` on POST: the first response is kept and replayed to repeats."""

    idempotency_header = "HTTP_IDEMPOTENCY_KEY"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency = None
        key = request.META.get(self.idempotency_header, "").strip()
        if request.method != "POST" or not key or not request.user.is_authenticated:
            return
        longest = IdempotencyRecord._meta.get_field("key").max_length
        if len(key) > longest:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("长度不能超过 %(n)d。") % {"n": longest}]}
            )
        path = request.path[: IdempotencyRecord._meta.get_field("path").max_length]
        try:
            with transaction.atomic():
                record, created = IdempotencyRecord.objects.get_or_create(
                    user=request.user,
                    key=key,
                    defaults={"method": "POST", "path": path, "status_code": 0},
                )
        except IntegrityError:  # a concurrent twin inserted it first
            record, created = IdempotencyRecord.objects.get(user=request.user, key=key), False
        if created:
            self._idempotency = record
            return
        if record.path != path:
            raise exceptions.ValidationError({"Idempotency-Key": [_("该幂等键已用于另一请求。")]})
        if record.status_code == 0:
            raise Conflict(
                _("相同幂等键的请求正在处理，请稍后重试。"), code="idempotency_in_progress"
            )
        replay = Response(record.body, status=record.status_code)
        replay["Idempotent-Replayed"] = "true"
        self.post = lambda *args, **kwargs: replay  # the handler dispatch() calls next

    def raise_uncaught_exception(self, exc):
        # A bug (500) must not leave the key "in progress" for ever: let the client retry.
        record = getattr(self, "_idempotency", None)
        if record is not None:
            self._idempotency = None
            record.delete()
        super().raise_uncaught_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency", None)
        if record is not None:
            if response.status_code >= 500 or response.status_code == 429:
                record.delete()  # transient: let the client retry with the same key
            else:
                record.status_code = response.status_code
                record.body = response.data
                record.save(update_fields=["status_code", "body"])
        return response


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    """Shared base: auth, scope check, pagination, throttling, idempotent POSTs."""

    pagination_class = Pagination
    # Any path segment reaches the view, so ``tasks/abc/`` or ``tasks/1.5/`` is the API's JSON
    # 404 rather than Django's HTML page (DRF's default stops at a dot, for format suffixes).
    lookup_value_regex = "[^/]+"


class ETagMixin:
    """``ETag`` on GET of one object; ``If-Match`` on PATCH/PUT → 412 when stale."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_for(response.data)
        return response

    def check_if_match(self, request, instance):
        expected = request.META.get("HTTP_IF_MATCH")
        if not expected or expected.strip() == "*":
            return
        current = etag_for(self.get_serializer(instance).data)
        candidates = [tag.strip().removeprefix("W/") for tag in expected.split(",")]
        if current not in candidates:
            raise PreconditionFailed()


class AuditMixin:
    """An ``AuditRecord`` (before/after) for every create, update and delete."""

    def audit(self, action: str, instance, before, after):
        AuditRecord.objects.create(
            actor=self.request.user,
            action=action,
            model=instance._meta.label,
            object_id=str(instance.pk),
            before=before,
            after=after,
        )


class ApiModelViewSet(
    ETagMixin, AuditMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet
):
    """List, retrieve; create/update/delete call ``perform_*`` hooks the subclass implements
    through its services. Writes are atomic and audited; updates honour ``If-Match``."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            instance = self.perform_create(serializer)
            data = self.get_serializer(self.refetch(instance)).data
            self.audit("create", instance, None, data)
        return Response(data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            self.check_if_match(request, instance)
            before = self.get_serializer(instance).data
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.perform_update(serializer)
            after = self.get_serializer(self.refetch(instance)).data
            self.audit("update", instance, before, after)
        response = Response(after)
        response["ETag"] = etag_for(after)
        return response

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            self.check_if_match(request, instance)
            before = self.get_serializer(instance).data
            self.audit("delete", instance, before, None)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def refetch(self, instance):
        """The instance as the list/detail queryset shows it (with its annotations)."""
        return self.get_queryset().get(pk=instance.pk)

    def perform_create(self, serializer):
        raise exceptions.MethodNotAllowed(self.request.method)

    def perform_update(self, serializer):
        raise exceptions.MethodNotAllowed(self.request.method)

    def perform_destroy(self, instance):
        raise exceptions.MethodNotAllowed(self.request.method)
