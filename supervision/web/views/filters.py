"""Make the API's FilterSet forms pleasant in a browser (widgets and Chinese labels only:
the filtering, search and ordering themselves are the FilterSet's, unchanged)."""

from django import forms

from config.api.filters import BoundedDateField, StrictBooleanField

LABELS = {
    "status": "状态",
    "domain": "报表类别",
    "source": "来源",
    "priority": "优先级",
    "light": "亮灯",
    "department": "单位（牵头或配合）",
    "deadline_after": "时限不早于",
    "deadline_before": "时限不晚于",
    "overdue": "逾期",
    "node_overdue": "节点逾期",
    "behind": "落后序时",
    "category": "类别",
    "stage": "阶段",
}


def tune(form: forms.Form, names: list[str]) -> list[forms.BoundField]:
    """Browser widgets and labels for the named filter fields; returns their bound fields."""
    for name in names:
        field = form.fields[name]
        field.label = LABELS.get(name, field.label)
        if isinstance(field, BoundedDateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif isinstance(field, StrictBooleanField):
            field.widget = forms.Select(choices=[("", "全部"), ("true", "是"), ("false", "否")])
        elif isinstance(field, forms.MultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        elif hasattr(field, "empty_label"):  # model choices and django-filter's choices
            field.empty_label = "全部"
    return [form[name] for name in names]


def filtered(request, filterset_class, queryset, names: list[str]):
    """The list's FilterSet on ``request.GET`` and what ``web/_filters.html`` shows: the named
    filters, the search box (``q``, or the API's alias ``search``) and the ordering select
    with the FilterSet's choices.

    The form is tuned before anything reads ``filterset.qs``: validating the form caches
    its bound fields with the labels they had then (django-filter's "[invalid name]" and
    English lookups), so tuning afterwards changed nothing once a filter was applied.
    """
    filterset = filterset_class(request.GET, queryset=queryset)
    return filterset, {
        "filterset": filterset,
        "filter_fields": tune(filterset.form, names),
        "active_filters": sum(1 for name in names if any(request.GET.getlist(name))),
        "search": request.GET.get("q") or request.GET.get("search", ""),
        "ordering": request.GET.get("ordering", ""),
        "orderings": dict(filterset.ordering_choices),
    }
