"""What the seed data files must satisfy before anything is loaded (``validate``).

Every problem is reported as a ``file: code: message`` line; the loader loads nothing while
there is one. Pure: no database.
"""

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from types import SimpleNamespace

from accounts.choices import DepartmentKind
from accounts.models import Department
from accounts.services import SUPERVISION_OFFICE_CODE
from projects.choices import Category, Level, Stage
from projects.models import Milestone, Project
from supervision.choices import Comparison, Domain, TaskSource
from supervision.loop.models import Indicator, Task
from supervision.loop.targets import growth_contradiction

SUPERVISION_OFFICE = SUPERVISION_OFFICE_CODE
DATE_RANGE = (dt.date(2024, 1, 1), dt.date(2026, 12, 31))


def decimal(value) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def assumable(model) -> tuple[str, ...]:
    """The field names a model's ``assumed_fields`` may list (its validator's)."""
    (validator,) = model._meta.get_field("assumed_fields").validators
    return validator.names


def validate(data) -> list[str]:
    """Every problem in the data files, as ``file: code: message`` lines."""
    errors: list[str] = []

    def need(row, ok: bool, message: str):
        if not ok:
            errors.append(f"{row.get('_file')}: {row.get('code', '?')}: {message}")

    for rows, what in [
        (data.departments, "department"),
        (data.projects, "project"),
        (data.indicators, "indicator"),
        (data.tasks, "task"),
    ]:
        counts = Counter(row.get("code") for row in rows)
        errors.extend(f"duplicate {what} code {code}" for code, n in counts.items() if n > 1)
    departments = {row.get("code") for row in data.departments}
    if SUPERVISION_OFFICE not in departments:
        errors.append(f"departments: the supervision office {SUPERVISION_OFFICE} is missing")
    refs = {
        "lead_department": departments,
        "department": departments,
        "project": {row.get("code") for row in data.projects},
        "indicator": {row.get("code") for row in data.indicators},
        "parent": {row.get("code") for row in data.tasks},
        "growth_of": {row.get("code") for row in data.indicators},
    }

    def check_ref(row, key, required=False):
        if row.get(key) is None and not required:
            return
        need(row, row.get(key) in refs[key], f"unknown {key} {row.get(key)!r}")

    def check_amount(row, key):
        if row.get(key) is None:
            return
        amount = decimal(row[key])
        need(row, amount is not None and amount > 0, f"{key} must be a positive amount")

    def check_date(row, key):
        day = date(row.get(key))
        need(
            row,
            day is not None and DATE_RANGE[0] <= day <= DATE_RANGE[1],
            f"{key} must be a date in 2024–2026, got {row.get(key)!r}",
        )

    def check_assumed(row, model):
        names = row.get("assumed_fields") or []
        allowed = assumable(model)
        need(
            row,
            isinstance(names, list)
            and set(names) <= set(allowed)
            and len(set(names)) == len(names),
            f"assumed_fields must be distinct names of {', '.join(allowed)}, got {names!r}",
        )

    def check_target(row, value, unit, comparison, tolerance):
        """A number has a unit and a direction (never defaulted); no number has neither."""
        if row.get(value) is None:
            need(row, row.get(comparison) is None, f"{comparison} given without {value}")
            need(row, row.get(tolerance) is None, f"{tolerance} given without {value}")
            return
        need(row, decimal(row[value]) is not None, f"{value} must be a number")
        need(row, bool(row.get(unit)), f"{value} needs a {unit}")
        need(
            row,
            row.get(comparison) in Comparison.values,
            f"{comparison} must be one of {', '.join(Comparison.values)}, "
            f"got {row.get(comparison)!r}",
        )
        if row.get(tolerance) is not None:
            slack = decimal(row[tolerance])
            need(row, slack is not None and slack >= 0, f"{tolerance} must be a number ≥ 0")
        need(
            row,
            row.get(comparison) != Comparison.ABOUT or row.get(tolerance) is not None,
            f"{comparison} about needs a {tolerance}",
        )

    for row in data.departments:
        need(row, bool(row.get("code")) and bool(row.get("name")), "code and name are required")
        need(row, row.get("kind") in DepartmentKind.values, f"unknown kind {row.get('kind')!r}")
    seen_names: set[str] = set()
    for row in data.departments:
        need(row, row.get("name") not in seen_names, f"duplicate department name {row.get('name')}")
        seen_names.add(row.get("name"))

    with_task = {row.get("project") for row in data.tasks}
    for row in data.projects:
        for key in ("code", "name", "target_text", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(
            row, row.get("category") in Category.values, f"unknown category {row.get('category')!r}"
        )
        need(row, row.get("stage") in Stage.values, f"unknown stage {row.get('stage')!r}")
        need(
            row,
            (row.get("level") or "") in ["", *Level.values],
            f"unknown level {row.get('level')!r}",
        )
        need(
            row,
            row.get("category") not in (Category.MUNICIPAL, Category.DISTRICT)
            or row.get("level") == row.get("category"),
            f"level {row.get('level')!r} does not match category {row.get('category')!r}",
        )
        need(
            row,
            "stage" in (row.get("assumed_fields") or []) or bool(row.get("stage_source")),
            "a stage the report does not state needs assumed_fields: [stage], "
            "one it states needs stage_source",
        )
        need(row, row.get("code") in with_task, "no task refers to this project")
        check_ref(row, "lead_department", required=True)
        check_amount(row, "annual_plan_investment")
        check_amount(row, "total_investment")
        check_assumed(row, Project)
        milestones = row.get("milestones") or []
        names = [m.get("name") for m in milestones]
        need(row, len(names) == len(set(names)), "milestone names must be unique per project")
        for milestone in milestones:
            as_row = {**milestone, "_file": row.get("_file"), "code": row.get("code")}
            check_date(as_row, "due_date")
            check_assumed(as_row, Milestone)

    indicators = {row.get("code"): row for row in data.indicators}
    for row in data.indicators:
        for key in ("code", "name", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(row, row.get("domain") in Domain.values, f"unknown domain {row.get('domain')!r}")
        check_target(row, "target_value", "unit", "comparison", "tolerance")
        check_ref(row, "department", required=True)
        check_ref(row, "growth_of")
        check_assumed(row, Indicator)
        if row.get("baseline") is not None:
            need(row, decimal(row["baseline"]) is not None, "baseline must be a number")
        need(row, row.get("growth_of") != row.get("code"), "an indicator is not its own growth")
        level = indicators.get(row.get("growth_of"))
        if level is not None:
            problem = growth_contradiction(_figures(level), _figures(row))
            need(
                row,
                bool(problem) == bool((row.get("consistency_note") or "").strip()),
                f"{problem}: record it in consistency_note"
                if problem
                else "consistency_note given, but the targets agree over the baseline",
            )

    for row in data.tasks:
        for key in ("code", "title", "content", "source_ref"):
            need(row, bool(row.get(key)), f"{key} is required")
        need(row, len(str(row.get("title", ""))) <= 200, "title longer than 200 characters")
        need(row, row.get("domain") in Domain.values, f"unknown domain {row.get('domain')!r}")
        need(row, row.get("source") in TaskSource.values, f"unknown source {row.get('source')!r}")
        check_ref(row, "lead_department", required=True)
        for key in ("project", "indicator", "parent"):
            check_ref(row, key)
        need(row, row.get("parent") != row.get("code"), "a task is not its own parent")
        check_target(row, "target_value", "target_unit", "target_comparison", "target_tolerance")
        check_amount(row, "target_value")
        check_date(row, "deadline")
        check_assumed(row, Task)
    _check_lengths(data, need)
    return errors


def _figures(row) -> SimpleNamespace:
    """An indicator row as ``growth_contradiction`` reads it."""
    comparison = row.get("comparison") or ""
    return SimpleNamespace(
        name=row.get("name"),
        unit=row.get("unit") or "",
        target_value=decimal(row.get("target_value")),
        baseline=decimal(row.get("baseline")),
        comparison=comparison,
        tolerance=decimal(row.get("tolerance")),
        get_comparison_display=lambda: dict(Comparison.choices).get(comparison, comparison),
    )


# What each file's keys are stored in, for the database's length limits.
_MODELS = {"departments": Department, "projects": Project, "indicators": Indicator, "tasks": Task}


def _check_lengths(data, need) -> None:
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
