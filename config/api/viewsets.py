"""The shared viewset bases: pagination, idempotent POSTs, ETag/If-Match and audited writes.

Viewsets subclass ``ApiViewSet`` / ``ApiModelViewSet`` and stay three lines long.
"""

import hashlib
import json

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from accounts.models import AuditRecord, IdempotencyRecord
from config.api.errors import Conflict, PreconditionFailed
from config.api.filters import FilterBackend
from config.api.pagination import Pagination


def etag_for(instance) -> str:
    """The row's version tag: its model, id and ``updated_at`` (bumped by every save).

    Derived fields (light, overdue days) change with the date, not with the row, so they are
    left out: a tag read yesterday still matches today if nobody wrote in between.
    """
    version = getattr(instance, "updated_at", None)
    if version is None:
        raise ImproperlyConfigured(
            f"{instance._meta.label} needs an auto_now `updated_at` to carry an ETag."
        )
    key = f"{instance._meta.label}:{instance.pk}:{version.isoformat()}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


class IdempotentPostMixin:
    """``Idempotency-Key`` on POST: the first response is kept and replayed to repeats.

    A secret in a response is shown once and never stored: a view whose answer *is* a
    secret (a token for a password) sets ``idempotent = False`` and ignores the key; one
    whose answer carries a secret field lists it in ``secret_fields``, which is left out of
    the stored answer and so of any replay.
    """

    idempotency_header = "HTTP_IDEMPOTENCY_KEY"
    idempotent = True
    secret_fields: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency = None
        key = request.META.get(self.idempotency_header, "").strip()
        if (
            not self.idempotent
            or request.method != "POST"
            or not key
            or not request.user.is_authenticated
        ):
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
                body = response.data
                if isinstance(body, dict) and self.secret_fields:
                    body = {k: v for k, v in body.items() if k not in self.secret_fields}
                record.status_code = response.status_code
                # As the client got it (dates, decimals…): the JSON column's encoder knows less.
                record.body = json.loads(json.dumps(body, cls=JSONEncoder))
                record.save(update_fields=["status_code", "body"])
        return response


class ApiViewSet(IdempotentPostMixin, viewsets.GenericViewSet):
    """Shared base: auth, scope check, pagination, throttling, idempotent POSTs."""

    pagination_class = Pagination
    filter_backends = [FilterBackend]
    # Any path segment reaches the view, so ``tasks/abc/`` or ``tasks/1.5/`` is the API's JSON
    # 404 rather than Django's HTML page (DRF's default stops at a dot, for format suffixes).
    lookup_value_regex = "[^/]+"


class ETagMixin:
    """``ETag`` on GET of one object; ``If-Match`` on PATCH/DELETE → 412 when stale.

    A write first locks the row (``lock_object``), then reads it and compares ``If-Match``
    with its version, all in one transaction: of two writers holding the same tag, the
    second waits for the first to commit, then sees the new version and gets 412.
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = etag_for(instance)
        return response

    def lock_object(self) -> None:
        """``SELECT … FOR UPDATE`` the row the URL names (call inside a transaction, before
        ``get_object``). A lookup value that is no valid key locks nothing; ``get_object``
        then answers 404."""
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        model = self.get_queryset().model
        lookup = {self.lookup_field: self.kwargs[lookup_url_kwarg]}
        try:
            list(model._base_manager.select_for_update().filter(**lookup).values_list("pk"))
        except (TypeError, ValueError, DjangoValidationError):
            return

    def check_if_match(self, request, instance):
        expected = request.META.get("HTTP_IF_MATCH")
        if not expected or expected.strip() == "*":
            return
        candidates = [tag.strip().removeprefix("W/") for tag in expected.split(",")]
        if etag_for(instance) not in candidates:
            raise PreconditionFailed()


class AuditMixin:
    """An ``AuditRecord`` (before/after) for every create, update and delete — unless the
    model's services write it themselves (``services_audit = True``: they hold the actor,
    the right and the transaction, and every other writer goes through them too)."""

    services_audit = False

    def audit(self, action: str, instance, before, after):
        if self.services_audit:
            return
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
            self.lock_object()
            instance = self.get_object()
            self.check_if_match(request, instance)
            before = self.get_serializer(instance).data
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            instance = self.refetch(self.perform_update(serializer))
            after = self.get_serializer(instance).data
            self.audit("update", instance, before, after)
        response = Response(after)
        response["ETag"] = etag_for(instance)
        return response

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            self.lock_object()
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
