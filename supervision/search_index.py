"""The search tables of supervision/0020 (PostgreSQL only; never created elsewhere), as
unmanaged models so that a FilterSet's search joins them: ``Task.search_doc`` and
``Project.search_doc``. ``config.api.textsearch`` reads them, and the global search
(``supervision.search``) ranks from them alone by the keys of supervision/0022; triggers
write them."""

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
    """A task's code, title, content, problem description and proposal number; its source,
    deadline and code to rank by."""

    task = _document("supervision.Task")
    source = models.CharField(max_length=16)
    deadline = models.DateField()
    code = models.CharField(max_length=30)

    class Meta(SearchRow.Meta):
        db_table = "supervision_task_search"


class ProjectSearch(SearchRow):
    """A project's code, name, target and location; its code to rank by."""

    project = _document("projects.Project")
    code = models.CharField(max_length=30)

    class Meta(SearchRow.Meta):
        db_table = "projects_project_search"
