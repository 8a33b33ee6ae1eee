"""What each document says, built from its task, unit or period (one ``Content`` that both
renderings read, and that the ``Document`` row keeps)."""

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from core import clock
from supervision.choices import ReminderLevel, TaskStatus
from supervision.files.choices import DocumentType
from supervision.loop.selectors import overdue_days
from supervision.loop.workdays import remaining_workdays

ALL_UNITS = "各乡镇人民政府、街道办事处，区政府各部门，有关单位"
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
CHINESE_NUMBERS = "〇一二三四"


@dataclass
class Content:
    type: str
    title: str
    addressee: str
    paragraphs: list[str]
    issuer: str
    issued_on: str  # ISO date: 成文日期
    code: str = ""  # 发文字号, set when numbered
    table: dict | None = None  # {"columns": [...], "rows": [[...], ...]}
    copy_to: str = ""  # 抄送
    meta: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Content":
        return cls(**data)

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.issued_on)


def chinese_date(day: dt.date) -> str:
    """成文日期 in Arabic numerals, as GB/T 9704-2012 §7.3.5.1 writes it."""
    return f"{day.year}年{day.month}月{day.day}日"


def _unit(department) -> str:
    return department.short_name or department.name


def _task_state(task, today: dt.date) -> str:
    if task.status in (TaskStatus.CLOSED, TaskStatus.CANCELLED):
        return f"该事项已{task.get_status_display()}"
    late = overdue_days(task, today)
    if late:
        return f"该事项已逾期 {late} 个工作日，至今未办结"
    left = remaining_workdays(today, task.deadline)
    return f"距办理时限还有 {left} 个工作日，尚未办结"


def _rung(task) -> str:
    from supervision.reminders.models import Reminder

    levels = set(
        Reminder.objects.filter(task=task, deadline=task.deadline).values_list("level", flat=True)
    )
    for level in (ReminderLevel.NOTICE, ReminderLevel.ESCALATED, ReminderLevel.OVERDUE):
        if level in levels:
            return f"，已进入“{ReminderLevel(level).label}”等级"
    return ""


def duban(task, today: dt.date) -> Content:
    co = "、".join(_unit(d) for d in task.co_departments.all())
    paragraphs = [
        f"{task.get_source_display()}“{task.title}”（编号 {task.code}）由你单位牵头办理，"
        f"办理时限为 {chinese_date(task.deadline)}。截至 {chinese_date(today)}，"
        f"{_task_state(task, today)}{_rung(task)}。",
        "请你单位高度重视，主要负责同志亲自研究、亲自部署，逐项明确责任人和完成时限，"
        "自收到本通知书之日起 3 个工作日内将办理进展和下步措施报区政府督查办公室，"
        "并在武隆督办系统中上传佐证材料；确需延期的，请按程序申请延期。",
        "区政府督查办公室将持续跟踪督办，对仍未按期办结的，将按规定予以通报。",
    ]
    if co:
        paragraphs.insert(1, f"{co}作为配合单位，请主动对接、积极配合。")
    return Content(
        type=DocumentType.DUBAN,
        title=f"关于督促办理“{task.title}”的督办通知书",
        addressee=_unit(task.lead_department),
        paragraphs=paragraphs,
        issuer=settings.DOCUMENTS_ISSUER,
        issued_on=today.isoformat(),
        copy_to=str(task.responsible_leader or ""),
        meta={"task": task.code},
    )


def urge(task, today: dt.date) -> Content:
    return Content(
        type=DocumentType.URGE,
        title=f"关于“{task.title}”的催办通知书",
        addressee=_unit(task.lead_department),
        paragraphs=[
            f"你单位牵头办理的“{task.title}”（编号 {task.code}），办理时限为 "
            f"{chinese_date(task.deadline)}。截至 {chinese_date(today)}，{_task_state(task, today)}。",
            "请抓紧推进，于 2 个工作日内在武隆督办系统中反馈办理进展并上传佐证材料。",
        ],
        issuer=settings.DOCUMENTS_ISSUER,
        issued_on=today.isoformat(),
        meta={"task": task.code},
    )


def _weekly(period: str, today: dt.date) -> Content:
    from supervision.reminders.models import Reminder

    match = WEEK.match(period)
    try:
        monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise ValidationError({"period": "周次不存在。"}) from None
    sunday = monday + dt.timedelta(days=6)
    items = list(
        Reminder.objects.filter(
            level=ReminderLevel.NOTICE,
            created_at__gte=clock.start_of(monday),
            created_at__lt=clock.start_of(sunday + dt.timedelta(days=1)),
        )
        .select_related("department", "task", "milestone__project")
        .order_by("department__code", "deadline", "id")
    )
    rows = [
        [
            str(n),
            _unit(r.department),
            r.task.title if r.task else f"{r.milestone.project.name} · {r.milestone.name}",
            chinese_date(r.deadline),
        ]
        for n, r in enumerate(items, start=1)
    ]
    units = len({r.department_id for r in items})
    week = f"{monday.isocalendar()[0]}年第{monday.isocalendar()[1]}周"
    paragraphs = [
        f"现将{week}（{chinese_date(monday)}至{chinese_date(sunday)}）督查督办情况通报如下。",
        f"本周共有 {len(items)} 项工作逾期达到通报等级，涉及 {units} 个单位（见下表）。"
        if items
        else "本周没有逾期达到通报等级的工作。",
    ]
    if items:
        paragraphs.append(
            "请上述单位认真分析原因，于 5 个工作日内将整改措施和办理进展报区政府督查办公室。"
        )
    return Content(
        type=DocumentType.BULLETIN,
        title=f"关于{week}督查督办情况的通报",
        addressee=ALL_UNITS,
        paragraphs=paragraphs,
        issuer=settings.DOCUMENTS_ISSUER,
        issued_on=today.isoformat(),
        table={"columns": ["序号", "责任单位", "事项", "办理时限"], "rows": rows} if rows else None,
        meta={"period": period},
    )


def _quarterly(period: str, today: dt.date) -> Content:
    from supervision.scorecards.models import RankingSnapshot

    snapshot = RankingSnapshot.objects.filter(period=period).first()
    if snapshot is None:
        raise ValidationError({"period": f"{period} 的排名尚未发布（晾晒），不能生成季度通报。"})
    ranked = sorted((row for row in snapshot.rows if row.get("rank")), key=lambda row: row["rank"])
    rows = [[str(row["rank"]), row["department_name"], str(row["score"])] for row in ranked]
    year, number = int(period[:4]), int(period[-1])
    quarter = f"{year}年第{CHINESE_NUMBERS[number]}季度"
    paragraphs = [
        f"区政府督查办公室对各单位{quarter}重点工作推进情况进行了综合评价，现将结果通报如下（见下表）。"
    ]
    if ranked:
        top = "、".join(row["department_name"] for row in ranked[:3])
        paragraphs.append(f"{top}等单位工作推进有力、成效明显，予以通报表扬。")
    if len(ranked) > 3:
        bottom = "、".join(row["department_name"] for row in ranked[-3:])
        paragraphs.append(f"{bottom}等单位排名靠后，请认真查找差距，切实加快工作进度。")
    return Content(
        type=DocumentType.BULLETIN,
        title=f"关于{quarter}重点工作综合评价情况的通报",
        addressee=ALL_UNITS,
        paragraphs=paragraphs,
        issuer=settings.DOCUMENTS_ISSUER,
        issued_on=today.isoformat(),
        table={"columns": ["名次", "单位", "得分"], "rows": rows} if rows else None,
        meta={"period": period},
    )


def bulletin(period: str, today: dt.date) -> Content:
    period = (period or "").strip()
    if WEEK.match(period):
        return _weekly(period, today)
    if QUARTER.match(period):
        return _quarterly(period, today)
    raise ValidationError({"period": "督查通报须指定期间：周如 2024-W26，季度如 2024Q2。"})


def mechanism(doc_type: str, department, task, reason: str, today: dt.date) -> Content:
    """通报表扬 / 通报批评 of a unit, for a reason the office writes (and optionally a task)."""
    praise = doc_type == DocumentType.COMMENDATION
    verb = "通报表扬" if praise else "通报批评"
    subject = f"在“{task.title}”（编号 {task.code}）办理中，" if task else ""
    paragraphs = [
        f"{_unit(department)}{subject}{reason}",
        f"经研究，决定对{_unit(department)}予以{verb}。"
        + (
            "希望受到表扬的单位再接再厉，各单位以先进为榜样，推动各项工作落地见效。"
            if praise
            else "请该单位认真反思、深刻剖析，于 10 个工作日内将整改情况书面报区政府督查办公室。"
        ),
    ]
    return Content(
        type=doc_type,
        title=f"关于对{_unit(department)}予以{verb}的通报",
        addressee=ALL_UNITS,
        paragraphs=paragraphs,
        issuer=settings.DOCUMENTS_ISSUER,
        issued_on=today.isoformat(),
        meta={"task": task.code if task else "", "department": department.code},
    )
