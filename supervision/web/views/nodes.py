"""Nodes on a task's page: the timeline with each node's light, the 序时 curve against the
reported values, and the node actions for the roles that have them (the lead unit proposes
its 分解计划 and completes nodes; the office sets nodes, edits or deletes one not done — a
proposed one before approving the plan — and approves the plan). Every write goes through
``supervision.phases.nodes``, which logs it as a ``TaskEvent``."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from supervision.choices import Comparison, NodeStatus
from supervision.files.services import with_attachments
from supervision.loop.models import EscalationPolicy
from supervision.loop.progress import node_light
from supervision.phases import nodes as services
from supervision.web import charts, node_forms
from supervision.web.views.common import Action, Refusal, attempt

NODE_ACTIONS = {
    a.key: a
    for a in [
        Action("propose", "提出分解计划（节点）", node_forms.NodeForm, "primary"),
        Action("set", "设定节点", node_forms.NodeForm),
        Action("approve", "审定分解计划", node_forms.NodeApproveForm, "primary"),
        Action("complete", "登记节点完成", node_forms.NodeCompleteForm, "primary"),
    ]
}
# On one node of the timeline (the office, a node not done).
NODE_ITEM_ACTIONS = {
    a.key: a
    for a in [
        Action("edit", "修改", node_forms.NodeEditForm),
        Action("delete", "删除", node_forms.NodeDeleteForm, "danger"),
    ]
}
FIELD_LABELS = {
    "title": "名称",
    "due_date": "计划完成日期",
    "target_value": "累计目标值",
    "target_text": "阶段目标",
}


def node_actions(task, user, nodes) -> list[str]:
    """The node buttons ``user`` gets on ``task`` (the services' own predicates)."""
    keys = []
    if services.can_propose_nodes(user, task):
        keys.append("propose")
    if services.can_set_nodes(user, task):
        keys.append("set")
        if any(node.status == NodeStatus.PROPOSED for node in nodes):
            keys.append("approve")
    if any(services.can_complete_node(user, node) for node in nodes):
        keys.append("complete")
    return keys


def _form(key: str, nodes, data=None):
    kwargs = {"prefix": f"node-{key}"}
    if key == "complete":
        kwargs["nodes"] = [n for n in nodes if n.status == NodeStatus.APPROVED]
    return NODE_ACTIONS[key].form(data, **kwargs)


def _chart(task, nodes, reports, today: dt.date):
    if task.target_value is None or task.target_comparison != Comparison.AT_LEAST:
        return None
    values = [(r.created_at.date(), r.value) for r in reports if r.value is not None]
    values += [(n.completed_on, n.value) for n in nodes if n.value is not None]
    return charts.schedule_chart(
        start=dt.date(task.deadline.year, 1, 1),
        end=task.deadline,
        target=task.target_value,
        nodes=[
            (n.due_date, n.target_value)
            for n in nodes
            if n.target_value is not None and n.status != NodeStatus.PROPOSED
        ],
        values=sorted(values),
        today=today,
    )


def nodes_context(task, user, today: dt.date, reports=(), bound=None) -> dict:
    """What the task page's node section shows; ``bound`` = (key, form) with its errors."""
    nodes = list(task.nodes.select_related("completed_by").order_by("sequence"))
    policy = EscalationPolicy.current()
    for node in nodes:
        node.light = node_light(node, today, policy)
        node.late = bool(node.completed_on and node.completed_on > node.due_date)
    # The lead unit edits or withdraws (撤回) the nodes it proposed, before the office approves.
    proposer = not services.can_set_nodes(user, task)
    for node in nodes:
        node.forms = []
        if not services.can_edit_node(user, node):
            continue
        for key, action in NODE_ITEM_ACTIONS.items():
            prefix = _item_prefix(key, node.pk)
            if bound and bound[0] == prefix:
                form, is_bound = bound[1], True
            elif key == "edit":
                form, is_bound = action.form.for_node(node, prefix), False
            else:
                form, is_bound = action.form(prefix=prefix), False
            if proposer:
                form.fields["reason"].label = "撤回理由" if key == "delete" else "修改说明"
                form.fields["reason"].help_text = "记入办理记录"
            node.forms.append({"action": action, "form": form, "open": is_bound})
    panels = []
    for key in node_actions(task, user, nodes):
        is_bound = bool(bound and bound[0] == key)
        form = bound[1] if is_bound else _form(key, nodes)
        panels.append({"action": NODE_ACTIONS[key], "form": form, "open": is_bound})
    return {
        "nodes": nodes,
        "panels": panels,
        "chart": _chart(task, nodes, reports, today),
        "proposed": sum(node.status == NodeStatus.PROPOSED for node in nodes),
        "proposer": proposer,
    }


def _perform(key: str, task, user, data: dict):
    if key in ("propose", "set"):
        return services.node_create(actor=user, task=task, **data)
    if key == "approve":
        return services.nodes_approve(actor=user, task=task, comment=data["comment"])
    if key == "complete":
        data = dict(data)
        ids = data.pop("attachments", [])
        node = task.nodes.filter(pk=data.pop("node")).first()
        if node is None:
            raise Http404("节点不存在。")
        return with_attachments(
            lambda: services.node_complete(actor=user, node=node, **data),
            actor=user,
            ids=ids,
            target_type="node",
        )
    raise Http404


def _success(key: str, result) -> str:
    if key == "propose":
        return f"已提出节点“{result.title}”，等待督查办审定。"
    if key == "set":
        return f"已设定节点“{result.title}”（{result.due_date:%Y-%m-%d}）。"
    if key == "approve":
        return f"已审定分解计划（{len(result)} 个节点），已通知牵头单位。"
    late = "（逾期完成）" if result.completed_on > result.due_date else ""
    return f"已登记节点“{result.title}”于 {result.completed_on:%Y-%m-%d} 完成{late}。"


def _item_prefix(key: str, node_pk: int) -> str:
    return f"node-{key}-{node_pk}"


def _plain(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def _edit_message(node, before: dict) -> str:
    changes = [
        f"{label} {_plain(before[name])} → {_plain(getattr(node, name))}"
        for name, label in FIELD_LABELS.items()
        if before[name] != getattr(node, name)
    ]
    if not changes:
        return f"节点“{node.title}”没有改动。"
    return f"已修改节点“{node.title}”：{'；'.join(changes)}。已记入办理记录并通知牵头单位。"


@login_required
@require_POST
def task_node_item_action(request, pk: int, node_pk: int, action: str):
    """修改 / 删除 one node (the office; ``node_update`` / ``node_delete``), or 修改 / 撤回 a
    node the lead unit proposed, before the office approves it (the same services)."""
    from supervision.web.views.tasks import _load_task, _task_page

    if action not in NODE_ITEM_ACTIONS:
        raise Http404("没有这个操作。")
    task = _load_task(pk)
    node = task.nodes.filter(pk=node_pk).first()
    if node is None:
        raise Http404("节点不存在。")
    prefix = _item_prefix(action, node.pk)
    form = NODE_ITEM_ACTIONS[action].form(request.POST, prefix=prefix)
    if not services.can_edit_node(request.user, node):
        refusal = Refusal(403, f"您当前不能{NODE_ITEM_ACTIONS[action].label}该节点。")
        return _task_page(request, task, refusal=refusal, status=refusal.status)
    if form.is_valid():
        data = dict(form.cleaned_data)
        before = {name: getattr(node, name) for name in FIELD_LABELS}
        service = services.node_update if action == "edit" else services.node_delete
        result, refusal = attempt(lambda: service(actor=request.user, node=node, **data), form=form)
        if refusal is None:
            if not services.can_set_nodes(request.user, task):  # the lead unit, its proposal
                what = "修改待审定节点" if action == "edit" else "撤回节点"
                messages.success(
                    request,
                    f"已{what}“{before['title']}”（计划 {before['due_date']:%Y-%m-%d}）。"
                    "已记入办理记录。",
                )
            elif action == "edit":
                messages.success(request, _edit_message(result, before))
            else:
                messages.success(
                    request,
                    f"已删除节点“{before['title']}”（计划 {before['due_date']:%Y-%m-%d}）。"
                    "已记入办理记录并通知牵头单位。",
                )
            return redirect("web:task-detail", pk=task.pk)
        if refusal.status != 400:
            return _task_page(request, _load_task(pk), refusal=refusal, status=refusal.status)
    return _task_page(request, task, node_bound=(prefix, form), status=400)


@login_required
@require_POST
def task_node_action(request, pk: int, action: str):
    from supervision.web.views.tasks import _load_task, _task_page

    if action not in NODE_ACTIONS:
        raise Http404("没有这个操作。")
    task = _load_task(pk)
    nodes = list(task.nodes.order_by("sequence"))
    form = _form(action, nodes, request.POST)
    if action not in node_actions(task, request.user, nodes):
        refusal = Refusal(403, f"您当前不能对该事项执行“{NODE_ACTIONS[action].label}”。")
        return _task_page(request, task, refusal=refusal, status=refusal.status)
    if form.is_valid():
        result, refusal = attempt(
            lambda: _perform(action, task, request.user, form.cleaned_data), form=form
        )
        if refusal is None:
            messages.success(request, _success(action, result))
            return redirect("web:task-detail", pk=task.pk)
        if refusal.status != 400:
            return _task_page(request, _load_task(pk), refusal=refusal, status=refusal.status)
    return _task_page(request, task, node_bound=(action, form), status=400)
