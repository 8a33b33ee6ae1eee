"""Shared by the kinds tests: a pinned today, a leader, tasks of each kind
filed through the services and walked through the real transitions."""

import datetime as dt

import pytest

from accounts.choices import Role
from supervision.kinds import services
from supervision.loop import transitions
from tests import factories

TODAY = dt.date(2024, 6, 28)  # a Friday, a working day


@pytest.fixture(autouse=True)
def _pinned(settings):
    settings.SUPERVISION_TODAY = TODAY


@pytest.fixture
def assist_department(db):
    return factories.DepartmentFactory()


@pytest.fixture
def assist_owner(assist_department):
    return factories.UserFactory(role=Role.OWNER, department=assist_department)


def walk(task, status: str, *, supervisor, owner):
    """Move a draft through the real transitions up to ``status``."""
    steps = ["assigned", "in_progress", "submitted", "closed"]
    for step in steps[: steps.index(status) + 1] if status != "draft" else []:
        if step == "assigned":
            task = transitions.task_assign(task=task, actor=supervisor)
        elif step == "in_progress":
            task = transitions.task_accept(task=task, actor=owner)
        elif step == "submitted":
            task = transitions.task_submit(task=task, actor=owner, summary="已办结")
        else:
            task = transitions.task_verify(task=task, actor=supervisor, approved=True)
    return task


@pytest.fixture
def make_instruction(supervisor, owner, department, leader):
    def make(status="draft", **detail):
        task = services.task_file(
            actor=supervisor,
            source="instruction",
            title="关于乌江航道整治的批示",
            domain="ecology",
            lead_department=department,
            details={
                "instruction": {
                    "leader": leader,
                    "instructed_on": dt.date(2024, 6, 24),
                    "text": "请区交通局抓紧研究，按时报结果。",
                    "urgency": "normal",
                    **detail,
                }
            },
        )
        return walk(task, status, supervisor=supervisor, owner=owner)

    return make


@pytest.fixture
def make_proposal(supervisor, owner, department):
    counter = iter(range(1, 1000))

    def make(status="draft", source="npc", deadline=None, lead=None, walker=None, **detail):
        number = next(counter)
        task = services.task_file(
            actor=supervisor,
            source=source,
            title=f"关于加强农村公路养护的建议{number}",
            domain="livelihood",
            lead_department=lead or department,
            deadline=deadline,
            details={
                "proposal": {
                    "number": f"第{number}号",
                    "proposer": f"代表{number}",
                    "proposer_contact": "13800000000",
                    **detail,
                }
            },
        )
        return walk(task, status, supervisor=supervisor, owner=walker or owner)

    return make
