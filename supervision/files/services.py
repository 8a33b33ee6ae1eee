"""The one path for writes to attachments: upload (and bind or supersede), bind staged
uploads to the target a form just created, delete while not frozen.

Uploads arrive spooled to a temporary file (``FILE_UPLOAD_MAX_MEMORY_SIZE``) and are hashed
and copied to storage in chunks, so memory does not grow with the file's size.
"""

import hashlib
import posixpath
import unicodedata
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from accounts import audit
from core import clock
from core.errors import DomainError, NotPermitted
from supervision.choices import TaskAction
from supervision.files import images, targets
from supervision.files.choices import Purpose
from supervision.files.models import Attachment
from supervision.files.sniff import sniff
from supervision.loop.transitions import record_event

CHUNK = 64 * 1024


def max_size() -> int:
    return settings.FILES_MAX_SIZE_MB * 1024 * 1024


def too_large_message(name: str, size: int | None = None) -> str:
    found = f"大小 {size / 1024 / 1024:.1f} MB，" if size else ""
    return f"文件“{name}”{found}超过单个文件上限 {settings.FILES_MAX_SIZE_MB} MB。"


def clean_name(raw: str, extension: str) -> str:
    """The client's file name made safe to show and to send back: no path, no control or
    format characters, at most 100 characters, and the extension of the detected type."""
    name = posixpath.basename((raw or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem.strip() or "未命名"
    return stem[: 100 - len(extension)] + extension


def _digest(upload) -> str:
    sha = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _log(*, actor, attachment: Attachment, action: str, comment: str, data: dict) -> None:
    if attachment.task_id:
        record_event(task=attachment.task, actor=actor, action=action, comment=comment, data=data)


def _write_target(actor, target_type: str, target_id, *, lock: bool = True):
    target = targets.get(target_type)
    parent = targets.load(target, target_id, lock=lock)
    if not target.can_write(actor, parent):
        raise NotPermitted(f"只有{target.writer_label}可以为该{target.label}上传材料。")
    return target, parent


def _anchor(attachment: Attachment, target: targets.Target, parent) -> None:
    task, project = target.anchor(parent)
    attachment.target_type = target.key
    attachment.target_id = parent.pk
    attachment.task = task
    attachment.project = project if project is not None else getattr(task, "project", None)


def _remove_files(*names: str) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        if name:
            storage.delete(name)


@transaction.atomic
def attachment_upload(
    *,
    actor,
    upload,
    target_type: str = "",
    target_id: int | None = None,
    purpose: str = Purpose.EVIDENCE,
    supersedes: Attachment | int | None = None,
) -> Attachment:
    """Store one uploaded file: on a target the actor may write, in place of an earlier file
    (``supersedes``: the old one is kept and marked, and the change is logged), or staged
    (no target: bound later by ``attachments_bind`` when the form that creates it is sent)."""
    if not actor.is_active or not (actor.is_supervisor or actor.is_owner):
        raise NotPermitted("只有督查办和责任单位可以上传材料。")
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": f"用途须为：{'、'.join(Purpose.values)}。"})
    if upload.size > max_size():
        raise ValidationError({"file": too_large_message(upload.name, upload.size)})
    if upload.size == 0:
        raise ValidationError({"file": f"文件“{upload.name}”是空文件。"})
    old = None
    if supersedes is not None:
        pk = supersedes.pk if isinstance(supersedes, Attachment) else supersedes
        old = Attachment.objects.select_for_update().filter(pk=pk).first()
        if old is None or old.is_staged:
            raise ValidationError({"supersedes": "要替换的材料不存在。"})
        if old.superseded_by_id:
            raise DomainError("该材料已被替换，请替换其最新版本。")
        if target_type and (target_type, target_id) != (old.target_type, old.target_id):
            raise ValidationError({"supersedes": "替换的材料须属于同一对象。"})
        target_type, target_id = old.target_type, old.target_id
    target = parent = None
    if target_type:
        target, parent = _write_target(actor, target_type, target_id)
    elif target_id is not None:
        raise ValidationError({"target_type": "指定了对象编号时须同时指定对象类型。"})
    kind = sniff(upload, name=upload.name, size=upload.size)
    photo = images.read_photo(upload, name=upload.name) if kind.key in ("jpeg", "png") else None
    now = clock.now()
    attachment = Attachment(
        purpose=purpose,
        name=clean_name(upload.name, kind.extension),
        size=upload.size,
        content_type=kind.mime,
        sha256=_digest(upload),
        department=actor.department if actor.is_owner else None,
        created_by=actor,
        created_at=now,
    )
    if photo:
        attachment.taken_at = photo.taken_at
        attachment.latitude, attachment.longitude = photo.latitude, photo.longitude
    if target is not None:
        _anchor(attachment, target, parent)
    key = f"attachments/{now:%Y/%m}/{uuid.uuid4().hex}"
    attachment.file.save(key + kind.extension, upload, save=False)
    try:
        if photo and photo.thumbnail:
            attachment.thumbnail.save(key + ".thumb.jpg", ContentFile(photo.thumbnail), save=False)
        attachment.full_clean(exclude=["file", "thumbnail"])
        attachment.save()
        _after_upload(actor=actor, attachment=attachment, old=old, target=target)
    except BaseException:
        _remove_files(attachment.file.name, attachment.thumbnail.name)
        raise
    return attachment


def _after_upload(*, actor, attachment: Attachment, old: Attachment | None, target) -> None:
    if old is not None:
        before = audit.snapshot(old)
        old.superseded_by = attachment
        old.superseded_at = attachment.created_at
        old.save(update_fields=["superseded_by", "superseded_at"])
        audit.record(
            actor=actor, action="supersede", instance=old, before=before, after=audit.snapshot(old)
        )
        _log(
            actor=actor,
            attachment=attachment,
            action=TaskAction.SUPERSEDE,
            comment=f"{old.name} → {attachment.name}",
            data={"attachment": attachment.pk, "supersedes": old.pk, "sha256": attachment.sha256},
        )
    elif target is not None:
        _log(
            actor=actor,
            attachment=attachment,
            action=TaskAction.ATTACH,
            comment=f"{target.label}：{attachment.name}",
            data={"attachments": [attachment.pk], "target": [target.key, attachment.target_id]},
        )
    audit.record(
        actor=actor, action="create", instance=attachment, after=audit.snapshot(attachment)
    )


@transaction.atomic
def attachments_bind(*, actor, ids, target_type: str, target) -> list[Attachment]:
    """Bind the actor's staged uploads ``ids`` to ``target`` (just created by a form)."""
    ids = sorted({int(pk) for pk in ids or ()})
    if not ids:
        return []
    entry, parent = _write_target(actor, target_type, target.pk)
    rows = list(Attachment.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    usable = [row for row in rows if row.is_staged and row.created_by_id == actor.pk]
    if len(usable) != len(ids):
        missing = sorted(set(ids) - {row.pk for row in usable})
        raise ValidationError({"attachments": f"材料 {missing} 不存在、已使用或不是您上传的。"})
    for row in usable:
        before = audit.snapshot(row)
        _anchor(row, entry, parent)
        row.save(update_fields=["target_type", "target_id", "task", "project"])
        audit.record(
            actor=actor, action="bind", instance=row, before=before, after=audit.snapshot(row)
        )
    _log(
        actor=actor,
        attachment=usable[0],
        action=TaskAction.ATTACH,
        comment=f"{entry.label}：" + "、".join(row.name for row in usable),
        data={"attachments": ids, "target": [entry.key, parent.pk]},
    )
    return usable


def with_attachments(
    call: Callable[[], object], *, actor, ids, target_type: str, target_of=None
) -> object:
    """Run a service that creates a target and bind the staged ``ids`` to it, all in one
    transaction (a refused binding undoes the service's write). ``target_of(result)`` gives
    the target when the service returns something else (e.g. a task for its 申请办结)."""
    with transaction.atomic():
        result = call()
        if ids:
            target = target_of(result) if target_of else result
            attachments_bind(actor=actor, ids=ids, target_type=target_type, target=target)
        return result


def can_delete(user, attachment: Attachment) -> bool:
    if attachment.is_staged:
        return attachment.created_by_id == user.pk
    if attachment.superseded_by_id:
        return False
    target = targets.get(attachment.target_type)
    parent = targets.load(target, attachment.target_id)
    return not target.is_frozen(parent) and target.can_write(user, parent)


@transaction.atomic
def attachment_delete(*, actor, attachment: Attachment) -> None:
    """Delete a staged upload, or a file of a target still being prepared; a file on a
    submitted record is never deleted (supersede it instead)."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if not attachment.is_staged:
        target = targets.get(attachment.target_type)
        parent = targets.load(target, attachment.target_id, lock=True)
        if not target.can_write(actor, parent):
            raise NotPermitted(f"只有{target.writer_label}可以删除该{target.label}的材料。")
        if target.is_frozen(parent) or attachment.superseded_by_id:
            raise DomainError(f"该{target.label}已提交，材料不能删除，只能替换。")
    elif attachment.created_by_id != actor.pk:
        raise NotPermitted("只能删除自己上传的材料。")
    audit.record(
        actor=actor, action="delete", instance=attachment, before=audit.snapshot(attachment)
    )
    names = (attachment.file.name, attachment.thumbnail.name)
    attachment.delete()
    transaction.on_commit(lambda: _remove_files(*names))


# --- 申请办结 and the kinds' evidence policy ------------------------------------------------

# Rules "this task's 申请办结 needs at least one file" (the kinds' SourcePolicy registers one).
_EVIDENCE_RULES: list[Callable[[object], bool]] = []


def require_evidence_when(rule: Callable[[object], bool]) -> None:
    """Register ``rule(task) -> bool``: True when 申请办结 of ``task`` needs a file."""
    if rule not in _EVIDENCE_RULES:
        _EVIDENCE_RULES.append(rule)


def evidence_required(task) -> bool:
    return any(rule(task) for rule in _EVIDENCE_RULES)


def task_submit_with_evidence(*, task, actor, summary: str = "", attachments=()):
    """申请办结 with its files: the transition, then the staged files bound to this round's
    submit event, refused as a whole when the task's policy needs a file and none came."""
    from supervision.loop import transitions
    from supervision.loop.models import TaskEvent

    with transaction.atomic():
        task = transitions.task_submit(task=task, actor=actor, summary=summary)
        event = (
            TaskEvent.objects.filter(task=task, action=TaskAction.SUBMIT).order_by("-pk").first()
        )
        bound = attachments_bind(
            actor=actor, ids=attachments, target_type="submission", target=event
        )
        if not bound and evidence_required(task):
            raise ValidationError({"attachments": "该类事项申请办结须上传至少一份佐证材料。"})
        return task


STAGED_HOURS = 24


def staged_purge(*, now=None) -> int:
    """Delete uploads never bound to a target within ``STAGED_HOURS`` (an abandoned form)."""
    import datetime as dt

    cutoff = (now or clock.now()) - dt.timedelta(hours=STAGED_HOURS)
    purged = 0
    for attachment in Attachment.objects.filter(target_type="", created_at__lt=cutoff):
        with transaction.atomic():
            row = (
                Attachment.objects.select_for_update(skip_locked=True)
                .filter(pk=attachment.pk, target_type="")
                .first()
            )
            if row is None:
                continue
            names = (row.file.name, row.thumbnail.name)
            row.delete()
            transaction.on_commit(lambda names=names: _remove_files(*names))
            purged += 1
    return purged
