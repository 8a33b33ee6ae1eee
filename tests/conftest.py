import os
import socket
from urllib.parse import urlparse
from uuid import uuid4

import pytest
from django.conf import settings

from accounts.choices import DepartmentKind, Role
from tests import factories


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


def is_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
