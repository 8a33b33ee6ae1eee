"""Property-based run of every operation in the live OpenAPI schema (schemathesis).

The schema is loaded from ``/api/schema/`` through the WSGI app, in-process, so requests see
the test database. Path ids are drawn mostly from real rows (a department, a project with a
milestone and an investment report, a task in each status, a pending extension, an
indicator), sometimes left as generated (→ 404). Each request is signed by one of: the
supervision office (write token), an owner of the lead department (write token), the
supervision office with a read-scoped token. Checks: no 5xx; status code, content type,
headers and body as the schema documents them.

The schema is fetched when this module is collected, where pytest-django allows no database
access: generating it must not query (``manage.py spectacular`` runs without a database too).
One test item per operation (``SCHEMA.parametrize``); schemathesis' lazy
``pytest.from_fixture`` loader does not work with pytest 9.2.
"""

import datetime as dt
import os
import zlib
from decimal import Decimal

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test.utils import override_settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import Department, User
from accounts.services import token_issue
from config.api.throttles import TokenOrUserRateThrottle
from projects.models import InvestmentReport, Milestone, Project
from supervision.choices import Domain, TaskStatus
from supervision.kinds import proposals
from supervision.kinds import services as kinds
from supervision.loop import transitions
from supervision.models import (
    Attachment,
    Document,
    ExtensionRequest,
    Indicator,
    Instruction,
    Node,
    ProgressReport,
    ScoreAdjustment,
    Task,
    TaskEvent,
)
from tests import factories

# ``make test`` runs a fixed, quick sample; a deeper hunt: SCHEMATHESIS_MAX_EXAMPLES=200
# SCHEMATHESIS_SEED=$RANDOM pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"))
SEED = int(os.environ.get("SCHEMATHESIS_SEED", "20240628"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
AT = dt.datetime(2024, 5, 6, 9, tzinfo=dt.UTC)


@pytest.fixture
def fuzz_world(db, settings, supervisor, owner, department, other_department):
    """A small, complete data set; returns {path prefix: ids} and the tokens to sign with."""
    settings.SUPERVISION_TODAY = dt.date(2024, 6, 28)
    project = factories.ProjectFactory(lead_department=department)
    project.co_departments.set([other_department])
    factories.MilestoneFactory(project=project)
    factories.MilestoneFactory(project=project, due_date=dt.date(2024, 3, 1), sequence=2)
    factories.InvestmentReportFactory(project=project, reported_by=owner)
    factories.ProjectFactory(lead_department=other_department)
    tasks = [
        factories.TaskFactory(
            status=status,
            lead_department=department,
            co_departments=[other_department],
            project=project,
            deadline=dt.date(2024, 6, 20),
        )
        for status in TaskStatus.values
    ]
    in_progress = next(task for task in tasks if task.status == TaskStatus.IN_PROGRESS)
    ExtensionRequest.objects.create(
        task=in_progress,
        requested_by=owner,
        original_deadline=in_progress.deadline,
        requested_deadline=dt.date(2024, 9, 30),
        reason="汛期停工",
        created_at=AT,
    )
    ProgressReport.objects.create(
        task=in_progress,
        department=department,
        author=owner,
        content="已完成选址",
        percent=30,
        value=Decimal("1.5"),
        created_at=AT,
    )
    TaskEvent.objects.create(
        task=in_progress,
        actor=supervisor,
        action="assign",
        from_status="draft",
        to_status="assigned",
        created_at=AT,
    )
    Indicator.objects.create(
        code="I-01",
        name="地区生产总值增长",
        domain="economy",
        unit="%",
        target_value=Decimal("6.5"),
        period_values={"2024Q1": 6.8},
    )
    _kind_tasks(supervisor, owner, department)
    for sequence, status in enumerate(("proposed", "approved", "done"), start=1):
        factories.NodeFactory(
            task=in_progress,
            sequence=sequence,
            status=status,
            due_date=dt.date(2024, 3 * sequence, 20),
            completed_on=dt.date(2024, 6, 1) if status == "done" else None,
        )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from supervision.files.services import attachment_upload
    from tests.files import samples

    attachment_upload(
        actor=owner,
        upload=SimpleUploadedFile("现场.jpg", samples.photo()),
        target_type="progress_report",
        target_id=ProgressReport.objects.get(task=in_progress).pk,
    )
    from supervision.files.documents.services import document_generate

    document_generate(actor=supervisor, type="duban", task=in_progress)
    ScoreAdjustment.objects.create(
        department=department,
        period="2024Q2",
        domain="economy",
        points=Decimal("-1"),
        reason="信息迟报",
        created_by=supervisor,
        created_at=AT,
    )
    pools = {
        "/api/v1/score-adjustments/": ScoreAdjustment,
        "/api/v1/departments/": Department,
        "/api/v1/users/": User,
        "/api/v1/projects/": Project,
        "/api/v1/milestones/": Milestone,
        "/api/v1/investment-reports/": InvestmentReport,
        "/api/v1/tasks/": Task,
        "/api/v1/extensions/": ExtensionRequest,
        "/api/v1/nodes/": Node,
        "/api/v1/indicators/": Indicator,
        "/api/v1/attachments/": Attachment,
        "/api/v1/documents/": Document,
    }
    ids = {
        prefix: list(model.objects.values_list("pk", flat=True)) for prefix, model in pools.items()
    }
    tokens = [
        token_issue(user=supervisor, scope="write")[1],
        token_issue(user=owner, scope="write")[1],
        token_issue(user=supervisor, scope="read")[1],
    ]
    return ids, tokens


def _kind_tasks(supervisor, owner, department):
    """A task of each kind with its details: a 批示件, a proposal answered, one not yet."""
    leader = factories.UserFactory(role="leader")
    instruction = kinds.task_file(
        actor=supervisor, source="instruction", title="批示件", domain="economy",
        lead_department=department,
        details={"instruction": {"leader": leader, "instructed_on": dt.date(2024, 6, 3),
                                 "text": "请办理", "urgency": "urgent"}},
    )  # fmt: skip
    Instruction.objects.create(
        task=instruction, leader=leader, text="阅", created_by=supervisor, created_at=AT
    )
    for number in (1, 2):
        proposal = kinds.task_file(
            actor=supervisor, source="npc", title=f"建议{number}", domain="livelihood",
            lead_department=department,
            details={"proposal": {"number": f"第{number}号", "proposer": "代表"}},
        )  # fmt: skip
        transitions.task_assign(task=proposal, actor=supervisor)
        transitions.task_accept(task=proposal, actor=owner)
        if number == 2:
            proposals.proposal_reply(
                task=proposal, actor=owner, reply_class="B", replied_on=dt.date(2024, 6, 1),
                summary="已列入计划",
            )  # fmt: skip


# Hypothesis keeps caches in .hypothesis/ of the working directory: keep them under var/.
set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")

_current = {}  # the running test's ids and tokens, for the hooks below

# The WSGI app under test, built with the plain-HTTP settings the suite uses: its
# SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the handler is made (with DEBUG off
# it would otherwise answer every request here, the schema's included, with a redirect).
with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
    application = get_wsgi_application()

SCHEMA = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json",
    application,
    config=schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "with-security-parameters": False,
                "database": "none",
            },
            "phases": {"stateful": {"enabled": False}},
            "suppress-health-check": [
                "too_slow",
                "filter_too_much",
                "data_too_large",
            ],
        }
    ),
)


@SCHEMA.hook("flatmap_path_parameters")
def real_ids(context, path_parameters):
    ids = _current["ids"]
    pool = next(
        (pks for prefix, pks in ids.items() if context.operation.path.startswith(prefix)), []
    )
    if path_parameters and "domain" in path_parameters:  # scoring-rules/{domain}/
        generated = path_parameters["domain"]
        return st.sampled_from([*Domain.values, generated]).map(
            lambda domain: {**path_parameters, "domain": domain}
        )
    if not path_parameters or "id" not in path_parameters or not pool:
        return st.just(path_parameters)
    generated = path_parameters["id"]
    return st.sampled_from([*pool, generated]).map(lambda pk: {**path_parameters, "id": pk})


@pytest.fixture
def world(fuzz_world, monkeypatch, settings):
    ids, tokens = fuzz_world
    # DRF reads the rates into the class when it is defined: patch the class, not settings.
    monkeypatch.setattr(TokenOrUserRateThrottle, "THROTTLE_RATES", {"user": "100000/min"})
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_ADDRESS_FAILURE_LIMIT = 100000
    _current.update(ids=ids, tokens=tokens)
    # The WSGI handler closes the database connection when a request finishes, which would end
    # the test's transaction; Django's test client unhooks this the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        _current.clear()


@SCHEMA.parametrize()
@hypothesis_settings(
    # ``world`` is built once per operation and shared by its examples, on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    deadline=None,
)
def test_api_matches_its_schema(case, world):
    # The signer is a function of the case, so Hypothesis replays and shrinks it faithfully.
    tokens = _current["tokens"]
    key = repr((case.method, case.formatted_path, case.query, case.body)).encode()
    token = tokens[zlib.crc32(key) % len(tokens)]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
