"""Filter pieces every app's ``filters.py`` shares, so an unknown filter value is a 400.

django-filter's defaults are lenient where the API contract is strict: ``?overdue=maybe``
would be ignored (the list comes back unfiltered) and ``?deadline_after=1900-01-01``
accepted although the API refuses dates outside 2000–2100. ``FilterSet`` below swaps the
defaults for fields named in ``Meta.fields`` too.
"""

import datetime as dt

import django_filters
from django import forms
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Department

MIN_YEAR, MAX_YEAR = 2000, 2100


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (also ``1``/``0``, ``True``/``False``); anything else is an error."""

    TRUE, FALSE = {"true", "True", "1"}, {"false", "False", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value is True or value in self.TRUE:
            return True
        if value is False or value in self.FALSE:
            return False
        raise forms.ValidationError("应为 true 或 false。", code="invalid")

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        # django-filter's boolean widgets turn an unknown value into "no filter".
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class BoundedDateField(forms.DateField):
    """A ``YYYY-MM-DD`` date within 2000–2100, like every date the API takes."""

    input_formats = ["%Y-%m-%d"]

    def validate(self, value):
        super().validate(value)
        if value is not None and not (MIN_YEAR <= value.year <= MAX_YEAR):
            raise forms.ValidationError(
                f"日期须在 {MIN_YEAR}–{MAX_YEAR} 年之间。", code="out_of_range"
            )


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 datetime within 2000–2100, handed to the database in UTC: any offset
    Python accepts (up to ±23:59) is then fine, where PostgreSQL's limit is ±15:59."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        if not (MIN_YEAR <= value.year <= MAX_YEAR):
            raise forms.ValidationError(
                f"时间须在 {MIN_YEAR}–{MAX_YEAR} 年之间。", code="out_of_range"
            )
        return value.astimezone(dt.UTC)


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class DepartmentChoiceFilter(django_filters.ModelChoiceFilter):
    """A department id that must exist (else 400); used with a ``method`` ("lead or co")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(*args, **kwargs)


class FilterSet(django_filters.FilterSet):
    """``django_filters.FilterSet`` with the strict boolean and bounded date filters as the
    defaults for model fields listed in ``Meta.fields``."""

    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateField: {"filter_class": DateFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }
