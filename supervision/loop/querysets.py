import datetime as dt

from django.db import models

from supervision.choices import OPEN_STATUSES


def light_thresholds(today: dt.date, warning_days: int) -> tuple[dt.date, dt.date]:
    """Deadline boundaries for the task light on ``today`` (DESIGN.md's counting rules).

    Returns ``(last_workday, warn_before)``:
    - red (at least one working day overdue) ⇔ ``deadline < last_workday``, the last working
      day on or before today;
    - yellow (due today, within ``warning_days`` working days, or passed with no working day
      since) ⇔ ``last_workday <= deadline < warn_before``;
    - green otherwise.
    """
    from supervision.loop.workdays import add_workdays, is_workday

    last_workday = today if is_workday(today) else add_workdays(today, -1)
    warn_before = add_workdays(today, warning_days + 1)
    return last_workday, warn_before


class TaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def with_light(self, today: dt.date, policy=None):
        """Annotate ``light``, ``is_overdue``, ``first_due``, ``schedule_target`` (序时目标),
        ``current_value`` and ``lag`` (``supervision.loop.progress``) for ``policy`` (an
        ``EscalationPolicy``; default the active one)."""
        from supervision.loop.models import EscalationPolicy
        from supervision.loop.progress import progress_annotations

        queryset = self
        for step in progress_annotations(today, policy or EscalationPolicy.current()):
            queryset = queryset.annotate(**step)
        return queryset
