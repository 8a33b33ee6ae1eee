import os
import socket
from urllib.parse import urlparse
from uuid import uuid4

import pytest
from django.conf import settings

from accounts.choices import DepartmentKind, Role
from tests import factories
from tests.clients import bearer_client, session_client


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=3):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    """In CI the suite must run on the real PostgreSQL and Redis, never silently without."""
    if not os.environ.get("CI"):
        return
    db_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    problems = []
    if not db_url.startswith(("postgres://", "postgresql://")):
        problems.append("CI requires DATABASE_URL pointing at PostgreSQL")
    elif not _reachable(db_url, 5432):
        problems.append(f"PostgreSQL unreachable at {db_url}")
    if not redis_url.startswith("redis://"):
        problems.append("CI requires REDIS_URL pointing at Redis")
    elif not _reachable(redis_url, 6379):
        problems.append(f"Redis unreachable at {redis_url}")
    if problems:
        raise pytest.UsageError("; ".join(problems))


def pytest_configure(config):
    """The suite runs with the read replica configured (core/db.py), mirrored to the primary.

    With ``DATABASE_REPLICA_URL`` set, settings did it; otherwise the same alias, router and
    middleware are added here, before any connection or request handler exists.
    """
    if "replica" in settings.DATABASES:
        return
    default = settings.DATABASES["default"]
    settings.DATABASES["replica"] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    settings.DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
    settings.MIDDLEWARE = [
        settings.MIDDLEWARE[0],
        "core.db.ReplicaReadsMiddleware",
        *settings.MIDDLEWARE[1:],
    ]


def pytest_collection_modifyitems(items):
    """Transactional tests may read through the replica alias (a separate connection that
    sees their committed data); the others never do: the router keeps reads inside the
    test's transaction on the primary."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        args, kwargs = (marker.args, marker.kwargs) if marker else ((), {})
        transactional = {"transactional_db", "live_server"} & set(item.fixturenames) or (
            kwargs.get("transaction") or (args and args[0])
        )
        if transactional and "databases" not in kwargs:
            marker = pytest.mark.django_db(*args, **{**kwargs, "databases": "__all__"})
            item.add_marker(marker, append=False)


@pytest.fixture(scope="session")
def _files_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("files")


@pytest.fixture(autouse=True)
def _plain_settings(settings, _files_dir):
    settings.SUPERVISION_TODAY = None
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0  # a browser test must not be pinned to https
    # Production serves hashed files from collectstatic's manifest; tests have none.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # Uploaded files and documents: a temporary folder, never the checkout's var/.
        "files": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(_files_dir)},
        },
    }
    settings.FILES_DELIVERY = "stream"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each test its own cache namespace: the real Redis outlives a test's rolled-back data.
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid4().hex}"},
    }


@pytest.fixture
def department(db):
    return factories.DepartmentFactory()


@pytest.fixture
def other_department(db):
    return factories.DepartmentFactory()


@pytest.fixture
def supervision_office(db):
    return factories.DepartmentFactory(
        code="DCB", name="区政府督查办", kind=DepartmentKind.DISTRICT
    )


@pytest.fixture
def supervisor(supervision_office):
    return factories.UserFactory(role=Role.SUPERVISOR, department=supervision_office)


@pytest.fixture
def leader(db):
    return factories.UserFactory(role=Role.LEADER)


@pytest.fixture
def owner(department):
    return factories.UserFactory(role=Role.OWNER, department=department)


@pytest.fixture
def other_owner(other_department):
    return factories.UserFactory(role=Role.OWNER, department=other_department)


@pytest.fixture
def viewer(db):
    return factories.UserFactory(role=Role.VIEWER)


# --- clients: ``<role>_api`` is a Bearer-token API client, ``<role>_client`` a cockpit session --


@pytest.fixture
def anonymous_api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def supervisor_api(supervisor):
    return bearer_client(supervisor)


@pytest.fixture
def supervisor_read_api(supervisor):
    return bearer_client(supervisor, scope="read")


@pytest.fixture
def leader_api(leader):
    return bearer_client(leader)


@pytest.fixture
def owner_api(owner):
    return bearer_client(owner)


@pytest.fixture
def other_owner_api(other_owner):
    return bearer_client(other_owner)


@pytest.fixture
def supervisor_client(supervisor):
    return session_client(supervisor)


@pytest.fixture
def owner_client(owner):
    return session_client(owner)


@pytest.fixture
def other_owner_client(other_owner):
    return session_client(other_owner)


@pytest.fixture
def viewer_client(viewer):
    return session_client(viewer)


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
