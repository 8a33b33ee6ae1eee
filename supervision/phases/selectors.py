"""Reads of nodes (the node list with its derived ``is_overdue``)."""

import datetime as dt

from django.db.models import BooleanField, Case, Q, Value, When

from core import clock
from supervision.choices import NodeStatus
from supervision.phases.models import Node


def node_list(*, today: dt.date | None = None):
    """Nodes with ``is_overdue`` (approved, not done, due date passed) from the database."""
    today = today or clock.today()
    return Node.objects.select_related("task").annotate(
        is_overdue=Case(
            When(Q(status=NodeStatus.APPROVED, due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
