"""The target types that exist today: progress reports, 申请办结, extension requests, node
and milestone completion, investment reports, and the kinds' 批示 scans, proposal replies and
problem rectification (``targets`` explains how to add more)."""

from projects.models import InvestmentReport, Milestone
from projects.permissions import is_project_owner
from supervision.choices import ExtensionStatus, NodeStatus, TaskAction, TaskStatus
from supervision.files.services import require_evidence_when
from supervision.files.targets import Target, register
from supervision.kinds.models import InstructionDetail, ProblemDetail, ProposalDetail
from supervision.kinds.policies import policy_for
from supervision.loop.models import ExtensionRequest, ProgressReport, TaskEvent
from supervision.loop.transitions import is_lead_owner, is_supervisor
from supervision.phases.models import Node


def _project_writer(user, project) -> bool:
    return user.is_active and (user.is_supervisor or is_project_owner(user, project))


def _always(obj) -> bool:
    return True


register(
    Target(
        key="progress_report",
        label="进展反馈",
        queryset=lambda: ProgressReport.objects.select_related("task"),
        anchor=lambda report: (report.task, None),
        # The department that reported adds its own evidence, while the task is in hand.
        can_write=lambda user, report: (
            user.is_active
            and user.is_owner
            and user.department_id == report.department_id
            and report.task.status == TaskStatus.IN_PROGRESS
        ),
        is_frozen=_always,
        writer_label="报送该进展的单位（事项办理中）",
    )
)

register(
    Target(
        key="submission",
        label="申请办结",
        # A 申请办结 is its event in the task's log; each round (after a 退回) is its own.
        queryset=lambda: TaskEvent.objects.filter(action=TaskAction.SUBMIT).select_related("task"),
        anchor=lambda event: (event.task, None),
        can_write=lambda user, event: (
            is_lead_owner(user, event.task) and event.task.status == TaskStatus.SUBMITTED
        ),
        is_frozen=_always,
        writer_label="牵头单位（待核验期间）",
    )
)

register(
    Target(
        key="extension",
        label="延期申请",
        queryset=lambda: ExtensionRequest.objects.select_related("task"),
        anchor=lambda extension: (extension.task, None),
        can_write=lambda user, extension: (
            is_lead_owner(user, extension.task) and extension.status == ExtensionStatus.PENDING
        ),
        is_frozen=_always,
        writer_label="牵头单位（待审批期间）",
    )
)

register(
    Target(
        key="node",
        label="节点完成",
        queryset=lambda: Node.objects.select_related("task"),
        anchor=lambda node: (node.task, None),
        # The lead unit evidences its node's completion (API.md: nodes/{id}/complete/).
        can_write=lambda user, node: is_lead_owner(user, node.task) and node.task.is_open,
        is_frozen=lambda node: node.status == NodeStatus.DONE,
        writer_label="牵头单位（事项办理期间）",
    )
)

register(
    Target(
        key="milestone",
        label="项目节点",
        queryset=lambda: Milestone.objects.select_related("project"),
        anchor=lambda milestone: (None, milestone.project),
        can_write=lambda user, milestone: _project_writer(user, milestone.project),
        is_frozen=lambda milestone: milestone.completed_on is not None,
        writer_label="督查办或项目牵头单位",
    )
)

register(
    Target(
        key="investment_report",
        label="投资填报",
        queryset=lambda: InvestmentReport.objects.select_related("project"),
        anchor=lambda report: (None, report.project),
        can_write=lambda user, report: _project_writer(user, report.project),
        is_frozen=_always,
        writer_label="督查办或项目牵头单位",
    )
)


# --- the kinds (supervision.kinds): 批示 scans, proposal replies, problem rectification ------

register(
    Target(
        key="instruction",
        label="批示件",
        # the scan of the leader's 批示 and its incoming document, filed by the office
        queryset=lambda: InstructionDetail.objects.select_related("task"),
        anchor=lambda detail: (detail.task, None),
        can_write=lambda user, detail: is_supervisor(user),
        is_frozen=lambda detail: detail.task.status != TaskStatus.DRAFT,
        writer_label="督查办",
    )
)

register(
    Target(
        key="proposal_reply",
        label="建议提案答复",
        # the reply letter (答复函) the 主办 unit sent the deputy or member
        queryset=lambda: ProposalDetail.objects.select_related("task"),
        anchor=lambda detail: (detail.task, None),
        can_write=lambda user, detail: is_lead_owner(user, detail.task) and detail.task.is_open,
        is_frozen=lambda detail: detail.replied_on is not None,
        writer_label="主办单位（办理期间）",
    )
)

register(
    Target(
        key="problem",
        label="问题整改",
        queryset=lambda: ProblemDetail.objects.select_related("task"),
        anchor=lambda detail: (detail.task, None),
        can_write=lambda user, detail: (
            is_lead_owner(user, detail.task) and detail.task.status == TaskStatus.IN_PROGRESS
        ),
        is_frozen=lambda detail: detail.task.status != TaskStatus.IN_PROGRESS,
        writer_label="牵头单位（整改期间）",
    )
)


# 申请办结 needs a file where the kind's policy says so (SourcePolicy.submit_needs_file, edited
# by the office); ``task_submit_with_evidence`` asks after binding this round's files.
require_evidence_when(lambda task: policy_for(task.source).submit_needs_file)
