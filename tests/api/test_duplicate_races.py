"""Two identical creates at the same moment: both pass the service's "already exists?" check,
the database refuses the second. That refusal is a 400 on the field, found by the
constraint's name — never a 500 (issue 12 item 11).

The test holds ``LOCK TABLE … IN EXCLUSIVE MODE`` (reads go on, inserts wait), starts the two
requests (threads with their own connections), waits until both are blocked on it — that is,
both have passed their checks — and lets them go.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from accounts.models import Department
from projects.models import InvestmentReport
from supervision.models import Task
from tests import factories
from tests.clients import API, bearer_client
from tests.races import require_postgres, run_racers

TODAY = dt.date(2024, 6, 28)


def race_on(table: str, *calls):
    require_postgres()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
        join = run_racers(*calls)
    return join()


def assert_one_created_one_400(responses, field: str):
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 400], [r.content[:200] for r in responses]
    refused = next(r for r in responses if r.status_code == 400)
    body = refused.json()
    assert body["code"] == "validation_error"
    assert field in body["errors"], body


@pytest.mark.django_db(transaction=True)
def test_two_reports_for_the_same_month_at_once(settings, owner, department):
    settings.SUPERVISION_TODAY = TODAY
    project = factories.ProjectFactory(lead_department=department)
    clients = [bearer_client(owner), bearer_client(owner)]
    body = {"project": project.pk, "period": "2024-05", "amount": "120.00"}

    def post(client):
        return lambda: client.post(API + "investment-reports/", body, format="json")

    responses = race_on(InvestmentReport._meta.db_table, *(post(c) for c in clients))
    assert_one_created_one_400(responses, "period")
    assert InvestmentReport.objects.filter(project=project).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tasks_with_the_same_code_at_once(supervisor, department):
    clients = [bearer_client(supervisor), bearer_client(supervisor)]
    body = {
        "code": "DUP-1",
        "title": "同号事项",
        "source": "work_report",
        "domain": "economy",
        "lead_department": department.pk,
        "deadline": "2024-12-31",
    }

    def post(client):
        return lambda: client.post(API + "tasks/", body, format="json")

    responses = race_on(Task._meta.db_table, *(post(c) for c in clients))
    assert_one_created_one_400(responses, "code")
    assert Task.objects.filter(code="DUP-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_departments_with_the_same_code_at_once(supervisor):
    clients = [bearer_client(supervisor), bearer_client(supervisor)]

    def post(client, name):
        body = {"code": "DUP", "name": name, "kind": "district"}
        return lambda: client.post(API + "departments/", body, format="json")

    responses = race_on(
        Department._meta.db_table, post(clients[0], "甲单位"), post(clients[1], "乙单位")
    )
    assert_one_created_one_400(responses, "code")
    assert Department.objects.filter(code="DUP").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reports_from_the_cockpit_at_once(settings, owner, department):
    settings.SUPERVISION_TODAY = TODAY
    project = factories.ProjectFactory(lead_department=department)
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(owner)
    form = {"invest-period": "2024-05", "invest-amount": "80"}

    def post(client):
        return lambda: client.post(f"/projects/{project.pk}/investment/", form)

    responses = race_on(InvestmentReport._meta.db_table, *(post(c) for c in clients))
    statuses = sorted(response.status_code for response in responses)
    assert statuses[0] in (200, 302), statuses  # the winner
    assert statuses[1] == 400, statuses
    refused = max(responses, key=lambda r: r.status_code)
    assert "已" in refused.content.decode()  # the constraint's message, on the form
    assert InvestmentReport.objects.filter(project=project).count() == 1


@pytest.mark.django_db
def test_a_unique_violation_maps_to_its_field_by_constraint_name(department):
    """Without a race (works on SQLite too): the database's own refusal, mapped."""
    from core.errors import constraint_violation

    project = factories.ProjectFactory(lead_department=department)
    factories.InvestmentReportFactory(project=project, period=dt.date(2024, 5, 1))
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        InvestmentReport.objects.bulk_create(
            [InvestmentReport(project=project, period=dt.date(2024, 5, 1), **_report_fields())]
        )
    error = constraint_violation(caught.value)
    assert error is not None
    assert "period" in error.message_dict

    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Department.objects.bulk_create(
            [Department(code=department.code, name="另一个", kind="district")]
        )
    error = constraint_violation(caught.value)
    assert error is not None
    assert list(error.message_dict) == ["code"]


def _report_fields():
    reporter = factories.UserFactory()
    return {
        "amount": 1,
        "reported_by": reporter,
        "reported_at": dt.datetime(2024, 6, 1, tzinfo=dt.UTC),
    }
