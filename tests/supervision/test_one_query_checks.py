"""``core.constraints.OneQueryChecks`` judges a model's check constraints in one query
and says exactly what Django's one-query-per-constraint validation says."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def django_errors(instance, exclude=None):
    """What Django's own ``Model.validate_constraints`` says (one query per check)."""
    try:
        models.Model.validate_constraints(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return {}


def our_errors(instance, exclude=None):
    try:
        instance.validate_constraints(exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return {}


def broken_task():
    task = TaskFactory()
    task.rating = "nonsense"  # rating_valid
    task.status = "closed"  # closed_has_time: no closed_at
    task.closed_at = None
    task.deadline = dt.date(1999, 12, 31)  # deadline_range
    return task


def test_the_same_errors_as_django_in_one_query():
    task = broken_task()
    expected = django_errors(task)
    assert len(expected["__all__"]) >= 3
    with CaptureQueriesContext(connection) as ours:
        got = our_errors(task)
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items()}
    with CaptureQueriesContext(connection) as theirs:
        django_errors(task)
    checks = sum(isinstance(c, models.CheckConstraint) for c in task._meta.constraints)
    assert checks >= 10
    # Django: a savepoint, a SELECT and a release per check; ours: one of each in all.
    assert len(theirs) - len(ours) == 3 * (checks - 1)


def test_a_valid_task_passes():
    task = TaskFactory()
    assert our_errors(task) == {} == django_errors(task)


def test_a_constraint_on_an_excluded_field_is_not_judged():
    task = broken_task()
    exclude = {"deadline", "rating"}
    assert our_errors(task, exclude) == django_errors(task, exclude)
    messages = our_errors(task, exclude)["__all__"]
    assert len(messages) == 1  # only closed_has_time is left to judge
