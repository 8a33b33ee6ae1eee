"""What every cockpit view shares: running a service and showing its refusal, pagination."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page, Paginator
from django.db import IntegrityError
from django.urls import reverse

from core.errors import DomainError, NotPermitted, constraint_violation

PAGE_SIZE = 20


@dataclass(frozen=True)
class Refusal:
    """Why a service said no, and the HTTP status the page is answered with."""

    status: int
    message: str


@dataclass(frozen=True)
class Action:
    """A button on a page: its key (in the URL), label, form and CSS class."""

    key: str
    label: str
    form: type
    css: str = ""


def attempt(call: Callable[[], Any], *, form: forms.Form | None = None):
    """Run ``call`` (a service or transition) and return ``(result, refusal)``.

    ``NotPermitted`` → 403, any other ``DomainError`` (e.g. an illegal move) → 409, both with
    the service's own message; Django's ``ValidationError`` → 400, its messages attached to
    ``form``'s fields so they show next to the field; a constraint the database enforced (a
    twin request won the race past the service's check) → 400 the same way, by the
    constraint's name. Anything else is a bug and propagates.
    """
    try:
        try:
            return call(), None
        except IntegrityError as exc:
            violation = constraint_violation(exc)
            if violation is None:
                raise
            raise violation from exc
    except NotPermitted as exc:  # before DomainError: ActorNotAllowed is both
        return None, Refusal(403, exc.message)
    except DomainError as exc:
        return None, Refusal(409, exc.message)
    except ValidationError as exc:
        if form is None:
            return None, Refusal(400, "；".join(exc.messages))
        attach_errors(form, exc)
        return None, Refusal(400, "提交的内容有误，请按提示修改。")


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: by field where the form has it."""
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.error_dict.items():
        messages = [message for error in errors for message in error.messages]
        if field in form.fields:
            form.add_error(field, messages)
        elif field == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{field}：{message}" for message in messages])


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """One page of ``queryset`` (a count and a slice: two queries whatever its size)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def export_url(request, name: str) -> str:
    """The API's Excel export (``name``) with the list's current filters, any page."""
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    return reverse(name) + (f"?{query}" if query else "")
