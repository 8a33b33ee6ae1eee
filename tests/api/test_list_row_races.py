"""A list reads its page's ids, then the rows over them: a row deleted by another request in
between is left out of the page, never a 500 (``KeyError``) for the list."""

from projects.api import list_rows as project_rows
from supervision.api import task_list as task_rows
from tests import factories


def test_a_task_deleted_after_the_ids_were_read_is_left_out(db):
    kept, gone = factories.TaskFactory(), factories.TaskFactory()
    alone = task_rows.page_data([kept.pk])
    gone_pk = gone.pk
    gone.delete()
    assert task_rows.page_data([gone_pk, kept.pk]) == alone
    assert [row["id"] for row in alone] == [kept.pk]


def test_a_project_deleted_after_the_ids_were_read_is_left_out(db):
    kept, gone = factories.ProjectFactory(), factories.ProjectFactory()
    alone = project_rows.page_data([kept.pk])
    gone_pk = gone.pk
    gone.delete()
    assert project_rows.page_data([kept.pk, gone_pk]) == alone
    assert [row["id"] for row in alone] == [kept.pk]
