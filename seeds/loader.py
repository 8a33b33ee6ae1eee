"""Load the transcribed 2024 work report (``seeds/data/*.yaml``) through the services.

Idempotent: rows are matched by natural key (code; a milestone by project and name), a
second load changes nothing, and a changed data file updates the matching rows through the
same services a person would use, so every edit is logged (TaskEvents for tasks). The
data is checked first (``seeds.checks.validate``); nothing is loaded while it has a problem.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from django.db import transaction

from accounts.models import Department, User
from accounts.services import department_create, department_update, system_user
from core import clock
from projects.models import Milestone, Project
from projects.services import milestone_create, milestone_update, project_create, project_update
from seeds.checks import date, decimal, validate
from seeds.nodes import load_nodes
from supervision.loop.models import Indicator, Task
from supervision.loop.services import indicator_save, task_create, task_update
from supervision.loop.transitions import task_assign

__all__ = ["DATA_DIR", "SeedData", "SeedError", "Tally", "load", "parse_yaml", "read", "validate"]

DATA_DIR = Path(__file__).resolve().parent / "data"
NODES_KIND = "阶段节点（推定，按事项计）"
# 武隆府发〔2024〕2号 issued the report on 2024-02-07: the date its tasks were assigned.
ASSIGNED_AT = dt.datetime(2024, 2, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


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


def parse_yaml(text: str):
    """Safe YAML, with libyaml's loader where PyYAML has it (about ten times faster)."""
    if hasattr(yaml, "CSafeLoader"):
        return yaml.load(text, Loader=yaml.CSafeLoader)
    return yaml.safe_load(text)


def read(data_dir: Path = DATA_DIR) -> SeedData:
    data = SeedData()
    for path in sorted(data_dir.glob("*.yaml")):
        content = parse_yaml(path.read_text(encoding="utf-8")) or {}
        for key, rows in content.items():
            if not hasattr(data, key):
                raise SeedError([f"{path.name}: unknown top-level key {key!r}"])
            for row in rows or []:
                row["_file"] = path.name
            getattr(data, key).extend(rows or [])
    return data


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


def _load_departments(data: SeedData, actor: User, tally: Tally) -> dict[str, Department]:
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
            existing[row["code"]] = department_create(code=row["code"], actor=actor, **values)
            tally.add("单位", "created")
        elif changes := _changes(department, values):
            department_update(department=department, actor=actor, **changes)
            tally.add("单位", "updated")
        else:
            tally.add("单位", "unchanged")
    return existing


def _load_milestones(
    row: dict, project: Project, milestones: dict, actor: User, tally: Tally
) -> None:
    for seq, m in enumerate(row.get("milestones") or [], start=1):
        values = {
            "due_date": date(m["due_date"]),
            "sequence": int(m.get("sequence") or seq),
            "assumed_fields": list(m.get("assumed_fields") or []),
        }
        milestone = milestones.get((project.pk, m["name"]))
        if milestone is None:
            milestone_create(
                actor=actor, project=project, name=m["name"], source_ref=row["source_ref"], **values
            )
            tally.add("节点", "created")
        elif changes := _changes(milestone, values):
            milestone_update(actor=actor, milestone=milestone, **changes)
            tally.add("节点", "updated")
        else:
            tally.add("节点", "unchanged")


def _load_projects(data: SeedData, departments, actor: User, tally: Tally) -> dict[str, Project]:
    existing = {p.code: p for p in Project.objects.all()}
    milestones = {(m.project_id, m.name): m for m in Milestone.objects.all()}
    for row in data.projects:
        values = {
            "name": row["name"],
            "category": row["category"],
            "level": row.get("level") or "",
            "year": int(row.get("year") or 2024),
            "stage": row["stage"],
            "lead_department": departments[row["lead_department"]],
            "annual_plan_investment": decimal(row.get("annual_plan_investment")) or Decimal("0"),
            "total_investment": decimal(row.get("total_investment")),
            "target_text": row["target_text"],
            "source_ref": row["source_ref"],
            "assumed": bool(row.get("assumed")),
            "assumed_fields": list(row.get("assumed_fields") or []),
            "location": row.get("location") or "",
        }
        project = existing.get(row["code"])
        if project is None:
            project = existing[row["code"]] = project_create(
                actor=actor, code=row["code"], **values
            )
            tally.add("项目", "created")
        elif changes := _changes(project, values):
            project = existing[row["code"]] = project_update(
                actor=actor, project=project, **changes
            )
            tally.add("项目", "updated")
        else:
            tally.add("项目", "unchanged")
        _load_milestones(row, project, milestones, actor, tally)
    return existing


def _load_indicators(data: SeedData, departments, actor, tally: Tally) -> dict[str, Indicator]:
    """Two passes: every indicator first, then the growth links (both ends must exist for
    the baseline check the model runs when a link is saved)."""
    existing = {i.code: i for i in Indicator.objects.all()}
    outcome = {}
    for row in data.indicators:
        values = {
            "name": row["name"],
            "domain": row["domain"],
            "unit": row.get("unit") or "",
            "target_value": decimal(row.get("target_value")),
            "comparison": row.get("comparison") or "",  # validate() refused a missing one
            "tolerance": decimal(row.get("tolerance")),
            "baseline": decimal(row.get("baseline")),
            "baseline_text": row.get("baseline_text") or "",
            "consistency_note": (row.get("consistency_note") or "").strip(),
            "department": departments[row["department"]],
            "assumed_fields": list(row.get("assumed_fields") or []),
            "target_text": row.get("target_text") or "",
            "source_ref": row["source_ref"],
        }
        indicator = existing.get(row["code"])
        if indicator is None:
            outcome[row["code"]] = "created"
        elif changes := _changes(indicator, values):
            outcome[row["code"]] = "updated"
            values = changes
        else:
            outcome[row["code"]] = "unchanged"
            continue
        existing[row["code"]], _ = indicator_save(code=row["code"], actor=actor, **values)
    for row in data.indicators:
        growth_of = existing[row["growth_of"]] if row.get("growth_of") else None
        indicator = existing[row["code"]]
        if indicator.growth_of_id != (growth_of and growth_of.pk):
            existing[row["code"]], _ = indicator_save(
                code=row["code"], actor=actor, growth_of=growth_of
            )
            outcome[row["code"]] = outcome[row["code"]].replace("unchanged", "updated")
    for kind in outcome.values():
        tally.add("指标", kind)
    return existing


def _load_tasks(data: SeedData, departments, projects, indicators, actor: User, tally: Tally):
    """Every task, with its parent (分解交办: MS24-002 and its ten) when the parent exists
    already; a second pass links the parents that were created after their children."""
    existing = {t.code: t for t in Task.objects.all()}
    outcome = {}
    for row in data.tasks:
        values = {
            "title": row["title"],
            "content": row["content"],
            "domain": row["domain"],
            "source": row["source"],
            "source_ref": row["source_ref"],
            "lead_department": departments[row["lead_department"]],
            "deadline": date(row["deadline"]),
            "target_value": decimal(row.get("target_value")),
            "target_unit": row.get("target_unit") or "",
            "target_comparison": row.get("target_comparison") or "",  # validate() refused none
            "target_tolerance": decimal(row.get("target_tolerance")),
            "assumed": bool(row.get("assumed")),
            "assumed_fields": list(row.get("assumed_fields") or []),
            "project": projects[row["project"]] if row.get("project") else None,
            "indicator": indicators[row["indicator"]] if row.get("indicator") else None,
        }
        if not row.get("parent") or row["parent"] in existing:  # else: the second pass
            values["parent"] = existing[row["parent"]] if row.get("parent") else None
        task = existing.get(row["code"])
        if task is None:
            with clock.override(ASSIGNED_AT):
                task = existing[row["code"]] = task_create(actor=actor, code=row["code"], **values)
                task_assign(task=task, actor=actor, comment="随区政府工作报告交办")
            outcome[row["code"]] = "created"
        elif not (changes := _changes(task, values)):
            outcome[row["code"]] = "unchanged"
        elif task.is_open:
            existing[row["code"]] = task_update(task=task, actor=actor, **changes)
            outcome[row["code"]] = "updated"
        else:  # a closed or cancelled task keeps what it was closed with
            outcome[row["code"]] = "skipped"
    for row in data.tasks:
        task = existing[row["code"]]
        parent = existing[row["parent"]] if row.get("parent") else None
        if task.parent_id != (parent and parent.pk) and task.is_open:
            task_update(task=task, actor=actor, parent=parent)
            outcome[row["code"]] = outcome[row["code"]].replace("unchanged", "updated")
    for kind in outcome.values():
        tally.add("事项", kind)


@transaction.atomic
def load(data: SeedData) -> Tally:
    """Validate, then load everything in one transaction (all or nothing)."""
    errors = validate(data)
    if errors:
        raise SeedError(errors)
    tally = Tally()
    actor = system_user()  # every edit below is audited as the system's
    departments = _load_departments(data, actor, tally)
    actor = system_user()  # now in the supervision office
    projects = _load_projects(data, departments, actor, tally)
    indicators = _load_indicators(data, departments, actor, tally)
    _load_tasks(data, departments, projects, indicators, actor, tally)
    given, unchanged = load_nodes([row["code"] for row in data.tasks])
    for outcome, n in (("created", given), ("unchanged", unchanged)):
        if n:  # counted per task given its quarterly nodes
            tally.counts[NODES_KIND][outcome] += n
    return tally
