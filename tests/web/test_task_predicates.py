"""The cockpit shows the progress/extension/decision buttons exactly when the predicates the
services enforce allow them, and a refused press carries the service's own words."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

from supervision.loop import services, transitions
from supervision.loop.transitions import TransitionError
from tests.clients import session_client
from tests.web.test_tasks import buttons

pytestmark = pytest.mark.django_db


def service_refusal(call) -> str | None:
    """The service's refusal message (None if it went through); nothing is kept."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except TransitionError as exc:
        return exc.message
    return None


@pytest.mark.parametrize("status", ["assigned", "in_progress", "submitted"])
def test_buttons_follow_the_predicates_the_services_enforce(
    status, make_task, supervisor, owner, other_owner, co_owner
):
    task = make_task(status, co_departments=[co_owner.department])
    for user in (supervisor, owner, other_owner, co_owner):
        shown = buttons(session_client(user).get(reverse("web:task-detail", args=[task.pk])))
        progress = service_refusal(
            lambda u=user: services.progress_report_create(task=task, actor=u, content="进展")
        )
        extend = service_refusal(
            lambda u=user: services.extension_request_create(
                task=task, actor=u, requested_deadline=dt.date(2025, 6, 30), reason="汛期"
            )
        )
        assert ("progress" in shown) == (progress is None), (status, user.role)
        assert ("extend" in shown) == (extend is None), (status, user.role)
        assert progress == getattr(
            transitions.can_report_progress(user, task).error, "message", None
        )
        assert extend == getattr(
            transitions.can_request_extension(user, task).error, "message", None
        )


def test_a_refused_press_shows_the_services_words(make_task, other_owner, owner):
    task = make_task("assigned")
    response = session_client(owner).post(
        reverse("web:task-action", args=[task.pk, "progress"]), {"progress-content": "进展"}
    )
    assert response.status_code == 409
    assert "不能反馈进展（须先签收）" in response.content.decode()
    response = session_client(other_owner).post(
        reverse("web:task-action", args=[task.pk, "extend"]),
        {"extend-requested_deadline": "2025-06-30", "extend-reason": "汛期"},
    )
    assert response.status_code == 403
    assert "只有牵头单位可以申请延期。" in response.content.decode()


def test_decide_is_offered_to_the_office_only_while_a_request_waits(make_task, supervisor, owner):
    task = make_task("in_progress")
    page = reverse("web:task-detail", args=[task.pk])
    assert "decide" not in buttons(session_client(supervisor).get(page))
    services.extension_request_create(
        task=task, actor=owner, requested_deadline=dt.date(2025, 6, 30), reason="汛期"
    )
    assert "decide" in buttons(session_client(supervisor).get(page))
    assert "decide" not in buttons(session_client(owner).get(page))
    assert "extend" not in buttons(session_client(owner).get(page))  # one waits already
