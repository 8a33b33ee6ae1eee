"""Who sees which files and documents: one queryset filter each (a file another unit may not
see is a 404, never a 403 and never a row in a list)."""

from django.db.models import F, Q

from supervision.files.models import Attachment, Document
from supervision.loop.models import Task


def sees_everything(user) -> bool:
    """The office, leaders and read-only staff read all work; a unit reads its own."""
    return user.is_active and not user.is_owner


def _units_tasks(department_id):
    return Task.objects.filter(
        Q(lead_department_id=department_id) | Q(co_departments__id=department_id)
    ).values("pk")


def _units_projects(department_id):
    from projects.models import Project

    return Project.objects.filter(
        Q(lead_department_id=department_id) | Q(co_departments__id=department_id)
    ).values("pk")


def attachments_visible_to(user):
    """Bound files the user may read (through the target's task or project), plus the files
    the user uploaded that are not bound yet."""
    queryset = Attachment.objects.select_related("created_by", "department")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    staged = Q(target_type="", created_by=user)
    if sees_everything(user):
        return queryset.filter(~Q(target_type="") | staged)
    unit = user.department_id
    mine = (
        Q(task__in=_units_tasks(unit))
        | Q(project__in=_units_projects(unit))
        | Q(department_id=unit)
    )
    return queryset.filter((~Q(target_type="") & mine) | staged)


def documents_visible_to(user):
    """Documents addressed to the user's unit or about its work, and district-wide ones."""
    queryset = Document.objects.select_related("task", "department", "issued_by")
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if sees_everything(user):
        return queryset
    unit = user.department_id
    return queryset.filter(
        Q(department_id=unit)
        | Q(task__in=_units_tasks(unit))
        | Q(department__isnull=True, task__isnull=True)
    )


def attachments_of(target_type: str, target_ids) -> dict[int, list[Attachment]]:
    """Files bound to each of ``target_ids`` (one query), current first, superseded after."""
    rows = Attachment.objects.filter(target_type=target_type, target_id__in=list(target_ids))
    grouped: dict[int, list[Attachment]] = {}
    current_first = F("superseded_at").asc(nulls_first=True)
    for row in rows.select_related("created_by").order_by(current_first, "created_at", "pk"):
        grouped.setdefault(row.target_id, []).append(row)
    return grouped


def _labelled(queryset) -> list[Attachment]:
    from supervision.files.targets import labels

    names = labels()
    rows = list(queryset.order_by("created_at", "pk"))
    for row in rows:
        row.target_label = names.get(row.target_type, row.target_type)
    return rows


def task_attachments(task, user) -> list[Attachment]:
    """The files of ``task`` the user may read, oldest first, each with ``target_label``."""
    return _labelled(attachments_visible_to(user).filter(task=task))


def project_attachments(project, user) -> list[Attachment]:
    """The files of the project's own records (milestones, investment reports)."""
    return _labelled(attachments_visible_to(user).filter(project=project, task__isnull=True))
