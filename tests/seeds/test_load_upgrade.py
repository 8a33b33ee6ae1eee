"""``load_seeds`` on a database loaded by an earlier version updates it in place.

``seeds_e8cf673.tar.gz`` holds ``seeds/data`` and ``seeds/loader.py`` exactly as they were at
commit e8cf673 (302 tasks, no directions, no parents, stages as year-end goals). The module
loads them with that loader — what a database loaded by main held, migrated — then loads
today's files: rows are matched by code, every change is an edit through the services,
logged as a TaskEvent by the system user, and a second load changes nothing.
"""

import importlib.util
import tarfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from accounts.models import AuditRecord, Department
from projects.models import Milestone, Project
from seeds import loader
from supervision.models import Indicator, Task, TaskEvent
from tests.seeds.source import row_counts

pytestmark = pytest.mark.django_db

ARCHIVE = Path(__file__).with_name("seeds_e8cf673.tar.gz")


@dataclass
class Upgrade:
    old: loader.SeedData
    new: loader.SeedData
    before: dict
    tally: loader.Tally
    events_before: int


def _old_loader(root: Path):
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(root, filter="data")
    source = root / "seeds" / "loader.py"
    # The domain-wide helpers it imports have since moved from config/ to core/.
    source.write_text(
        source.read_text(encoding="utf-8").replace("from config import", "from core import"),
        encoding="utf-8",
    )
    spec = importlib.util.spec_from_file_location("seeds_e8cf673", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.DATA_DIR = root / "seeds" / "data"
    # Today's project services take the actor; the old loader predates that and calls them
    # without one: it acts as the system user the seeds act as.
    for name in ("project_create", "project_update", "milestone_create", "milestone_update"):
        if hasattr(module, name):
            setattr(module, name, _as_system_user(getattr(module, name)))
    return module


def _as_system_user(service):
    return lambda **kwargs: service(actor=loader.system_user(), **kwargs)


@pytest.fixture(scope="module")
def upgrade(module_transaction, django_db_blocker, tmp_path_factory) -> Upgrade:
    old_loader = _old_loader(tmp_path_factory.mktemp("e8cf673"))
    with django_db_blocker.unblock():
        assert row_counts()["tasks"] == 0, "the test database is not empty"
        old = old_loader.read(old_loader.DATA_DIR)
        old_loader.load(old)
        before = {
            "stages": dict(Project.objects.values_list("code", "stage")),
            "project_stamps": dict(Project.objects.values_list("code", "updated_at")),
            "tasks": {t.code: t for t in Task.objects.all()},
        }
        events_before = TaskEvent.objects.count()
        tally = loader.load(loader.read())
    return Upgrade(old, loader.read(), before, tally, events_before)


def test_the_old_load_is_what_main_held(upgrade):
    assert len(upgrade.old.tasks) == 302
    assert upgrade.before["stages"]["P-001"] == "completed"
    assert upgrade.before["tasks"]["RW24-0201-001"].target_value == Decimal("50")


def test_rows_are_matched_by_code_and_nothing_is_duplicated(upgrade):
    new = upgrade.new
    assert Task.objects.count() == len(new.tasks) == 422
    assert Project.objects.count() == len(new.projects)
    assert Indicator.objects.count() == len(new.indicators)
    assert Department.objects.count() == len(new.departments)
    assert Milestone.objects.count() == sum(len(p.get("milestones") or []) for p in new.projects)
    old_codes = {row["code"] for row in upgrade.old.tasks}
    kept = {t.code: t.pk for t in Task.objects.filter(code__in=old_codes)}
    assert kept == {code: task.pk for code, task in upgrade.before["tasks"].items()}


def test_the_tally_says_what_was_added_and_what_was_updated(upgrade):
    counts = {kind: dict(c) for kind, c in upgrade.tally.counts.items()}
    assert counts == {
        "单位": {"created": 3, "unchanged": 51},
        "项目": {"updated": 89, "unchanged": 5},
        "节点": {"updated": 55},  # assumed_fields: due_date
        "指标": {"created": 1, "updated": 73},
        "事项": {"created": 120, "updated": 302},  # every old task: assumed_fields at least
        loader.NODES_KIND: {"created": 422},  # the old load had no nodes
    }
    # Projects whose stage was stated (stage_source) and that have no level or location.
    stamps = dict(Project.objects.values_list("code", "updated_at"))
    unchanged = {
        code for code, at in upgrade.before["project_stamps"].items() if stamps[code] == at
    }
    assert unchanged == {"KW-04", "KW-10", "P-058", "P-059", "P-061"}


def test_every_task_edit_is_one_logged_event_with_before_and_after(upgrade):
    edits = TaskEvent.objects.filter(action="edit").select_related("task", "actor")
    assert edits.count() == 302
    assert {e.actor.username for e in edits} == {"system"}
    changes = {e.task.code: e.data["changes"] for e in edits}
    assert changes["RW24-0201-001"]["target_value"] == ["50.0000", None]
    assert changes["RW24-0201-001"]["target_comparison"] == ["at_least", ""]
    assert changes["RW24-0209-015"]["content"] == [
        "持续推进区人民医院“三甲”创建，内科综合大楼建设完成投资4亿元",
        "内科综合大楼建设完成投资4亿元",
    ]
    assert changes["RW24-0209-002"]["target_comparison"] == ["at_least", "at_most"]
    assert changes["MS24-003"]["parent"] == [None, Task.objects.get(code="MS24-002").pk]
    assert changes["RW24-0202-013"]["indicator"] == [None, Indicator.objects.get(code="IND-09").pk]
    assert changes["RW24-0202-013"]["assumed_fields"] == [[], ["deadline"]]
    created = TaskEvent.objects.filter(action="create").count()
    assert created == 422
    assert TaskEvent.objects.count() == upgrade.events_before + 302 + 120 * 2


def test_the_misleading_values_are_corrected_in_place(upgrade):
    projects = {p.code: p for p in Project.objects.all()}
    for code in ("P-001", "P-019", "KW-06", "KW-08"):
        assert projects[code].stage == "under_construction", code
    assert projects["P-054"].location == ""
    assert projects["P-001"].level == "municipal"
    indicators = {i.code: i for i in Indicator.objects.select_related("growth_of", "department")}
    assert indicators["IND-08"].comparison == ""
    assert indicators["IND-64"].growth_of == indicators["IND-63"]
    assert indicators["IND-63"].baseline == Decimal("8477")
    assert indicators["IND-01"].department.code == "TJJ"
    assert Task.objects.get(code="RW24-0208-019").target_value is None


def test_every_other_edit_is_an_audit_record_of_the_system_user(upgrade):
    """Units, projects, milestones and indicators have no log of their own: the load's edits
    (and additions) are AuditRecords with before and after, by the system user."""
    records = AuditRecord.objects.select_related("actor")
    assert {r.actor.username for r in records} == {"system"}
    tally = {kind: dict(c) for kind, c in upgrade.tally.counts.items()}

    def ids(model, action):
        return set(records.filter(model=model, action=action).values_list("object_id", flat=True))

    assert len(ids("accounts.Department", "create")) == tally["单位"]["created"]
    assert len(ids("projects.Project", "update")) == tally["项目"]["updated"]
    assert len(ids("projects.Milestone", "update")) == tally["节点"]["updated"]
    created = ids("supervision.Indicator", "create")  # a new one may get its growth link next
    assert len(created) == tally["指标"]["created"]
    assert len(ids("supervision.Indicator", "update") - created) == tally["指标"]["updated"]
    p001 = Project.objects.get(code="P-001")
    stage = records.get(model="projects.Project", object_id=str(p001.pk), action="update")
    assert (stage.before["stage"], stage.after["stage"]) == ("completed", "under_construction")
    ind08 = Indicator.objects.get(code="IND-08")
    edit = records.get(model="supervision.Indicator", object_id=str(ind08.pk), action="update")
    assert (edit.before["comparison"], edit.after["comparison"]) == ("at_least", "")


def test_a_second_load_changes_nothing(upgrade):
    counts = row_counts()
    stamps = dict(Task.objects.values_list("code", "updated_at"))
    audits = AuditRecord.objects.count()
    tally = loader.load(loader.read())
    assert tally.changed == 0
    assert row_counts() == counts
    assert dict(Task.objects.values_list("code", "updated_at")) == stamps
    assert AuditRecord.objects.count() == audits
