"""Reads for the kinds: their details alongside tasks (a constant number of queries)."""

from django.db.models import Prefetch

from supervision.kinds.models import Instruction, ProposalDetail


def with_kinds(queryset):
    """``queryset`` of tasks with every kind detail joined or prefetched (3 extra queries)."""
    return queryset.select_related(
        "instruction", "meeting_item__meeting", "proposal", "problem"
    ).prefetch_related(
        "proposal__assist_departments",
        Prefetch(
            "merged_proposals",
            queryset=ProposalDetail.objects.only("pk", "task_id", "merged_into_id"),
        ),
    )


def task_instructions(task):
    """A task's 批示 (oldest first) with the leader and who entered it."""
    return Instruction.objects.filter(task=task).select_related("leader", "created_by")
