"""Nodes (节点, DESIGN.md "Phased targets"): the lead unit proposes its 分解计划 after 签收, the
office approves or edits it (or sets nodes itself at any time), the lead unit completes them.

Every write locks the task, checks the actor, writes the node, its ``TaskEvent`` (which
notifies through ``reminders.notify.AUDIENCES``) and an ``AuditRecord`` in one transaction;
``node.completed`` goes to webhooks on commit (``core.events``).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from accounts import audit
from accounts.models import User
from core import clock, events
from supervision.choices import NodeStatus, TaskAction, TaskStatus
from supervision.files.models import Attachment
from supervision.loop.models import Task
from supervision.loop.transitions import (
    ActorNotAllowed,
    TransitionNotAllowed,
    is_lead_owner,
    is_supervisor,
    lock_task,
    record_event,
)
from supervision.phases.models import Node
from supervision.reminders.notify import Audience
from supervision.reminders.scan import scan_lock

NODE_EDITABLE = ("sequence", "title", "due_date", "target_value", "target_text")


# --- who may act (the cockpit asks the same predicates) -----------------------------------


def can_set_nodes(user: User, task: Task) -> bool:
    """The office sets, edits, approves and deletes nodes of any open task."""
    return is_supervisor(user) and task.is_open


def can_propose_nodes(user: User, task: Task) -> bool:
    """The lead unit proposes its 分解计划 once it has signed for the task (签收)."""
    return is_lead_owner(user, task) and task.status == TaskStatus.IN_PROGRESS


def can_edit_node(user: User, node: Node) -> bool:
    """The office edits or deletes a node not done yet (a proposed one before approving it);
    the lead unit edits or withdraws (撤回) a node it proposed until the office approves it."""
    if node.status == NodeStatus.DONE:
        return False
    if can_set_nodes(user, node.task):
        return True
    return node.status == NodeStatus.PROPOSED and can_propose_nodes(user, node.task)


def can_complete_node(user: User, node: Node) -> bool:
    return (
        is_lead_owner(user, node.task)
        and node.task.status == TaskStatus.IN_PROGRESS
        and node.status == NodeStatus.APPROVED
    )


# --- helpers -----------------------------------------------------------------------------


def _json(value):
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _check(node: Node, task: Task) -> None:
    """Rules beyond the model's constraints, as field errors."""
    if node.target_value is not None and node.target_value < 0:
        raise ValidationError({"target_value": "累计目标值不能为负数。"})
    if node.due_date and task.deadline and node.due_date > task.deadline:
        raise ValidationError(
            {"due_date": f"节点计划完成日期不能晚于事项办理时限 {task.deadline}。"}
        )
    node.title = (node.title or "").strip()
    node.target_text = (node.target_text or "").strip()
    if node.target_value is None and not node.target_text:
        raise ValidationError(
            {"target_value": "请填写累计目标值（量化节点）或阶段目标（阶段性工作）。"}
        )
    node.full_clean()


def _lock_node(node: Node | int) -> tuple[Task, Node]:
    pk = node.pk if isinstance(node, Node) else node
    task = lock_task(Node.objects.values_list("task_id", flat=True).get(pk=pk))
    return task, Node.objects.select_for_update().get(pk=pk)


def _lock_for_change(node: Node | int, actor: User, what: str) -> tuple[Task, Node]:
    """Lock a node about to be edited or deleted: by the office, a node not done of an open
    task; by the lead unit, a node it proposed that the office has not approved yet (the
    task in progress)."""
    task, node = _lock_node(node)
    if not is_supervisor(actor):
        if not is_lead_owner(actor, task):
            raise ActorNotAllowed(f"只有督查办或提出该节点的牵头单位可以{what}节点。")
        if node.status != NodeStatus.PROPOSED:
            raise ActorNotAllowed(
                f"该节点已经督查办审定，牵头单位不能再{what}，如需调整请联系督查办。"
            )
        if task.status != TaskStatus.IN_PROGRESS:
            raise TransitionNotAllowed(
                f"事项当前状态为“{task.get_status_display()}”，不能{what}节点。"
            )
        return task, node
    if not task.is_open:
        raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能{what}节点。")
    if node.status == NodeStatus.DONE:
        raise TransitionNotAllowed(f"该节点已于 {node.completed_on} 完成，不能{what}。")
    return task, node


def _describe(node: Node) -> str:
    target = (
        f"累计目标 {node.target_value.normalize():f}"
        if node.target_value is not None
        else node.target_text
    )
    return f"节点{node.sequence}“{node.title}”（{node.due_date}，{target}）"


# --- services ----------------------------------------------------------------------------


@transaction.atomic
def node_create(
    *,
    actor: User,
    task: Task | int,
    title: str,
    due_date: dt.date,
    target_value: Decimal | None = None,
    target_text: str = "",
    sequence: int | None = None,
) -> Node:
    """A node set by the office (approved at once) or proposed by the lead unit after 签收."""
    task = lock_task(task)
    if is_supervisor(actor):
        if not task.is_open:
            raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能设定节点。")
        status, action = NodeStatus.APPROVED, TaskAction.NODE_SET
    elif is_lead_owner(actor, task):
        if task.status != TaskStatus.IN_PROGRESS:
            raise TransitionNotAllowed(
                f"事项当前状态为“{task.get_status_display()}”，签收后方可提出分解计划。"
            )
        status, action = NodeStatus.PROPOSED, TaskAction.NODES_PROPOSE
    else:
        raise ActorNotAllowed("只有督查办或签收后的牵头单位可以设定节点。")
    if sequence is None:
        sequence = (task.nodes.aggregate(last=Max("sequence"))["last"] or 0) + 1
    node = Node(
        task=task,
        sequence=sequence,
        title=title,
        due_date=due_date,
        target_value=target_value,
        target_text=target_text or "",
        status=status,
    )
    _check(node, task)
    node.save()
    record_event(
        task=task, actor=actor, action=action, comment=_describe(node), data={"node": node.pk}
    )
    audit.record(actor=actor, action="create", instance=node, after=audit.snapshot(node))
    return node


@transaction.atomic
def nodes_approve(*, actor: User, task: Task | int, nodes=None, comment: str = "") -> list[Node]:
    """审定分解计划: the office approves the proposed nodes (all, or the ids in ``nodes``)."""
    task = lock_task(task)
    if not is_supervisor(actor):
        raise ActorNotAllowed("只有督查办可以审定分解计划。")
    if not task.is_open:
        raise TransitionNotAllowed(f"事项已{task.get_status_display()}，不能审定分解计划。")
    rows = task.nodes.select_for_update().filter(status=NodeStatus.PROPOSED).order_by("sequence")
    if nodes is not None:
        wanted = {n.pk if isinstance(n, Node) else int(n) for n in nodes}
        rows = rows.filter(pk__in=wanted)
        if rows.count() != len(wanted):
            raise ValidationError({"nodes": "所选节点不存在、不属于该事项或已审定。"})
    rows = list(rows)
    if not rows:
        raise TransitionNotAllowed("该事项没有待审定的节点。")
    for node in rows:
        before = audit.snapshot(node)
        node.status = NodeStatus.APPROVED
        node.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor, action="approve", instance=node, before=before, after=audit.snapshot(node)
        )
    text = "；".join(_describe(node) for node in rows)
    comment = (comment or "").strip()
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.NODES_APPROVE,
        comment=f"{comment}。{text}" if comment else text,
        data={"nodes": [node.pk for node in rows]},
    )
    return rows


def _told(actor: User):
    """Who hears of a node edited or deleted: the lead unit when the office did it (the
    action's default audience), the office when the lead unit changed its own proposal."""
    return None if actor.is_supervisor else [Audience.OFFICE]


@transaction.atomic
def node_update(*, actor: User, node: Node | int, reason: str = "", **fields) -> Node:
    """The office edits a node that is not done yet (a proposed one stays proposed); the lead
    unit one it proposed, before the office approves it."""
    unknown = set(fields) - set(NODE_EDITABLE)
    if unknown:
        raise ValueError(f"unknown node fields: {sorted(unknown)}")
    task, node = _lock_for_change(node, actor, "修改")
    before = audit.snapshot(node)
    changes = {}
    for name, value in fields.items():
        if name == "target_text":
            value = value or ""
        old = getattr(node, name)
        if old != value:
            changes[name] = [_json(old), _json(value)]
            setattr(node, name, value)
    if not changes:
        return node
    _check(node, task)
    node.save()
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.NODE_EDIT,
        comment=(reason or "").strip() or _describe(node),
        data={"node": node.pk, "changes": changes},
        notify=_told(actor),
    )
    audit.record(
        actor=actor, action="update", instance=node, before=before, after=audit.snapshot(node)
    )
    return node


@transaction.atomic
def node_delete(*, actor: User, node: Node | int, reason: str = "") -> None:
    """The office removes a node that is not done and was never chased by the ladder; the
    lead unit withdraws (撤回) one it proposed, before the office approves it."""
    task, node = _lock_for_change(node, actor, "删除")
    scan_lock()  # a running scan may be writing this node's first reminder
    if node.reminders.exists():
        raise TransitionNotAllowed("该节点已有督办提醒记录，不能删除，可修改其日期或目标。")
    if Attachment.objects.filter(target_type="node", target_id=node.pk).exists():
        raise TransitionNotAllowed("该节点已有佐证材料，不能删除。")
    audit.record(actor=actor, action="delete", instance=node, before=audit.snapshot(node))
    text = _describe(node)
    pk = node.pk
    node.delete()
    record_event(
        task=task,
        actor=actor,
        action=TaskAction.NODE_DELETE,
        comment=(reason or "").strip() or text,
        data={"node": pk},
        notify=_told(actor),
    )


@transaction.atomic
def node_complete(
    *,
    actor: User,
    node: Node | int,
    completed_on: dt.date,
    value: Decimal | None = None,
    note: str = "",
) -> Node:
    """完成节点: the lead unit records the date, the cumulative value reached and a note.

    A task not linked to an indicator takes the value as its latest value when it is not
    below the one it has (values are cumulative); a linked task reads the indicator's.
    """
    task, node = _lock_node(node)
    if not is_lead_owner(actor, task):
        raise ActorNotAllowed("只有牵头单位可以登记节点完成情况。")
    if task.status != TaskStatus.IN_PROGRESS:
        raise TransitionNotAllowed(
            f"事项当前状态为“{task.get_status_display()}”，不能登记节点完成情况。"
        )
    if node.status == NodeStatus.DONE:
        raise TransitionNotAllowed(f"该节点已于 {node.completed_on} 完成。")
    if node.status != NodeStatus.APPROVED:
        raise TransitionNotAllowed("该节点尚未经督查办审定，不能登记完成。")
    if completed_on > clock.today():
        raise ValidationError({"completed_on": "完成日期不能晚于今天。"})
    if node.target_value is not None and value is None:
        raise ValidationError({"value": "该节点有累计目标值，请填写累计完成值。"})
    if value is not None and value < 0:
        raise ValidationError({"value": "累计完成值不能为负数。"})
    before = audit.snapshot(node)
    node.status = NodeStatus.DONE
    node.completed_on = completed_on
    node.value = value
    node.note = (note or "").strip()
    node.completed_by = actor
    node.full_clean()
    node.save()
    data = {
        "node": node.pk,
        "completed_on": str(completed_on),
        "late": completed_on > node.due_date,
    }
    if value is not None:
        data["value"] = str(value)
        if task.indicator_id is None and (task.latest_value is None or value >= task.latest_value):
            data["latest_value"] = [_json(task.latest_value), str(value)]
            task.latest_value = value
            task.save(update_fields=["latest_value", "updated_at"])
    comment = _describe(node) + (f"：{node.note}" if node.note else "")
    record_event(
        task=task, actor=actor, action=TaskAction.NODE_COMPLETE, comment=comment, data=data
    )
    audit.record(
        actor=actor, action="complete", instance=node, before=before, after=audit.snapshot(node)
    )
    events.publish("node.completed", node_payload(node, actor))
    return node


def node_payload(node: Node, actor: User | None) -> dict:
    return {
        "id": node.pk,
        "task": node.task_id,
        "code": node.task.code,
        "sequence": node.sequence,
        "title": node.title,
        "due_date": node.due_date.isoformat(),
        "completed_on": node.completed_on.isoformat() if node.completed_on else None,
        "target_value": _json(node.target_value),
        "target_text": node.target_text,
        "value": _json(node.value),
        "note": node.note,
        "actor": actor.pk if actor else None,
    }
