"""Filter pieces every app's ``filters.py`` shares, so an unknown filter value is a 400.

django-filter's defaults are lenient where the API contract is strict: ``?overdue=maybe``
would be ignored (the list comes back unfiltered) and ``?deadline_after=1900-01-01``
accepted although the API refuses dates outside 2000–2100. ``FilterSet`` below swaps the
defaults for fields named in ``Meta.fields`` too.

A FilterSet is also the one home of a resource's text search and ordering (STYLE.md, "Each
rule has one home"): ``search_fields`` become the ``q`` filter (as NetBox names it) and its
alias ``search`` (the API contract's name), ``ordering_fields`` the ``ordering`` filter.
The API, the cockpit lists and the Excel exports all filter through the same FilterSet.
"""

import copy
import datetime as dt
import functools

import django_filters
from django import forms
from django.db import models
from django_filters import utils
from django_filters.constants import EMPTY_VALUES
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Department
from config.api import textsearch
from core.validators import TextValidator, validate_year_range


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
        validate_year_range(value)


class DateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class BoundedDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 datetime within 2000–2100, handed to the database in UTC: any offset
    Python accepts (up to ±23:59) is then fine, where PostgreSQL's limit is ±15:59."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        validate_year_range(value)
        return value.astimezone(dt.UTC)


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedDateTimeField


@extend_schema_field(OpenApiTypes.INT)
class DepartmentChoiceFilter(django_filters.ModelChoiceFilter):
    """A department id that must exist (else 400); used with a ``method`` ("lead or co")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Department.objects.all())
        super().__init__(*args, **kwargs)


class SearchField(forms.CharField):
    """The words of a search: at most ``textsearch.MAX_LENGTH`` characters, no control
    characters (a clear 400 on the API; the cockpit leaves the refused search out)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", textsearch.MAX_LENGTH)
        kwargs.setdefault("validators", [TextValidator()])
        kwargs.setdefault(
            "error_messages",
            {"max_length": f"搜索内容不能超过 {textsearch.MAX_LENGTH} 个字。"},
        )
        super().__init__(*args, **kwargs)


class SearchFilter(django_filters.CharFilter):
    """Text search: every word (split at spaces and commas) must occur, case-insensitively,
    in at least one of ``fields`` — what DRF's ``SearchFilter`` did for ``?search=``;
    through the search row ``index`` names on PostgreSQL (``config.api.textsearch``)."""

    field_class = SearchField

    def __init__(self, *args, fields: tuple[str, ...], index: str | None = None, **kwargs):
        kwargs.setdefault("label", "搜索")
        super().__init__(*args, **kwargs)
        self.search_fields = tuple(fields)
        self.index = index

    def filter(self, qs, value):
        for term in textsearch.terms(value):
            qs = qs.filter(textsearch.word_filter(self.search_fields, term, index=self.index))
        return qs


class OrderingFilter(django_filters.OrderingFilter):
    """``?ordering=-deadline`` (comma-separated for several); the FilterSet's default order
    applies when none is given and breaks ties otherwise, so pages are stable. An unknown
    field is a 400 like any unknown filter value."""

    def __init__(self, *args, fields: dict[str, str], default: tuple[str, ...], **kwargs):
        labels = {}
        for name, label in fields.items():
            labels[name] = label
            labels[f"-{name}"] = f"{label}（倒序）"
        kwargs.setdefault("label", "排序")
        super().__init__(*args, fields=tuple(fields), field_labels=labels, **kwargs)
        self.default = tuple(default)

    def filter(self, qs, value):
        chosen = [self.get_ordering_value(param) for param in value or () if param]
        named = {term.lstrip("-") for term in chosen}
        return qs.order_by(*chosen, *(d for d in self.default if d.lstrip("-") not in named))


class FilterSet(django_filters.FilterSet):
    """``django_filters.FilterSet`` with the strict boolean and bounded date filters as the
    defaults for model fields listed in ``Meta.fields``, and search and ordering declared as

    - ``search_fields = ("code", "title")``: the ``q`` filter and its alias ``search``
      (``search_index = "search_doc"``: through the model's search row on PostgreSQL);
    - ``ordering_fields = {"deadline": "办理时限", …}`` and ``default_ordering``: the
      ``ordering`` filter, labelled for the cockpit's select;
    - ``search_ordering = ("deadline", "code")``: the fields the search row carries (copied
      by its triggers); a list whose only condition is a search through the row is ordered
      by the row's copies, so PostgreSQL walks the row's own index in the list's order and
      checks each row's words there, instead of walking the list's index and probing a
      search row per candidate. The same values, the same order. With another condition
      (a status, a unit), that condition's own index in the list's order serves it better.
    """

    search_fields: tuple[str, ...] = ()
    search_index: str | None = None
    search_ordering: tuple[str, ...] = ()
    ordering_fields: dict[str, str] = {}
    default_ordering: tuple[str, ...] = ()

    FILTER_DEFAULTS = {
        **django_filters.filterset.FILTER_FOR_DBFIELD_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.DateField: {"filter_class": DateFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
    }

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        if cls.search_fields:
            filters["q"] = SearchFilter(fields=cls.search_fields, index=cls.search_index)
            filters["search"] = copy.deepcopy(filters["q"])
        if cls.ordering_fields or cls.default_ordering:
            filters["ordering"] = OrderingFilter(
                fields=cls.ordering_fields, default=cls.default_ordering
            )
        return filters

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not (self.search_ordering and self._searched_alone()):
            return queryset
        return queryset.order_by(*map(self._through_search_row, queryset.query.order_by))

    def _searched_alone(self) -> bool:
        """Whether a search through the index is the only condition (none on the queryset
        given either, such as a unit's view of its own tasks)."""
        searched, others = False, bool(self.queryset.query.where)
        for name, value in self.form.cleaned_data.items():
            if name in ("q", "search"):
                searched = searched or bool(textsearch.terms(value))
            elif name != "ordering" and value not in EMPTY_VALUES:
                others = True
        return searched and not others and textsearch.uses_index(self.search_index)

    def _through_search_row(self, term):
        if not isinstance(term, str) or term.lstrip("-") not in self.search_ordering:
            return term
        sign = "-" if term.startswith("-") else ""
        return f"{sign}{self.search_index}__{term.lstrip('-')}"

    @property
    def ordering_choices(self) -> list[tuple[str, str]]:
        """The ``ordering`` values and their labels (for a select in the cockpit)."""
        return list(self.filters["ordering"].extra["choices"])


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, building a FilterSet of only the filters the request names.

    A FilterSet instance deep-copies every filter and builds a form class and a form on
    each request — a few milliseconds for a resource's twenty filters, most of a filtered
    list's fixed cost. A filter whose parameter is absent is a no-op (django-filter passes
    empty values over), so the request's FilterSet keeps only the named ones (and the
    ordering, whose default applies without a value): the same rows, the same validation of
    what was sent. Without any, only the default ordering is applied.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        named = request.query_params.keys() & filterset_class.base_filters.keys()
        if not named:
            ordering = filterset_class.base_filters.get("ordering")
            return queryset if ordering is None else ordering.filter(queryset, None)
        narrowed = _narrowed(filterset_class, frozenset(named))
        filterset = narrowed(**self.get_filterset_kwargs(request, queryset, view))
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


@functools.lru_cache(maxsize=256)
def _narrowed(filterset_class, named: frozenset[str]):
    """``filterset_class`` with only the filters ``named`` and ``ordering``, in its order."""
    narrowed = type(filterset_class.__name__, (filterset_class,), {})
    narrowed.base_filters = {
        name: each
        for name, each in filterset_class.base_filters.items()
        if name in named or name == "ordering"
    }
    return narrowed
