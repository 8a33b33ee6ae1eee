"""Load the transcribed 2024 work report (``seeds/data/*.yaml``) through the services.

Idempotent: rows are matched by natural key (code; a milestone by project and name), a
second load changes nothing, and a changed data file updates the matching rows.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.db import transaction

from accounts.choices import DepartmentKind, Role
from accounts.models import Department, User
from accounts.services import department_create, department_update, user_create
from config import clock
from projects.choices import Category, Stage
from projects.models import Milestone, Project
from projects.services import milestone_create, project_create, project_update
from supervision.choices import Comparison, Domain, TaskSource
from supervision.loop.models import Indicator, Task
from supervision.loop.services import indicator_save, task_create, task_update
from supervision.loop.transitions import task_assign

DATA_DIR = Path(__file__).resolve().parent / "data"
SYSTEM_USERNAME = "system"
SUPERVISION_OFFICE = "DCB"
# 武隆府发〔2024〕2号 issued the report on 2024-02-07: the date its tasks were assigned.
ASSIGNED_AT = dt.datetime(2024, 2, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DATE_RANGE = (dt.date(2024, 1, 1), dt.date(2026, 12, 31))


class SeedError(Exception):
    """The data files do not validate; nothing was loaded."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class SeedData:
    departments: list[dict] = field(default_factory=list)
    projects: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    tasks: list[dict] = field(default_factory=list)


def read(data_dir: Path = DATA_DIR) -> SeedData:
    data = SeedData()
    for path in sorted(data_dir.glob("*.yaml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, rows in content.items():
            if not hasattr(data, key):
                raise SeedError([f"{path.name}: unknown top-level key {key!r}"])
            for row in rows or []:
                row["_file"] = path.name
            getattr(data, key).extend(rows or [])
    return data


# --- validation --------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def validate(data: SeedData) -> list[str]:
    """Every problem in the data files, as ``file: code: message`` lines."""
    errors: list[str] = []

    def need(row, ok: bool, message: str):
        if not ok:
            errors.append(f"{row.get('_file')}: {row.get('code', '?')}: {message}")

    def unique(rows, what):
        counts = Counter(row.get("code") for row in rows)
        errors.extend(f"duplicate {what} code {code}" for code, n in counts.items() if n > 1)

    departments = {row.get("code") for row in data.departments}
    if SUPERVISION_OFFICE not in departments:
        errors.append(f"departments: the supervision office {SUPERVISION_OFFICE} is missing")
    projects = {row.get("code") for row in data.projects}
    for rows, what in [
        (data.departments, "department"),
        (data.projects, "project"),
        (data.indicators, "indicator"),
        (data.tasks, "task"),
    ]:
        unique(rows, what)

    def check_amount(row, key):
        if row.get(key) is None:
            return
        amount = _decimal(row[key])
        need(row, amount is not None and amount > 0, f"{key} must be a positive amount")

    def check_date(row, key, required=True):
        if row.get(key) is None and not required:
            return
        day = _date(row.get(key))
        need(
            row,
            day is not None and DATE_RANGE[0] <= day <= DATE_RANGE[1],
            f"{key} must be a date in 2024–2026, got {row.get(key)!r}",
        )

    for row in data.departments:
        need(row, bool(row.get("code")) and bool(row.get("name")), "code and name are required")
        need(row, row.get("kind") in DepartmentKind.values, f"unknown kind {row.get('kind')!r}")
    for row in data.projects:
        for key in ("code", "name", "target_text", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(
            row, row.get("category") in Category.values, f"unknown category {row.get('category')!r}"
        )
        need(row, row.get("stage") in Stage.values, f"unknown stage {row.get('stage')!r}")
        need(
            row,
            row.get("lead_department") in departments,
            f"unknown lead_department {row.get('lead_department')!r}",
        )
        check_amount(row, "annual_plan_investment")
        check_amount(row, "total_investment")
        names = [m.get("name") for m in row.get("milestones") or []]
        need(row, len(names) == len(set(names)), "milestone names must be unique per project")
        for milestone in row.get("milestones") or []:
            check_date(
                {**milestone, "_file": row.get("_file"), "code": row.get("code")}, "due_date"
            )
    for row in data.indicators:
        for key in ("code", "name", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(row, row.get("domain") in Domain.values, f"unknown domain {row.get('domain')!r}")
        if row.get("target_value") is not None:  # qualitative targets have no number
            need(row, _decimal(row["target_value"]) is not None, "target_value must be a number")
            need(
                row,
                row.get("comparison") in Comparison.values,
                f"unknown comparison {row.get('comparison')!r}",
            )
    for row in data.tasks:
        for key in ("code", "title", "content", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(row, len(str(row.get("title", ""))) <= 200, "title longer than 200 characters")
        need(row, row.get("domain") in Domain.values, f"unknown domain {row.get('domain')!r}")
        need(row, row.get("source") in TaskSource.values, f"unknown source {row.get('source')!r}")
        need(
            row,
            row.get("lead_department") in departments,
            f"unknown lead_department {row.get('lead_department')!r}",
        )
        need(
            row,
            row.get("project") is None or row.get("project") in projects,
            f"unknown project {row.get('project')!r}",
        )
        check_amount(row, "target_value")
        check_date(row, "deadline")
    _check_lengths(data, need)
    seen_names: set[str] = set()
    for row in data.departments:
        need(row, row.get("name") not in seen_names, f"duplicate department name {row.get('name')}")
        seen_names.add(row.get("name"))
    return errors


# What each file's keys are stored in, for the database's length limits.
_MODELS = {"departments": Department, "projects": Project, "indicators": Indicator, "tasks": Task}


def _check_lengths(data: SeedData, need) -> None:
    """Refuse here, with the row named, what the database would refuse for length."""
    for key, model in _MODELS.items():
        limits = {
            f.name: f.max_length
            for f in model._meta.get_fields()
            if getattr(f, "max_length", None) and not f.is_relation
        }
        for row in getattr(data, key):
            for name, limit in limits.items():
                value = row.get(name)
                if isinstance(value, str) and len(value) > limit:
                    need(row, False, f"{name} longer than {limit} characters")


# --- loading -----------------------------------------------------------------------------


class Tally:
    """Counts created / updated / unchanged per kind of row."""

    def __init__(self):
        self.counts: dict[str, Counter] = defaultdict(Counter)

    def add(self, kind: str, outcome: str):
        self.counts[kind][outcome] += 1

    def lines(self) -> list[str]:
        return [
            f"{kind}: 新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}"
            + (f"，已办结未更新 {c['skipped']}" if c["skipped"] else "")
            for kind, c in self.counts.items()
        ]

    @property
    def changed(self) -> int:
        return sum(c["created"] + c["updated"] for c in self.counts.values())


def _changes(instance, values: dict) -> dict:
    return {k: v for k, v in values.items() if getattr(instance, k) != v}


def system_user() -> User:
    """The account seeds act as: the supervision office's system user (cannot log in)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_create(
            username=SYSTEM_USERNAME,
            role=Role.SUPERVISOR,
            display_name="督办系统",
            department=Department.objects.get(code=SUPERVISION_OFFICE),
        )
    return user


def _load_departments(data: SeedData, tally: Tally) -> dict[str, Department]:
    existing = {d.code: d for d in Department.objects.all()}
    for row in data.departments:
        values = {
            "name": row["name"],
            "short_name": row.get("short_name") or "",
            "kind": row["kind"],
            "source_ref": row.get("source_ref") or "",
            "assumed": bool(row.get("assumed")),
        }
        department = existing.get(row["code"])
        if department is None:
            existing[row["code"]] = department_create(code=row["code"], **values)
            tally.add("单位", "created")
        elif changes := _changes(department, values):
            department_update(department=department, **changes)
            tally.add("单位", "updated")
        else:
            tally.add("单位", "unchanged")
    return existing


def _load_projects(data: SeedData, departments, tally: Tally) -> dict[str, Project]:
    existing = {p.code: p for p in Project.objects.all()}
    milestones = {(m.project_id, m.name): m for m in Milestone.objects.all()}
    for row in data.projects:
        values = {
            "name": row["name"],
            "category": row["category"],
            "year": int(row.get("year") or 2024),
            "stage": row["stage"],
            "lead_department": departments[row["lead_department"]],
            "annual_plan_investment": _decimal(row.get("annual_plan_investment")) or Decimal("0"),
            "total_investment": _decimal(row.get("total_investment")),
            "target_text": row["target_text"],
            "source_ref": row["source_ref"],
            "assumed": bool(row.get("assumed")),
            "location": row.get("location") or "",
        }
        project = existing.get(row["code"])
        if project is None:
            project = existing[row["code"]] = project_create(code=row["code"], **values)
            tally.add("项目", "created")
        elif changes := _changes(project, values):
            project = existing[row["code"]] = project_update(project=project, **changes)
            tally.add("项目", "updated")
        else:
            tally.add("项目", "unchanged")
        for seq, m in enumerate(row.get("milestones") or [], start=1):
            m_values = {"due_date": _date(m["due_date"]), "sequence": int(m.get("sequence") or seq)}
            milestone = milestones.get((project.pk, m["name"]))
            if milestone is None:
                milestone_create(
                    project=project, name=m["name"], source_ref=row["source_ref"], **m_values
                )
                tally.add("节点", "created")
            elif changes := _changes(milestone, m_values):
                for k, v in changes.items():
                    setattr(milestone, k, v)
                milestone.full_clean()
                milestone.save(update_fields=list(changes))
                tally.add("节点", "updated")
            else:
                tally.add("节点", "unchanged")
    return existing


def _load_indicators(data: SeedData, tally: Tally):
    from supervision.loop.models import Indicator

    existing = {i.code: i for i in Indicator.objects.all()}
    for row in data.indicators:
        values = {
            "name": row["name"],
            "domain": row["domain"],
            "unit": row.get("unit") or "",
            "target_value": _decimal(row.get("target_value")),
            "comparison": row.get("comparison") or Comparison.AT_LEAST,
            "target_text": row.get("target_text") or "",
            "source_ref": row["source_ref"],
        }
        indicator = existing.get(row["code"])
        if indicator is not None and not _changes(indicator, values):
            tally.add("指标", "unchanged")
            continue
        indicator_save(code=row["code"], **values)
        tally.add("指标", "created" if indicator is None else "updated")


def _load_tasks(data: SeedData, departments, projects, actor: User, tally: Tally):
    existing = {t.code: t for t in Task.objects.all()}
    for row in data.tasks:
        values = {
            "title": row["title"],
            "content": row["content"],
            "domain": row["domain"],
            "source": row["source"],
            "source_ref": row["source_ref"],
            "lead_department": departments[row["lead_department"]],
            "deadline": _date(row["deadline"]),
            "target_value": _decimal(row.get("target_value")),
            "target_unit": row.get("target_unit") or "",
            "assumed": bool(row.get("assumed")),
            "project": projects[row["project"]] if row.get("project") else None,
        }
        task = existing.get(row["code"])
        if task is None:
            with clock.override(ASSIGNED_AT):
                task = task_create(actor=actor, code=row["code"], **values)
                task_assign(task=task, actor=actor, comment="随区政府工作报告交办")
            tally.add("事项", "created")
        elif not (changes := _changes(task, values)):
            tally.add("事项", "unchanged")
        elif task.is_open:
            task_update(task=task, actor=actor, **changes)
            tally.add("事项", "updated")
        else:  # a closed or cancelled task keeps what it was closed with
            tally.add("事项", "skipped")


@transaction.atomic
def load(data: SeedData) -> Tally:
    """Validate, then load everything in one transaction (all or nothing)."""
    errors = validate(data)
    if errors:
        raise SeedError(errors)
    tally = Tally()
    departments = _load_departments(data, tally)
    actor = system_user()
    projects = _load_projects(data, departments, tally)
    _load_indicators(data, tally)
    _load_tasks(data, departments, projects, actor, tally)
    return tally
