"""The search tables of supervision/0020 (PostgreSQL only; never created elsewhere), as
unmanaged models so that a FilterSet's search joins them: ``Task.search_doc`` and
``Project.search_doc``. Only ``config.api.textsearch`` reads them; triggers write them."""

from django.contrib.postgres.fields import ArrayField
from django.db import models


def _document(model: str) -> models.OneToOneField:
    return models.OneToOneField(
        model,
        on_delete=models.DO_NOTHING,
        primary_key=True,
        db_column="id",
        db_constraint=False,
        related_name="search_doc",
    )


class SearchRow(models.Model):
    """The search fields upper-cased and joined by newlines (``doc``), and the characters and
    character pairs of ``doc`` (``grams``)."""

    doc = models.TextField()
    grams = ArrayField(models.TextField())

    class Meta:
        abstract = True
        managed = False

    def __str__(self):
        return self.doc


class TaskSearch(SearchRow):
    """A task's code, title, content, problem description and proposal number."""

    task = _document("supervision.Task")

    class Meta(SearchRow.Meta):
        db_table = "supervision_task_search"


class ProjectSearch(SearchRow):
    """A project's code, name, target and location."""

    project = _document("projects.Project")

    class Meta(SearchRow.Meta):
        db_table = "projects_project_search"
