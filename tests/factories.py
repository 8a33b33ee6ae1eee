import datetime as dt
from decimal import Decimal

import factory

from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from projects.choices import Category, Stage
from projects.models import InvestmentReport, Milestone, Project


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"D{n:03d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = DepartmentKind.DISTRICT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.VIEWER
    password = factory.django.Password("pass-word-123")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"测试项目{n}")
    category = Category.DISTRICT
    year = 2024
    stage = Stage.UNDER_CONSTRUCTION
    lead_department = factory.SubFactory(DepartmentFactory)
    annual_plan_investment = Decimal("10000.00")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")
    due_date = dt.date(2024, 12, 31)


class InvestmentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvestmentReport

    project = factory.SubFactory(ProjectFactory)
    period = dt.date(2024, 1, 1)
    amount = Decimal("1000.00")
    reported_by = factory.SubFactory(
        UserFactory, role=Role.OWNER, department=factory.SelfAttribute("..project.lead_department")
    )
    reported_at = factory.LazyFunction(lambda: dt.datetime(2024, 2, 1, 9, tzinfo=dt.UTC))


class TaskFactory(factory.django.DjangoModelFactory):
    """A task put directly in any status (tests only; the app moves status via transitions).

    ``co_departments=[...]`` sets the co-operating departments. A closed task gets a
    ``closed_at`` (the database requires one); the other timestamps stay empty.
    """

    class Meta:
        model = "supervision.Task"
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"T-{n:05d}")
    title = factory.Sequence(lambda n: f"测试督办事项{n}")
    source = "work_report"
    domain = "economy"
    lead_department = factory.SubFactory(DepartmentFactory)
    deadline = dt.date(2024, 12, 31)
    status = "draft"
    closed_at = factory.LazyAttribute(
        lambda task: dt.datetime(2024, 6, 1, 9, tzinfo=dt.UTC) if task.status == "closed" else None
    )

    @factory.post_generation
    def co_departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.co_departments.set(extracted)


class ReminderFactory(factory.django.DjangoModelFactory):
    """A reminder row written directly (tests only; the app writes them in the deadline scan).

    By default a 催办 (overdue) deadline reminder of a task in progress, addressed to the
    task's lead department, for the task's deadline, due for delivery at once.
    """

    class Meta:
        model = "supervision.Reminder"

    kind = "deadline"
    level = "overdue"
    task = factory.SubFactory(TaskFactory, status="in_progress")
    department = factory.LazyAttribute(
        lambda r: r.task.lead_department if r.task else r.milestone.project.lead_department
    )
    deadline = factory.LazyAttribute(lambda r: r.task.deadline if r.task else r.milestone.due_date)
    created_at = factory.LazyFunction(lambda: dt.datetime(2024, 9, 30, 2, tzinfo=dt.UTC))
    deliver_after = factory.SelfAttribute("created_at")


class NodeFactory(factory.django.DjangoModelFactory):
    """An approved node of an in-progress task, due at the end of Q2 with a value target."""

    class Meta:
        model = "supervision.Node"

    task = factory.SubFactory(TaskFactory, status="in_progress")
    sequence = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"阶段节点{n}")
    due_date = dt.date(2024, 6, 30)
    target_value = Decimal("50")
    status = "approved"
