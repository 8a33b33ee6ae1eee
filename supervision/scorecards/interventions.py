"""激励 and 问责 (DESIGN.md, "Mechanisms"): what the office records against a unit, the 约谈
the system proposes, and the 问责移送 evidence bundle.

What each type needs (``intervention_create``; every one: a unit that is scored — active,
not the office —, a date not in the future and a 事由):

- 通报表扬 / 通报批评: a published quarter (晾晒) — ``period`` — or a task of the unit; for
  通报批评 from work, the task must have reached the 通报 rung of the reminder ladder.
- 约谈: the date, the participants and the outcome; ``period`` is the quarter whose 通报s
  led to it (the proposal for that quarter is then settled).
- 问责移送 (to the 纪委监委): a task of the unit; its log and evidence download as one zip
  (``referral_bundle``).
- 最佳实践: the 事由 (a task optional).

The system proposes a 约谈 for a unit that reached the 通报 rung N times in a quarter (N:
``EscalationPolicy.interview_after_notices``), until one is recorded for that quarter.
Every record is audited and sends the ``intervention.created`` webhook.
"""

import datetime as dt
import io
import json
import zipfile

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Count, Exists

from accounts import audit
from accounts.models import Department, User
from core import clock, events
from core.errors import NotPermitted
from supervision.choices import ReminderLevel
from supervision.loop.models import EscalationPolicy, Task, TaskEvent
from supervision.loop.workdays import SHANGHAI
from supervision.reminders.models import Reminder
from supervision.scorecards.choices import InterventionType as Type
from supervision.scorecards.measures import is_office, office_members
from supervision.scorecards.models import Intervention
from supervision.scorecards.periods import Quarter, parse_period
from supervision.scorecards.publish import is_published

DEFAULT_INTERVIEW_AFTER = 3
BUNDLE_FILE_LIMIT = 200  # files in one bundle (the newest first beyond that are listed only)


def can_record(user) -> bool:
    return bool(user and user.is_active and user.is_supervisor)


def interview_threshold() -> int:
    policy = EscalationPolicy.objects.filter(is_active=True).first()
    n = policy.interview_after_notices if policy else DEFAULT_INTERVIEW_AFTER
    return max(1, n)


def _moments(quarter: Quarter) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(quarter.start, dt.time.min, tzinfo=SHANGHAI)
    end = dt.datetime.combine(quarter.end + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)
    return start, end


def interview_proposals(period: str) -> list[dict]:
    """Units that reached the 通报 rung at least N times in the quarter and have no 约谈
    recorded for it, most 通报s first: ``[{"department", "department_code",
    "department_label", "period", "notices", "threshold"}]``. Two queries."""
    quarter = parse_period(period)
    threshold = interview_threshold()
    start, end = _moments(quarter)
    settled = Intervention.objects.filter(type=Type.INTERVIEW, period=quarter.label).values(
        "department"
    )
    rows = (
        Reminder.objects.filter(
            level=ReminderLevel.NOTICE, created_at__gte=start, created_at__lt=end
        )
        .exclude(department__in=settled)
        .exclude(department__in=Department.objects.filter(Exists(office_members())).values("pk"))
        .values("department", "department__code", "department__name", "department__short_name")
        .annotate(notices=Count("pk"))
        .filter(notices__gte=threshold)
        .order_by("-notices", "department__code")
    )
    return [
        {
            "department": row["department"],
            "department_code": row["department__code"],
            "department_label": row["department__short_name"] or row["department__name"],
            "period": quarter.label,
            "notices": row["notices"],
            "threshold": threshold,
        }
        for row in rows
    ]


def _check(kind: str, department: Department, task: Task | None, period: str, fields: dict) -> dict:
    """The errors of one record (module docstring); ``{}`` when it may be written."""
    errors = {}
    if kind not in Type.values:
        return {"type": "类型不正确。"}
    if not department.is_active:
        errors["department"] = "该单位已停用。"
    elif is_office(department):
        errors["department"] = "督查办不是激励问责的对象。"
    if not fields["summary"]:
        errors["summary"] = "请写明事由。"
    if fields["occurred_on"] > clock.today():
        errors["occurred_on"] = "日期不能晚于今天。"
    if task is not None and task.lead_department_id != department.pk:
        errors["task"] = "该事项不由此单位牵头。"
    if period and not is_published(period) and kind in (Type.COMMENDATION, Type.CRITICISM):
        errors["period"] = f"{period} 尚未发布（晾晒），不能据此通报。"
    if kind in (Type.COMMENDATION, Type.CRITICISM) and not (period or task):
        errors["period"] = "通报须依据已发布的季度报表或具体事项。"
    if kind == Type.CRITICISM and task is not None and not period and "task" not in errors:
        reached = Reminder.objects.filter(task=task, level=ReminderLevel.NOTICE).exists()
        if not reached:
            errors["task"] = "该事项尚未到通报档，不能据此通报批评。"
    if kind == Type.INTERVIEW:
        for name, label in (("participants", "参加人员"), ("outcome", "约谈结果")):
            if not fields[name]:
                errors[name] = f"约谈须记录{label}。"
    if kind == Type.REFERRAL and task is None:
        errors["task"] = "问责移送须指明事项。"
    return errors


def payload(intervention: Intervention) -> dict:
    return {
        "id": intervention.pk,
        "type": intervention.type,
        "department": intervention.department_id,
        "task": intervention.task_id,
        "period": intervention.period,
        "occurred_on": intervention.occurred_on.isoformat(),
        "summary": intervention.summary,
    }


DOCUMENT_TYPES = (Type.COMMENDATION, Type.CRITICISM)  # also 公文 types (files.choices)


@transaction.atomic
def intervention_create(
    *,
    actor: User,
    type: str,  # noqa: A002 — the API's field name
    department: Department,
    occurred_on: dt.date,
    summary: str,
    task: Task | None = None,
    period: str = "",
    participants: str = "",
    outcome: str = "",
    issue_document: bool = False,
) -> Intervention:
    """Record one 激励/问责 entry (the office): 403 for anyone else, 400 with the reason per
    field otherwise (nothing written). ``issue_document``: a 通报表扬/批评 also issues the
    公文 of the same type (numbered, DOCX/PDF) in the same transaction and links it."""
    if not can_record(actor):
        raise NotPermitted("只有督查办可以登记通报、约谈、问责移送和最佳实践。")
    if issue_document and type not in DOCUMENT_TYPES:
        raise ValidationError({"issue_document": "只有通报表扬、通报批评可以同时印发公文。"})
    if period:
        try:
            period = parse_period(period).label
        except ValueError as exc:
            raise ValidationError({"period": str(exc)}) from exc
    fields = {
        "occurred_on": occurred_on,
        "summary": (summary or "").strip(),
        "participants": (participants or "").strip(),
        "outcome": (outcome or "").strip(),
    }
    errors = _check(type, department, task, period, fields)
    if errors:
        raise ValidationError(errors)
    document = None
    if issue_document:
        from supervision.files.documents.services import document_generate

        document = document_generate(
            actor=actor, type=type, task=task, department=department, reason=fields["summary"]
        )
    intervention = Intervention.objects.create(
        type=type,
        department=department,
        task=task,
        period=period,
        document=document,
        created_by=actor,
        created_at=clock.now(),
        **fields,
    )
    audit.record(
        actor=actor, action="create", instance=intervention, after=audit.snapshot(intervention)
    )
    events.publish("intervention.created", payload(intervention))
    return intervention


# --- 问责移送: the task's log and evidence as one zip ------------------------------------------


def _log_lines(task: Task) -> list[str]:
    rows = TaskEvent.objects.filter(task=task).select_related("actor").order_by("created_at", "pk")
    lines = [
        f"{task.code} {task.title}",
        f"牵头单位：{task.lead_department.name}　办理时限：{task.deadline}　"
        f"状态：{task.get_status_display()}",
        "",
    ]
    for event in rows:
        moment = event.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        who = (event.actor.display_name or event.actor.username) if event.actor else "系统"
        moved = f"（{event.from_status}→{event.to_status}）" if event.to_status else ""
        lines.append(f"{moment}　{who}　{event.get_action_display()}{moved}　{event.comment}")
    return lines


def referral_bundle(intervention: Intervention) -> tuple[bytes, str]:
    """The 问责移送 evidence bundle: ``办理记录.txt`` (the task's log), ``事项.json`` (the
    task, the record and the files' SHA-256) and every file attached to the task under
    ``佐证材料/``. Returns ``(zip bytes, file name)``."""
    from supervision.files.models import Attachment

    task = intervention.task
    files = list(
        Attachment.objects.filter(task=task).order_by("created_at", "pk")[:BUNDLE_FILE_LIMIT]
    )
    manifest = {
        "intervention": payload(intervention),
        "task": {
            "id": task.pk,
            "code": task.code,
            "title": task.title,
            "lead_department": task.lead_department.name,
            "deadline": task.deadline,
            "status": task.status,
        },
        "files": [
            {"name": f.name, "size": f.size, "sha256": f.sha256, "created_at": f.created_at}
            for f in files
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("办理记录.txt", "\n".join(_log_lines(task)) + "\n")
        bundle.writestr(
            "事项.json", json.dumps(manifest, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for n, attachment in enumerate(files, 1):
            with attachment.file.open("rb") as handle:
                bundle.writestr(f"佐证材料/{n:03d}-{attachment.name}", handle.read())
    name = f"问责移送-{task.code or task.pk}-{intervention.occurred_on}.zip"
    return out.getvalue(), name
