"""The audit trail: one ``AuditRecord`` (before/after) per write, written by the service that
makes the write, in its transaction (STYLE.md, "Behaviour").

    before = audit.snapshot(project)
    ... change and save project ...
    audit.record(actor=actor, action="update", instance=project, before=before,
                 after=audit.snapshot(project))
"""

import datetime as dt
import uuid
from decimal import Decimal

from django.db import models
from django.db.models.fields.files import FieldFile

from accounts.models import AuditRecord


def _json(value):
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time | Decimal | uuid.UUID):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, list | tuple | set):
        return [_json(item) for item in value]
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict:
    """The instance's concrete fields (foreign keys as ids, dates and decimals as strings)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        data[field.name] = _json(getattr(instance, field.attname))
    return data


def saved(*, actor, instance: models.Model, before: dict | None = None) -> AuditRecord | None:
    """The record of a create (``before`` None) or an update, with ``instance`` as it is now;
    none without an actor (for writers that audit themselves, like the API's viewsets)."""
    if actor is None:
        return None
    action = "create" if before is None else "update"
    return record(
        actor=actor, action=action, instance=instance, before=before, after=snapshot(instance)
    )


def record(*, actor, action: str, instance: models.Model, before=None, after=None) -> AuditRecord:
    """Write one audit record; call it inside the service's transaction."""
    return AuditRecord.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        before=before,
        after=after,
    )
