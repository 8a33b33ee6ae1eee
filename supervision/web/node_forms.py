"""Cockpit forms for nodes (节点). They only shape input; ``supervision.phases.nodes`` decides."""

from django import forms

from config.api.filters import BoundedDateField
from supervision.web.forms import TEXTAREA, AttachmentsField, CockpitForm


def _date():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _cumulative(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=4,
        help_text=help_text,
    )


class NodeForm(CockpitForm):
    title = forms.CharField(label="节点名称", max_length=200)
    due_date = BoundedDateField(label="计划完成日期", widget=_date())
    target_value = _cumulative("累计目标值", "量化事项填写截至该节点的累计目标")
    target_text = forms.CharField(
        label="阶段目标",
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text="阶段性工作填写应达到的形象进度",
    )


class NodeApproveForm(CockpitForm):
    comment = forms.CharField(label="审定意见", required=False, max_length=2000, widget=TEXTAREA)


class NodeCompleteForm(CockpitForm):
    node = forms.TypedChoiceField(label="节点", coerce=int, choices=())
    completed_on = BoundedDateField(label="实际完成日期", widget=_date())
    value = _cumulative("累计完成值", "有累计目标值的节点必填")
    note = forms.CharField(label="完成情况", required=False, max_length=5000, widget=TEXTAREA)
    attachments = AttachmentsField()

    def __init__(self, *args, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [
            (node.pk, f"{node.sequence}. {node.title}（{node.due_date:%Y-%m-%d}）")
            for node in nodes
        ]


class NodeEditForm(NodeForm):
    """The office's edit of one node (``node_update``), shown with the node's values."""

    reason = forms.CharField(
        label="修改说明",
        required=False,
        max_length=2000,
        widget=TEXTAREA,
        help_text="记入办理记录并通知牵头单位；不填则记录修改后的节点",
    )

    @classmethod
    def for_node(cls, node, prefix: str):
        initial = {name: getattr(node, name) for name in ("title", "target_text")}
        initial["due_date"] = node.due_date
        if node.target_value is not None:
            initial["target_value"] = f"{node.target_value.normalize():f}"
        return cls(prefix=prefix, initial=initial)


class NodeDeleteForm(CockpitForm):
    reason = forms.CharField(label="删除理由", required=False, max_length=2000, widget=TEXTAREA)
