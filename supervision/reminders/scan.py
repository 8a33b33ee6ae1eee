"""The deadline scan (DESIGN.md, "Reminders: the escalation ladder").

One set-based pass: for each kind of subject and each rung, one ``INSERT … SELECT`` writes the
reminders of every subject that has reached that rung and does not have it yet. The rungs
are date ranges on the deadline, derived from the working-day calendar once per scan, so
the number of queries never grows with the number of tasks. A unique key per
(kind, rung, subject, deadline) with ``ON CONFLICT DO NOTHING`` makes reruns, two beats and
races harmless. Delivery is enqueued after commit.
"""

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q

from config.celery import enqueue
from core import clock
from projects.models import Milestone
from supervision import cache
from supervision.choices import NodeStatus, ReminderKind, ReminderLevel, TaskStatus
from supervision.loop.models import EscalationPolicy, Task
from supervision.loop.reporting import (
    REPORT_FREQUENCIES,
    period_bounds,
    report_deadline,
    report_owed,
)
from supervision.loop.workdays import add_workdays, is_workday, next_workday_at, workdays_between
from supervision.phases.models import Node
from supervision.reminders.models import Reminder

logger = logging.getLogger(__name__)
ONE_DAY = dt.timedelta(days=1)
ANALYZE_AFTER = 5000  # reminders written by one scan before the table's statistics are refreshed

# Tasks whose deadline the lead department is answerable for (a submitted task waits on us).
DEADLINE_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Ladder:
    """The rungs of the ladder on ``today`` as ranges of deadlines."""

    today: dt.date
    warning_days: int
    escalate_days: int
    notice_days: int

    @classmethod
    def on(cls, today: dt.date, policy: EscalationPolicy) -> "Ladder":
        return cls(today, policy.warning_days, policy.escalate_days, policy.notice_days)

    def rung(self, deadline: dt.date) -> str | None:
        """The highest rung ``deadline`` has reached on ``today`` (the exact counting rules)."""
        if deadline > self.today:
            remaining = workdays_between(self.today, deadline)
            return ReminderLevel.WARNING if remaining <= self.warning_days else None
        if deadline == self.today:
            return ReminderLevel.DUE
        overdue = workdays_between(deadline, self.today)
        if overdue >= self.notice_days:
            return ReminderLevel.NOTICE
        if overdue >= self.escalate_days:
            return ReminderLevel.ESCALATED
        return ReminderLevel.OVERDUE if overdue >= 1 else None

    def _nth_workday_back(self, k: int) -> dt.date:
        """w_k: the k-th working day on or before today (k ≥ 1); overdue ≥ k ⇔ deadline < w_k."""
        last = self.today if is_workday(self.today) else add_workdays(self.today, -1)
        return add_workdays(last, -(k - 1)) if k > 1 else last

    def ranges(self, field: str = "deadline") -> dict[str, Q]:
        """Each rung as a condition on the date ``field`` (each range excludes the others)."""
        w1 = self._nth_workday_back(1)
        w_escalate = self._nth_workday_back(self.escalate_days)
        w_notice = self._nth_workday_back(self.notice_days)
        warn_before = add_workdays(self.today, self.warning_days + 1)
        return {
            ReminderLevel.WARNING: Q(**{f"{field}__gt": self.today, f"{field}__lt": warn_before}),
            ReminderLevel.DUE: Q(**{field: self.today}),
            ReminderLevel.OVERDUE: Q(**{f"{field}__gte": w_escalate, f"{field}__lt": w1}),
            ReminderLevel.ESCALATED: Q(**{f"{field}__gte": w_notice, f"{field}__lt": w_escalate}),
            ReminderLevel.NOTICE: Q(**{f"{field}__lt": w_notice}),
        }


# The reminder kind and the answerable department of each subject with a date of its own.
DATED_SUBJECTS = {
    "task": (ReminderKind.DEADLINE, "lead_department_id"),
    "milestone": (ReminderKind.DEADLINE, "project__lead_department_id"),
    "node": (ReminderKind.NODE, "task__lead_department_id"),
}
SUBJECT_COLUMNS = {
    "task": ("q.sid", "NULL", "NULL"),
    "milestone": ("NULL", "q.sid", "NULL"),
    "node": ("q.tid", "NULL", "q.sid"),
}


def _insert(
    queryset,
    *,
    kind: str,
    level: str,
    subject: str,
    department: str,
    now: dt.datetime,
    deliver_after: dt.datetime,
    deadline_field: str | None = None,
    deadline_sql: str = "q.dl",
    deadline_params: tuple = (),
    extra: dict | None = None,
) -> int:
    """``INSERT INTO reminder … SELECT`` one rung for every subject in ``queryset``.

    The subquery ``q`` yields the subject (``sid``), its department (``dept``) and, from
    ``deadline_field``, its deadline (``dl``); otherwise ``deadline_sql`` computes it.
    Subjects already holding this rung for that deadline are skipped by ``NOT EXISTS``; a
    concurrent twin is stopped by the unique key (``ON CONFLICT DO NOTHING``).
    """
    ops = connection.ops
    reminders = Reminder._meta.db_table
    subject_col = f"{subject}_id"
    # (task_id, milestone_id, node_id): a node's reminder names its task (``q.tid``) too.
    task_expr, milestone_expr, node_expr = SUBJECT_COLUMNS[subject]
    columns = {"sid": F("pk"), "dept": F(department), **(extra or {})}
    if subject == "node":
        columns["tid"] = F("task_id")
    if deadline_field:
        columns["dl"] = F(deadline_field)
    select_sql, select_params = queryset.values(**columns).query.sql_with_params()
    # Identifiers come from model metadata; every value is a bound parameter.
    sql = (
        f"INSERT INTO {reminders} (kind, level, task_id, milestone_id, node_id, department_id,"  # noqa: S608
        f" deadline, created_at, deliver_after, recipients)"
        f" SELECT %s, %s, {task_expr}, {milestone_expr}, {node_expr}, q.dept, {deadline_sql},"
        f" %s, %s, %s"
        f" FROM ({select_sql}) q"
        f" WHERE NOT EXISTS (SELECT 1 FROM {reminders} r WHERE r.{subject_col} = q.sid"
        f" AND r.department_id = q.dept AND r.kind = %s AND r.level = %s AND r.deadline = {deadline_sql})"
        f" ON CONFLICT DO NOTHING"
    )
    params = [
        kind,
        level,
        *deadline_params,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(deliver_after),
        "[]",
        *select_params,
        kind,
        level,
        *deadline_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


@dataclass
class ScanResult:
    now: dt.datetime
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def scan_deadlines(*, now: dt.datetime | None = None) -> ScanResult:
    """Write every reminder due at ``now`` (default: the clock) and enqueue delivery."""
    now = now or clock.now()
    today = clock.localdate(now)
    policy = EscalationPolicy.current()
    ladder = Ladder.on(today, policy)
    deliver_after = next_workday_at(now)
    counts: Counter = Counter()
    common = {"now": now, "deliver_after": deliver_after}

    with transaction.atomic():
        # 1.–3. Dates on the ladder as they are: task deadlines, milestone due dates, and the
        # due dates of approved nodes not done of tasks in the unit's hands.
        dated = (
            (Task.objects.filter(status__in=DEADLINE_STATUSES), "deadline", "task"),
            (
                Milestone.objects.filter(completed_on__isnull=True, project__is_archived=False),
                "due_date",
                "milestone",
            ),
            (
                Node.objects.filter(status=NodeStatus.APPROVED, task__status__in=DEADLINE_STATUSES),
                "due_date",
                "node",
            ),
        )
        for subjects, field, subject in dated:
            kind, department = DATED_SUBJECTS[subject]
            for level, condition in ladder.ranges(field=field).items():
                counts[(kind, level)] += _insert(
                    subjects.filter(condition),
                    kind=kind,
                    level=level,
                    subject=subject,
                    department=department,
                    deadline_field=field,
                    **common,
                )
        # 4. Sign-offs not done within the policy's working days after assignment.
        counts.update(_scan_acceptance(ladder, policy, **common))
        # 5. Periodic progress reports missing for the current (and the last) period.
        counts.update(_scan_reports(ladder, **common))

        if sum(counts.values()):
            transaction.on_commit(lambda: enqueue("supervision.tasks.deliver_reminders"))
    counts = Counter({key: n for key, n in counts.items() if n})
    if counts:
        cache.bump()  # raw inserts fire no signals
    if sum(counts.values()) >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, so the next scan's NOT EXISTS probes use the index instead of a
        # plan made for an empty table (autovacuum would only get to it a minute later).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Reminder._meta.db_table}")
    logger.info("scan_deadlines at %s wrote %s reminders", now.isoformat(), sum(counts.values()))
    return ScanResult(now=now, counts=counts)


def _scan_acceptance(ladder: Ladder, policy: EscalationPolicy, *, now, deliver_after) -> Counter:
    """Sign-off deadlines depend on the day of assignment: one CASE maps each day to its own."""
    ops = connection.ops
    counts: Counter = Counter()
    pending = Task.objects.filter(status=TaskStatus.ASSIGNED, assigned_at__isnull=False)
    days = sorted(
        {
            clock.localdate(assigned_at)
            for assigned_at in pending.order_by().values_list("assigned_at", flat=True).distinct()
        }
    )
    by_rung: dict[str, list[tuple[dt.datetime, dt.datetime, dt.date]]] = {}
    for day in days:
        due = add_workdays(day, policy.acceptance_days)
        level = ladder.rung(due)
        if level is None or level == ReminderLevel.WARNING:
            continue  # a sign-off is chased from its due day on
        start = clock.start_of(day)
        by_rung.setdefault(level, []).append((start, clock.start_of(day + ONE_DAY), due))
    for level, spans in by_rung.items():
        whens, params = [], []
        for start, end, due in spans:
            whens.append("WHEN q.at >= %s AND q.at < %s THEN %s")
            params += [
                ops.adapt_datetimefield_value(start),
                ops.adapt_datetimefield_value(end),
                ops.adapt_datefield_value(due),
            ]
        counts[(ReminderKind.ACCEPTANCE, level)] += _insert(
            pending.filter(assigned_at__gte=spans[0][0], assigned_at__lt=spans[-1][1]),
            kind=ReminderKind.ACCEPTANCE,
            level=level,
            subject="task",
            department="lead_department_id",
            extra={"at": F("assigned_at")},
            deadline_sql=f"(CASE {' '.join(whens)} END)",
            deadline_params=tuple(params),
            now=now,
            deliver_after=deliver_after,
        )
    return counts


def _scan_reports(ladder: Ladder, *, now, deliver_after) -> Counter:
    """Tasks in hand with no progress report in the current or the previous period."""
    counts: Counter = Counter()
    for frequency in REPORT_FREQUENCIES:
        current_start, _ = period_bounds(frequency, ladder.today)
        previous = period_bounds(frequency, current_start - dt.timedelta(days=1))
        for start, end in (previous, period_bounds(frequency, ladder.today)):
            due = report_deadline(end)
            level = ladder.rung(due)
            if level is None:
                continue
            qs = Task.objects.filter(status=TaskStatus.IN_PROGRESS).filter(
                report_owed(frequency, start, end)
            )
            counts[(ReminderKind.REPORT, level)] += _insert(
                qs,
                kind=ReminderKind.REPORT,
                level=level,
                subject="task",
                department="lead_department_id",
                deadline_sql="%s",
                deadline_params=(connection.ops.adapt_datefield_value(due),),
                now=now,
                deliver_after=deliver_after,
            )
    return counts
