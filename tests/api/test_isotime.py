"""``config.api.isotime``: PostgreSQL writes a datetime as DRF's ``DateTimeField`` does, in
a zone with a constant offset; any other zone is left to Python."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from config.api.isotime import IsoDateTime, offset
from supervision.loop.models import Task
from tests import factories


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Shanghai", "+08:00"),
        ("UTC", "Z"),
        ("Asia/Kolkata", "+05:30"),
        ("America/New_York", None),
    ],
)
def test_offset_is_known_only_for_a_zone_without_daylight_saving(zone, expected):
    with timezone.override(zone):
        assert offset() == expected


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "Asia/Kolkata"])
def test_the_database_writes_what_drf_writes(db, zone):
    moments = [
        dt.datetime(2024, 2, 29, 23, 59, 59, 120000, tzinfo=dt.UTC),
        dt.datetime(2024, 7, 1, 0, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
        dt.datetime(2031, 12, 31, 16, 30, 5, 1, tzinfo=dt.UTC),
    ]
    tasks = [factories.TaskFactory(assigned_at=moment) for moment in moments]
    factories.TaskFactory(assigned_at=None)
    field = serializers.DateTimeField()
    with timezone.override(zone):
        written = dict(Task.objects.values_list("pk", IsoDateTime("assigned_at")).order_by("pk"))
        for task, moment in zip(tasks, moments, strict=True):
            assert written[task.pk] == field.to_representation(moment)
    assert None in written.values()  # a missing datetime stays null


def test_another_database_is_refused_clearly():
    from django.db import NotSupportedError

    sqlite = type("Connection", (), {"vendor": "sqlite"})()
    with pytest.raises(NotSupportedError, match="needs PostgreSQL, not sqlite"):
        IsoDateTime("assigned_at").as_sql(None, sqlite)
