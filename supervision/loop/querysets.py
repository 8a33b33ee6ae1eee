import datetime as dt

from django.db import models
from django.db.models import Case, Q, Value, When

from projects.choices import Light
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

    def with_light(self, today: dt.date, warning_days: int):
        last_workday, warn_before = light_thresholds(today, warning_days)
        is_open = Q(status__in=OPEN_STATUSES)
        return self.annotate(
            light=Case(
                When(is_open & Q(deadline__lt=last_workday), then=Value(Light.RED)),
                When(is_open & Q(deadline__lt=warn_before), then=Value(Light.YELLOW)),
                default=Value(Light.GREEN),
                output_field=models.CharField(),
            )
        )
