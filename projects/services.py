"""The one path for writes to key projects, milestones and investment reports.

Every service takes the ``actor``, checks the actor's right (``projects.permissions``),
writes the change, its revision and one ``AuditRecord`` (before/after) in one transaction,
and publishes its domain event there (the webhook outbox row commits with it; delivery is
queued on commit).
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import Department, User
from core import clock, events
from core.errors import DomainError, NotPermitted
from projects.models import InvestmentReport, InvestmentReportRevision, Milestone, Project
from projects.permissions import (
    require_project_fields,
    require_project_office,
    require_project_writer,
)

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
MILESTONE_EDITABLE = {
    "project",
    "name",
    "due_date",
    "sequence",
    "note",
    "source_ref",
    "assumed_fields",
}


def _project_snapshot(project: Project) -> dict:
    return {
        **audit.snapshot(project),
        "co_departments": sorted(project.co_departments.values_list("pk", flat=True)),
    }


@transaction.atomic
def project_create(
    *,
    actor: User,
    code: str,
    name: str,
    category: str,
    year: int,
    stage: str,
    lead_department: Department,
    co_departments: list[Department] | tuple = (),
    **fields,
) -> Project:
    require_project_office(actor)
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
    audit.record(actor=actor, action="create", instance=project, after=_project_snapshot(project))
    return project


@transaction.atomic
def project_update(*, actor: User, project: Project, co_departments=None, **fields) -> Project:
    unknown = set(fields) - PROJECT_EDITABLE
    if unknown:
        raise ValueError(f"unknown project fields: {sorted(unknown)}")
    project = Project.objects.select_for_update().get(pk=project.pk)
    changing = set(fields) | ({"co_departments"} if co_departments is not None else set())
    require_project_fields(actor, project, changing)
    before = _project_snapshot(project)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    if co_departments is not None:
        project.co_departments.set(co_departments)
    audit.record(
        actor=actor,
        action="update",
        instance=project,
        before=before,
        after=_project_snapshot(project),
    )
    return project


@transaction.atomic
def project_delete(*, actor: User, project: Project) -> None:
    """Delete a project that nothing refers to yet; otherwise archive it instead."""
    require_project_office(actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.milestones.exists() or project.investment_reports.exists() or project.tasks.exists():
        raise DomainError("该项目已有节点、投资填报或督办事项，不能删除，请改为归档。")
    before = _project_snapshot(project)
    audit.record(actor=actor, action="delete", instance=project, before=before)
    project.co_departments.clear()
    project.delete()


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    project: Project,
    name: str,
    due_date: dt.date,
    sequence: int = 1,
    note: str = "",
    source_ref: str = "",
    assumed_fields: list[str] | tuple = (),
) -> Milestone:
    require_project_writer(actor, project)
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
    audit.record(actor=actor, action="create", instance=milestone, after=audit.snapshot(milestone))
    return milestone


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, **fields) -> Milestone:
    """Edit a milestone's plan. Its completion is ``milestone_complete``'s alone."""
    unknown = set(fields) - MILESTONE_EDITABLE
    if unknown:
        raise ValueError(f"unknown milestone fields: {sorted(unknown)}")
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    require_project_writer(actor, milestone.project)
    if "project" in fields:
        require_project_writer(actor, fields["project"])
    before = audit.snapshot(milestone)
    for name, value in fields.items():
        setattr(milestone, name, value)
    milestone.full_clean()
    milestone.save()
    audit.record(
        actor=actor,
        action="update",
        instance=milestone,
        before=before,
        after=audit.snapshot(milestone),
    )
    return milestone


@transaction.atomic
def milestone_complete(
    *, actor: User, milestone: Milestone, completed_on: dt.date, note: str = ""
) -> Milestone:
    milestone = Milestone.objects.select_for_update().select_related("project").get(pk=milestone.pk)
    require_project_writer(actor, milestone.project)
    if completed_on > clock.today():
        raise ValidationError({"completed_on": "完成日期不能晚于今天。"})
    if milestone.completed_on is not None:
        raise ValidationError({"completed_on": f"该节点已于 {milestone.completed_on} 完成。"})
    before = audit.snapshot(milestone)
    milestone.completed_on = completed_on
    milestone.completed_by = actor
    milestone.completed_at = clock.now()
    if note:
        milestone.note = note
    milestone.full_clean()
    milestone.save(
        update_fields=["completed_on", "completed_by", "completed_at", "note", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="complete",
        instance=milestone,
        before=before,
        after=audit.snapshot(milestone),
    )
    events.publish(
        "milestone.completed",
        {
            "id": milestone.pk,
            "project": milestone.project_id,
            "name": milestone.name,
            "due_date": milestone.due_date.isoformat(),
            "completed_on": completed_on.isoformat(),
            "completed_by": actor.pk,
        },
    )
    return milestone


def _month_start(period: dt.date) -> dt.date:
    return period.replace(day=1)


@transaction.atomic
def investment_report_create(
    *,
    actor: User,
    project: Project,
    period: dt.date,
    amount: Decimal,
    note: str = "",
) -> InvestmentReport:
    require_project_writer(actor, project)
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
        reported_by=actor,
        reported_at=clock.now(),
    )
    report.full_clean()
    report.save()
    audit.record(actor=actor, action="create", instance=report, after=audit.snapshot(report))
    events.publish(
        "investment.reported",
        {
            "id": report.pk,
            "project": project.pk,
            "period": f"{report.period:%Y-%m}",
            "amount": str(report.amount),
            "reported_by": actor.pk,
        },
    )
    return report


@transaction.atomic
def investment_report_correct(
    *,
    actor: User,
    report: InvestmentReport,
    amount: Decimal,
    note: str | None = None,
    reason: str = "",
) -> InvestmentReport:
    """Correct a month's figure, keeping what it held before (and why it changed) as a
    revision; the project's writers only (the lead unit's owners, the office), always with
    a reason."""
    report = (
        InvestmentReport.objects.select_for_update().select_related("project").get(pk=report.pk)
    )
    require_project_writer(actor, report.project)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写更正理由。"})
    before = audit.snapshot(report)
    previous = InvestmentReportRevision(
        report=report,
        amount=report.amount,
        note=report.note,
        reason=reason.strip(),
        revised_by=actor,
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
        actor=actor,
        action="correct",
        instance=report,
        before=before,
        after={**audit.snapshot(report), "reason": previous.reason},
    )
    events.publish(
        "investment.corrected",
        {
            "id": report.pk,
            "project": report.project_id,
            "period": f"{report.period:%Y-%m}",
            "amount": str(report.amount),
            "previous_amount": str(previous.amount),
            "revised_by": actor.pk,
        },
    )
    return report


@transaction.atomic
def project_plan_set(
    *, actor: User, project: Project, annual_plan_investment: Decimal, reason: str = ""
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
