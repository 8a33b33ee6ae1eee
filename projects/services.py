"""The one path for writes to key projects, milestones and investment reports."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import Department, User
from config import clock, events
from config.errors import DomainError, NotPermitted
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone, Project
from projects.permissions import require_project_writer

PROJECT_EDITABLE = {
    "name",
    "category",
    "level",
    "year",
    "stage",
    "lead_department",
    "responsible_leader",
    "location",
    "industry_chain",
    "total_investment",
    "annual_plan_investment",
    "planned_start",
    "planned_end",
    "target_text",
    "description",
    "source_ref",
    "assumed",
    "assumed_fields",
    "is_archived",
}


@transaction.atomic
def project_create(
    *,
    code: str,
    name: str,
    category: str,
    year: int,
    stage: str,
    lead_department: Department,
    co_departments: list[Department] | tuple = (),
    **fields,
) -> Project:
    unknown = set(fields) - PROJECT_EDITABLE
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    project = Project(
        code=code,
        name=name,
        category=category,
        year=year,
        stage=stage,
        lead_department=lead_department,
        **fields,
    )
    project.full_clean()
    project.save()
    if co_departments:
        project.co_departments.set(co_departments)
    return project


@transaction.atomic
def project_update(*, project: Project, co_departments=None, **fields) -> Project:
    unknown = set(fields) - PROJECT_EDITABLE
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    if co_departments is not None:
        project.co_departments.set(co_departments)
    return project


@transaction.atomic
def milestone_create(
    *,
    project: Project,
    name: str,
    due_date: dt.date,
    sequence: int = 1,
    note: str = "",
    source_ref: str = "",
    assumed_fields: list[str] | tuple = (),
) -> Milestone:
    milestone = Milestone(
        project=project,
        name=name,
        due_date=due_date,
        sequence=sequence,
        note=note,
        source_ref=source_ref,
        assumed_fields=list(assumed_fields),
    )
    milestone.full_clean()
    milestone.save()
    return milestone


@transaction.atomic
def milestone_complete(*, milestone: Milestone, completed_on: dt.date, note: str = "") -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if completed_on > clock.today():
        raise ValidationError({"completed_on": "完成日期不能晚于今天。"})
    if milestone.completed_on is not None:
        raise ValidationError({"completed_on": f"该节点已于 {milestone.completed_on} 完成。"})
    milestone.completed_on = completed_on
    if note:
        milestone.note = note
    milestone.full_clean()
    milestone.save(update_fields=["completed_on", "note", "updated_at"])
    events.publish(
        "milestone.completed",
        {
            "id": milestone.pk,
            "project": milestone.project_id,
            "name": milestone.name,
            "due_date": milestone.due_date.isoformat(),
            "completed_on": completed_on.isoformat(),
        },
    )
    return milestone


def _month_start(period: dt.date) -> dt.date:
    return period.replace(day=1)


@transaction.atomic
def investment_report_create(
    *,
    project: Project,
    period: dt.date,
    amount: Decimal,
    reported_by: User,
    note: str = "",
) -> InvestmentReport:
    period = _month_start(period)
    if period > _month_start(clock.today()):
        raise ValidationError({"period": "不能填报未来月份的投资。"})
    existing = InvestmentReport.objects.filter(project=project, period=period).first()
    if existing is not None:  # the month the user picked, not "本月"
        raise ValidationError(
            {
                "period": f"{period.year}年{period.month}月的投资已填报（{existing.amount} 万元）；"
                "如有误，请在填报明细中点“更正”并说明理由。"
            }
        )
    report = InvestmentReport(
        project=project,
        period=period,
        amount=amount,
        note=note,
        reported_by=reported_by,
        reported_at=clock.now(),
    )
    report.full_clean()
    report.save()
    events.publish(
        "investment.reported",
        {
            "id": report.pk,
            "project": project.pk,
            "period": f"{report.period:%Y-%m}",
            "amount": str(report.amount),
            "reported_by": reported_by.pk,
        },
    )
    return report


@transaction.atomic
def investment_report_correct(
    *,
    report: InvestmentReport,
    amount: Decimal,
    revised_by: User,
    note: str | None = None,
    reason: str = "",
) -> InvestmentReport:
    """Correct a month's figure, keeping what it held before (and why it changed) as a
    revision; the project's writers only (the lead unit's owners, the office), audited."""
    report = (
        InvestmentReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    )
    require_project_writer(revised_by, report.project)
    before = audit.snapshot(report)
    previous = InvestmentReportRevision(
        report=report,
        amount=report.amount,
        note=report.note,
        reason=reason.strip(),
        revised_by=revised_by,
        revised_at=clock.now(),
    )
    report.amount = amount
    if note is not None:
        report.note = note
    report.full_clean()
    previous.full_clean()
    previous.save()
    report.save(update_fields=["amount", "note", "updated_at"])
    audit.record(
        actor=revised_by,
        action="correct",
        instance=report,
        before=before,
        after={**audit.snapshot(report), "reason": previous.reason},
    )
    return report


@transaction.atomic
def project_plan_set(
    *, project: Project, actor: User, annual_plan_investment: Decimal, reason: str = ""
) -> Project:
    """The office sets a project's annual plan investment (万元); the change is audited
    (before/after and the reason), and shown on the project's page."""
    if not actor.is_supervisor:
        raise NotPermitted("只有督查办可以设定年度计划投资。")
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = audit.snapshot(project, ["annual_plan_investment"])
    project.annual_plan_investment = annual_plan_investment
    project.full_clean()
    project.save(update_fields=["annual_plan_investment", "updated_at"])
    audit.record(
        actor=actor,
        action="plan",
        instance=project,
        before=before,
        after={**audit.snapshot(project, ["annual_plan_investment"]), "reason": reason.strip()},
    )
    return project


@transaction.atomic
def project_delete(*, project: Project) -> None:
    """Delete a project that nothing refers to yet; otherwise archive it instead."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.milestones.exists() or project.investment_reports.exists() or project.tasks.exists():
        raise DomainError("该项目已有节点、投资填报或督办事项，不能删除，请改为归档。")
    project.co_departments.clear()
    project.delete()


@transaction.atomic
def milestone_update(*, milestone: Milestone, **fields) -> Milestone:
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save()
    return milestone
