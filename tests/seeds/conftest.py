import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, rolled back after its last test.

    A module loads the real seed data once inside it (a full load takes seconds). Each test
    still runs in its own savepoint (pytest-django's ``db``), so what a test writes is
    undone after that test, and everything the module loaded is undone at its end.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
