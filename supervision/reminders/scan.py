"""The deadline scan (DESIGN.md, "Reminders: the escalation ladder").

One set-based pass: ``INSERT … SELECT`` statements write the reminder of every subject that
has reached a rung of the ladder and does not have it yet. The rungs
are date ranges on the deadline, derived from the working-day calendar once per scan, and one
statement per kind of subject writes every rung (a CASE picks each subject's), so the number
of queries never grows with the number of tasks. Scans take turns (an advisory lock), each
skips the reminders that exist, and a unique key per (kind, rung, subject, deadline) stands
guard, so reruns, two beats and races are harmless. Delivery is enqueued after commit.
"""

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import TruncDate

from config.celery import enqueue
from core import clock
from projects.models import Milestone
from supervision import cache
from supervision.choices import NodeStatus, ReminderKind, ReminderLevel, TaskStatus
from supervision.loop.models import EscalationPolicy, ProgressReport, Task
from supervision.loop.reporting import (
    REPORT_FREQUENCIES,
    period_bounds,
    report_deadline,
    report_window,
    signed_for_by,
)
from supervision.loop.workdays import add_workdays, is_workday, next_workday_at, workdays_between
from supervision.phases.models import Node
from supervision.reminders.models import Reminder

logger = logging.getLogger(__name__)
ONE_DAY = dt.timedelta(days=1)
ANALYZE_AFTER = 5000  # reminders written by one scan before the table's statistics are refreshed

# One scan at a time (and a node delete waits for it): a transaction-level advisory lock.
SCAN_LOCK_KEY = 0x5CA4_0001


def scan_lock() -> None:
    """Wait for a running scan, and keep the next one waiting, until this transaction ends.

    Two scans in turn see each other's rows (each statement reads committed data afresh), so
    the ``NOT EXISTS`` of the second skips what the first wrote and nothing is written twice.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])


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


def _values(names: tuple[str, ...], rows: list[tuple]) -> tuple[str, list]:
    """A small constant table as one ``VALUES`` list (planned as a single scan, where a
    ``UNION ALL`` of hundreds of one-row SELECTs took longer to plan than to run)."""
    row = f"({', '.join(['%s'] * len(names))})"
    columns = ", ".join(f"column{i} AS {name}" for i, name in enumerate(names, 1))
    sql = f"SELECT {columns} FROM (VALUES {', '.join([row] * len(rows))}) v"  # noqa: S608
    return sql, [value for values in rows for value in values]


def _insert(
    querysets,
    *,
    kind: str,
    level: str | None,
    subject: str,
    department: str,
    now: dt.datetime,
    deliver_after: dt.datetime,
    deadline_field: str | None = None,
    deadline_sql: str = "q.dl",
    deadline_params: tuple = (),
    extra: dict | None = None,
    by_day: list[tuple[dt.date, dt.date, str]] | None = None,
) -> Counter:
    """``INSERT INTO reminder … SELECT`` the rung(s) of every subject in ``querysets`` (one, a
    list read as one ``UNION ALL``, or a raw ``(sql, params)``).

    The subquery ``q`` yields the subject (``sid``), its department (``dept``) and, from
    ``deadline_field``, its deadline (``dl``); otherwise ``deadline_sql`` computes it. With
    ``level=None`` the subquery yields each subject's rung (``lvl``, NULL: none), so one
    statement covers every rung; with ``by_day`` [(day, deadline, rung)] the subquery yields a
    ``day`` and the rung and deadline are those of that day. Subjects already holding their rung for that deadline are
    skipped by ``NOT EXISTS``; scans take turns (``scan_lock``), so on PostgreSQL there is no
    twin for ``ON CONFLICT`` to absorb (it would cost a speculative insertion per row) and the
    unique key only stands guard.
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
    if isinstance(querysets, tuple):  # raw (sql, params) yielding sid, dept, lvl, dl
        branches = [querysets]
    else:
        branches = [
            qs.order_by().values(**columns).query.sql_with_params()
            for qs in (querysets if isinstance(querysets, list) else [querysets])
        ]
    select_sql = " UNION ALL ".join(sql for sql, _ in branches)
    select_params = [param for _, params in branches for param in params]
    if by_day:
        # Each subject's rung and deadline follow from its ``day``: a join to a small table
        # of days (a CASE of hundreds of days would be evaluated several times per row).
        days_sql, days_params = _values(
            ("day", "dl", "lvl"),
            [
                (ops.adapt_datefield_value(day), ops.adapt_datefield_value(due), rung)
                for day, due, rung in by_day
            ],
        )
        select_sql = (
            f"SELECT p.sid, p.dept, d.lvl, d.dl FROM ({select_sql}) p"  # noqa: S608
            f" INNER JOIN ({days_sql}) d ON p.day = d.day"
        )
        select_params += days_params
    level_sql, level_params = ("%s", [level]) if level else ("q.lvl", [])
    # The probe names the predicate of the task's partial unique key (a reminder of a kind
    # other than ``node`` has no node), so it can walk that index.
    unique_key = " AND r.node_id IS NULL" if subject == "task" else ""
    # Identifiers come from model metadata; every value is a bound parameter.
    sql = (
        f"INSERT INTO {reminders} (kind, level, task_id, milestone_id, node_id, department_id,"  # noqa: S608
        f" deadline, created_at, deliver_after, recipients)"
        f" SELECT %s, {level_sql}, {task_expr}, {milestone_expr}, {node_expr}, q.dept,"
        f" {deadline_sql}, %s, %s, %s"
        f" FROM ({select_sql}) q"
        f" WHERE {'TRUE' if level else 'q.lvl IS NOT NULL'} AND NOT EXISTS (SELECT 1"
        f" FROM {reminders} r WHERE r.{subject_col} = q.sid AND r.department_id = q.dept"
        f" AND r.kind = %s AND r.level = {level_sql} AND r.deadline = {deadline_sql}{unique_key})"
    )
    params = [
        kind,
        *level_params,
        *deadline_params,
        ops.adapt_datetimefield_value(now),
        ops.adapt_datetimefield_value(deliver_after),
        "[]",
        *select_params,
        kind,
        *level_params,
        *deadline_params,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Count the rows written by rung in the database (never ship them to Python).
            cursor.execute(
                f"WITH w AS ({sql} RETURNING level) SELECT level, count(*) FROM w GROUP BY level",  # noqa: S608
                params,
            )
            return Counter({(kind, written): n for written, n in cursor.fetchall()})
        # SQLite has no advisory lock: the unique key absorbs a twin. Small data: count here.
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING RETURNING level", params)
        return Counter((kind, written) for (written,) in cursor.fetchall())


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
        scan_lock()
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
            ranges = ladder.ranges(field=field)
            # One statement for every rung: the rung is a CASE over the date's ranges.
            rung = Case(*(When(q, then=Value(level)) for level, q in ranges.items()))
            written = _insert(
                subjects.filter(reduce(or_, ranges.values())),
                kind=kind,
                level=None,
                subject=subject,
                department=department,
                deadline_field=field,
                extra={"lvl": rung},
                **common,
            )
            counts.update(written)
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
    """Sign-off deadlines depend on the day of assignment: one statement joins each task to
    its day's due date and rung."""
    pending = Task.objects.filter(status=TaskStatus.ASSIGNED, assigned_at__isnull=False)
    # The calendar days of assignment (local time), computed in the database: a few hundred
    # rows however many tasks wait.
    days = sorted(
        pending.order_by()
        .annotate(day=TruncDate("assigned_at"))
        .values_list("day", flat=True)
        .distinct()
    )
    by_day = []
    for day in days:
        due = add_workdays(day, policy.acceptance_days)
        level = ladder.rung(due)
        if level is None or level == ReminderLevel.WARNING:
            continue  # a sign-off is chased from its due day on
        by_day.append((day, due, level))
    if not by_day:
        return Counter()
    return _insert(
        pending.filter(
            assigned_at__gte=clock.start_of(by_day[0][0]),
            assigned_at__lt=clock.start_of(by_day[-1][0] + ONE_DAY),
        ),
        kind=ReminderKind.ACCEPTANCE,
        level=None,
        subject="task",
        department="lead_department_id",
        extra={"day": TruncDate("assigned_at")},
        by_day=by_day,
        now=now,
        deliver_after=deliver_after,
    )


def _scan_reports(ladder: Ladder, *, now, deliver_after) -> Counter:
    """Tasks in hand with no progress report in the current or the previous period.

    Every (frequency, period) owed is a row of a small table of periods, with its due date
    and rung; one pass over the tasks in progress joins each to its frequency's periods
    (``bound_to_report``) and keeps those without a report in the period's window
    (``reported_within``): one anti-join to the reports made since the earliest period
    began, instead of one scan of the tasks and one anti-join per period.
    """
    ops = connection.ops
    periods = []
    for frequency in REPORT_FREQUENCIES:
        current_start, _ = period_bounds(frequency, ladder.today)
        previous = period_bounds(frequency, current_start - dt.timedelta(days=1))
        for start, end in (previous, period_bounds(frequency, ladder.today)):
            due = report_deadline(end)
            level = ladder.rung(due)
            if level is None:
                continue
            since, until = report_window(start, end)
            periods.append((frequency, signed_for_by(end), since, until, due, level))
    if not periods:
        return Counter()
    earliest = min(since for _, _, since, _, _, _ in periods)
    periods_sql, params = _values(
        ("freq", "signed", "since", "until", "dl", "lvl"),
        [
            (
                frequency,
                ops.adapt_datetimefield_value(signed),
                ops.adapt_datetimefield_value(since),
                ops.adapt_datetimefield_value(until),
                ops.adapt_datefield_value(due),
                level,
            )
            for frequency, signed, since, until, due, level in periods
        ],
    )
    tasks, reports = Task._meta.db_table, ProgressReport._meta.db_table
    # Identifiers come from model metadata; every value is a bound parameter. The tasks are
    # read off ``task_reporting_idx`` (in progress, by frequency and signing time).
    sql = (
        f"SELECT t.id AS sid, t.lead_department_id AS dept, p.lvl, p.dl FROM {tasks} t"  # noqa: S608
        f" INNER JOIN ({periods_sql}) p ON t.report_frequency = p.freq AND t.accepted_at < p.signed"
        f" WHERE t.status = %s AND NOT EXISTS (SELECT 1 FROM {reports} r"
        f" WHERE r.task_id = t.id AND r.created_at >= %s"
        f" AND r.created_at >= p.since AND r.created_at < p.until)"
    )
    params += [TaskStatus.IN_PROGRESS, ops.adapt_datetimefield_value(earliest)]
    return _insert(
        (sql, params),
        kind=ReminderKind.REPORT,
        level=None,
        subject="task",
        department="lead_department_id",
        now=now,
        deliver_after=deliver_after,
    )
