"""The 督办通知书 the ladder issues (issue 16 item 5): a task whose deadline reaches the 督办
rung gets one through the documents service, from the system user, once per task and
deadline — not again at 通报, on a rerun, or from a racing worker."""

import datetime as dt
import threading

import pytest
from django.db import connection

from core import clock
from supervision.files.documents.ladder import issue_duban_notices
from supervision.models import Document, TaskEvent
from supervision.reminders.scan import scan_deadlines
from tests import factories
from tests.races import require_postgres

TZ = dt.timezone(dt.timedelta(hours=8))


def _scan(day: dt.date):
    now = dt.datetime.combine(day, dt.time(10), tzinfo=TZ)
    with clock.override(now):
        scan_deadlines(now=now)
        return issue_duban_notices()


@pytest.fixture
def task(db, supervision_office):
    # due Monday 2024-06-24: 4 working days overdue on Friday 06-28 (督办 at ≥ 3, 通报 at ≥ 5)
    return factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 6, 24))


def test_the_duban_rung_issues_one_notice_through_the_documents_service(task):
    assert _scan(dt.date(2024, 6, 26)) == 0  # 2 working days overdue: 催办 only
    assert not Document.objects.exists()
    assert _scan(dt.date(2024, 6, 28)) == 1
    document = Document.objects.get()
    assert document.type == "duban"
    assert document.task == task
    assert document.department == task.lead_department
    assert document.code == "武隆督〔2024〕1号"
    assert document.reminder.level == "escalated"
    assert document.reminder.deadline == task.deadline
    assert document.issued_by.username == "system"
    assert document.issued_by.department.code == "DCB"
    assert TaskEvent.objects.filter(task=task, action="document").count() == 1
    # a rerun, and the 通报 rung the next week, issue nothing more
    assert issue_duban_notices() == 0
    assert _scan(dt.date(2024, 7, 3)) == 0
    assert task.reminders.filter(level="notice").exists()
    assert Document.objects.count() == 1


def test_a_new_deadline_starts_a_new_ladder_and_may_earn_a_new_notice(task):
    _scan(dt.date(2024, 6, 28))
    task.deadline = dt.date(2024, 7, 1)  # an approved extension
    task.save(update_fields=["deadline"])
    assert _scan(dt.date(2024, 7, 2)) == 0  # the old deadline's rung no longer counts
    assert _scan(dt.date(2024, 7, 5)) == 1
    assert list(Document.objects.values_list("reminder__deadline", flat=True)) == [
        dt.date(2024, 7, 1),
        dt.date(2024, 6, 24),
    ]


def test_a_task_first_seen_at_the_notice_rung_gets_its_notice_once(task):
    factories.ReminderFactory(task=task, level="notice", deadline=task.deadline)
    factories.ReminderFactory(task=task, level="escalated", deadline=task.deadline)
    assert issue_duban_notices() == 1
    assert Document.objects.get().reminder.level == "escalated"


@pytest.mark.parametrize("status", ["submitted", "closed", "cancelled"])
def test_no_notice_for_a_task_no_longer_in_hand(task, status):
    factories.ReminderFactory(task=task, level="escalated", deadline=task.deadline)
    task.status = status
    task.closed_at = dt.datetime(2024, 6, 28, tzinfo=TZ) if status == "closed" else None
    task.save()
    assert issue_duban_notices() == 0
    assert not Document.objects.exists()


def test_the_setting_turns_it_off(task, settings):
    settings.DOCUMENTS_AUTO_DUBAN = False
    factories.ReminderFactory(task=task, level="escalated", deadline=task.deadline)
    assert issue_duban_notices() == 0


def test_every_scan_of_the_beat_asks_for_the_notices(db, monkeypatch):
    import supervision.tasks

    queued = []
    monkeypatch.setattr(supervision.tasks, "enqueue", lambda name, *args: queued.append(name))
    supervision.tasks.scan_deadlines()
    assert queued == ["supervision.files.tasks.issue_duban_notices"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_issue_one_notice(supervision_office):
    require_postgres()
    task = factories.TaskFactory(status="in_progress", deadline=dt.date(2024, 6, 24))
    factories.ReminderFactory(task=task, level="escalated", deadline=task.deadline)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(issue_duban_notices())
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [0, 1]
    assert Document.objects.filter(task=task).count() == 1
