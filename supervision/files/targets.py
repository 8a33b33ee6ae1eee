"""What a file can attach to: an extensible registry of target types.

Each entry says how to load the parent object, which task and/or project it belongs to (its
*anchor*: a file is visible to whoever may see that work), who may add files to it now, and
whether it is *frozen* (submitted: its files cannot be deleted, only superseded). Register a
new target type from your own sub-package and import that module in
``SupervisionConfig.ready()``:

    from supervision.files.targets import Target, register

    register(Target(
        key="problem_rectification",          # the API's target_type
        label="问题整改",
        queryset=lambda: ProblemRectification.objects.select_related("task"),
        anchor=lambda obj: (obj.task, None),   # (task, project); either may be None
        can_write=lambda user, obj: is_lead_owner(user, obj.task) and obj.task.is_open,
        is_frozen=lambda obj: obj.submitted_at is not None,
        writer_label="牵头单位",               # "只有{writer_label}可以上传…"
    ))
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    queryset: Callable[[], QuerySet]
    anchor: Callable[[Model], tuple]
    can_write: Callable[[object, Model], bool]
    is_frozen: Callable[[Model], bool]
    writer_label: str


_REGISTRY: dict[str, Target] = {}


def register(target: Target) -> Target:
    if target.key in _REGISTRY and _REGISTRY[target.key] != target:
        raise ValueError(f"attachment target {target.key!r} is already registered")
    if not target.key or len(target.key) > 32:
        raise ValueError("a target key is 1–32 characters")
    _REGISTRY[target.key] = target
    return target


def get(key: str) -> Target:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ValidationError(
            {"target_type": f"不支持的对象类型“{key}”。可选：{'、'.join(sorted(_REGISTRY))}。"}
        ) from None


def keys() -> list[str]:
    return sorted(_REGISTRY)


def labels() -> dict[str, str]:
    return {key: target.label for key, target in sorted(_REGISTRY.items())}


def load(target: Target, pk, *, lock: bool = False) -> Model:
    """The parent object, or a field error on ``target_id`` when there is none."""
    queryset = target.queryset()
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"target_id": f"{target.label}（{pk}）不存在。"}) from None
