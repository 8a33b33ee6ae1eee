"""Fixtures for the reminder tests: API clients, and for the integration tests a private Celery
queue, real worker processes on it and real HTTP receivers."""

import uuid

import pytest

from accounts.choices import Role
from tests.clients import bearer_client
from tests.factories import UserFactory
from tests.reminders.support import (
    CeleryWorker,
    WebhookReceiver,
    forget_queue,
    require_integration_services,
    route_tasks_to,
)


@pytest.fixture(autouse=True)
def _integration_needs_services(request):
    if request.node.get_closest_marker("integration"):
        require_integration_services()


@pytest.fixture
def api():
    return bearer_client


@pytest.fixture
def second_owner(department):
    return UserFactory(role=Role.OWNER, department=department)


# --- integration -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_queue():
    """A queue of our own for this run, so stale messages of other runs never interfere.

    This process publishes to it (``app.conf.task_default_queue``); workers and ``manage.py``
    children get it through ``CELERY_TASK_DEFAULT_QUEUE``. Its Redis keys go at the end.
    """
    require_integration_services()
    from config.celery import app

    queue = f"reminders-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue
    route_tasks_to(queue)
    yield queue
    route_tasks_to(previous)
    forget_queue(queue)


@pytest.fixture
def start_worker(celery_queue, django_db_setup, tmp_path):
    """Start a real worker process (ready to consume) on our queue; all are stopped at the end."""
    workers = []

    def start(**env) -> CeleryWorker:
        worker = CeleryWorker(celery_queue, tmp_path / f"worker-{len(workers)}.log", **env)
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="module")
def module_worker(celery_queue, django_db_setup, tmp_path_factory):
    """One worker shared by the tests of a module (starting one takes seconds)."""
    worker = CeleryWorker(celery_queue, tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def receiver():
    """Make real HTTP receivers: ``receiver([500, 500, 200])``; all are closed at the end."""
    made = []

    def make(statuses, delay: float = 0.0) -> WebhookReceiver:
        server = WebhookReceiver(statuses, delay=delay)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()
