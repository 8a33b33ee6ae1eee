"""Shared by the cockpit tests: a pinned "today", a task factory
that puts a task in any status through the real transitions (so its log is real too)."""

import datetime as dt

import pytest

from accounts.choices import Role
from supervision.loop import services, transitions
from tests import factories

TODAY = dt.date(2024, 6, 28)  # a Friday, a working day


@pytest.fixture(autouse=True)
def _pinned_today(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def co_owner(db):
    department = factories.DepartmentFactory()
    return factories.UserFactory(role=Role.OWNER, department=department)


def walk(task, status: str, *, supervisor, owner):
    """Move a draft through the real transitions up to ``status``."""
    path = ["assigned", "in_progress", "submitted", "closed"]
    if status == "cancelled":
        return transitions.task_cancel(task=task, actor=supervisor, reason="测试撤销")
    if status == "draft":
        return task
    for step in path[: path.index(status) + 1]:
        if step == "assigned":
            task = transitions.task_assign(task=task, actor=supervisor)
        elif step == "in_progress":
            task = transitions.task_accept(task=task, actor=owner)
        elif step == "submitted":
            task = transitions.task_submit(task=task, actor=owner, summary="已完成")
        else:
            task = transitions.task_verify(task=task, actor=supervisor, approved=True)
    return task


@pytest.fixture
def make_task(supervisor, owner, department):
    """``make_task("in_progress", deadline=…, co_departments=[…])`` via services/transitions."""
    counter = iter(range(1, 10_000))

    def make(status: str = "draft", **fields):
        fields.setdefault("deadline", dt.date(2024, 12, 31))
        task = services.task_create(
            actor=supervisor,
            code=f"WEB-{next(counter):04d}",
            title=fields.pop("title", "测试督办事项"),
            source="work_report",
            domain="economy",
            lead_department=fields.pop("lead_department", department),
            **fields,
        )
        return walk(task, status, supervisor=supervisor, owner=owner)

    return make


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, built with the plain-HTTP settings the tests use.

    Its WSGI handler (and so SecurityMiddleware, which reads SECURE_SSL_REDIRECT once) is
    created when the session-scoped fixture starts — before any function-scoped ``settings``
    override — so the settings it needs are pinned here.
    """
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer("localhost")
        yield server
        server.stop()
