"""Small display helpers for the web cockpit (lights, status labels, bar widths)."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html

from projects.choices import Light
from supervision.choices import (
    Domain,
    ReminderKind,
    ReminderLevel,
    TaskAction,
    TaskSource,
    TaskStatus,
)

register = template.Library()

_LABELS = {
    "status": dict(TaskStatus.choices),
    "light": dict(Light.choices),
    "action": dict(TaskAction.choices),
    "level": dict(ReminderLevel.choices),
    "kind": dict(ReminderKind.choices),
    "source": dict(TaskSource.choices),
    "domain": dict(Domain.choices),
}


@register.filter
def label(value, kind: str):
    """The Chinese label of a choice code: ``{{ status|label:"status" }}``."""
    return _LABELS.get(kind, {}).get(value, value or "")


@register.filter
def assumed(obj, field: str):
    """A "（推定）" mark after a value the source does not state: ``{{ task|assumed:"deadline" }}``."""
    if field not in (getattr(obj, "assumed_fields", None) or ()):
        return ""
    return format_html('<span class="muted" title="{}">（推定）</span>', "来源未载明，系推定")


@register.simple_tag
def light_badge(light, status=None):
    """A light; none for closed or cancelled work, shown as its status (已销号 / 已撤销) when
    ``status`` is given."""
    if not light:
        if status in (TaskStatus.CLOSED, TaskStatus.CANCELLED):
            return format_html(
                '<span class="light light-none">{}</span>', _LABELS["status"][status]
            )
        return ""
    return format_html(
        '<span class="light light-{}" title="{}">{}</span>',
        light,
        _LABELS["light"].get(light, light),
        _LABELS["light"].get(light, light),
    )


@register.simple_tag
def status_badge(status):
    return format_html(
        '<span class="status status-{}">{}</span>', status, _LABELS["status"].get(status, status)
    )


@register.filter
def bar(value, scale=100):
    """A whole percentage 0–100 (``scale`` is the 100 % value) for the bar classes of
    ``web/bars.css`` (``w-37``: width 37 %); no inline ``style=`` (Content-Security-Policy)."""
    try:
        number = Decimal(str(value)) * 100 / Decimal(str(scale))
    except (InvalidOperation, TypeError, ValueError, ZeroDivisionError):
        return "0"
    return str(int(max(Decimal(0), min(Decimal(100), number)).to_integral_value()))


@register.filter
def pct(value):
    """``12.345`` → ``12.3%``; empty for no value."""
    if value is None or value == "":
        return "—"
    try:
        return f"{Decimal(str(value)):.1f}%"
    except (InvalidOperation, ValueError):
        return "—"


@register.filter
def money(value):
    """万元 with thousands separators and no decimals beyond two."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    text = f"{number:,.2f}"
    return text[:-3] if text.endswith(".00") else text


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
