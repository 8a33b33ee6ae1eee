"""Guards of the code's shape (issue 11), read from the source with ``ast`` (no database).

- The import graph of our modules has no cycle. It is built from every module-level
  ``import``/``from … import`` of ``core``, ``accounts``, ``projects``, ``supervision``, ``config``,
  ``seeds`` and ``bench`` (a module imports what it names, a package's ``__init__`` included);
  imports inside functions and ``if TYPE_CHECKING:`` blocks are left out: they run after
  every module has loaded, which is how a lower layer calls back into a higher one
  (``events.publish`` aside). A cycle is a strongly connected component of more than one
  module (Tarjan).
- The layers ``core ← accounts ← projects ← supervision`` hold: ``core`` imports none of ours; ``accounts`` imports neither
  ``projects`` nor ``supervision``, ``projects`` never ``supervision``; the webhooks app only
  ``accounts``, ``core`` and ``config``; production code never imports ``seeds``, ``bench`` or ``tests``.
- No module over 400 lines outside tests, migrations and bench.
- ``config/`` holds settings, urls, celery, wsgi/asgi and the ``api/`` package.
- One definition of each rule: no ``"red"``/``"yellow"``/``"green"`` literal outside
  ``projects.choices.Light``; one ``MONEY`` (``projects/money.py``); search and ordering
  defined only in FilterSets (``filters.py``).
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "accounts", "projects", "supervision", "config", "seeds", "bench")
MAX_LINES = 400


def _source_files(*, include_bench: bool = True):
    for package in PACKAGES:
        if package == "bench" and not include_bench:
            continue
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _module_level_imports(tree: ast.Module):
    """Import nodes run when the module loads (not in functions or TYPE_CHECKING blocks)."""
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
            continue
        for field in ("body", "orelse", "finalbody", "handlers"):
            pending.extend(getattr(node, field, None) or [])


@cache
def import_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in _source_files()}

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        deps = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _module_level_imports(_tree(path)):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                # ``from a.b import c``: the module a.b.c if c is one, else a.b itself.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            deps |= {found for target in targets if (found := known(target))}
        deps.discard(name)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one node (iterative Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_has_no_cycles():
    graph = import_graph()
    assert len(graph) > 100  # the walk really saw the code
    assert "supervision.loop.models" in graph["supervision.loop.transitions"]
    assert _cycles(graph) == []


def _imports_of(prefix: str) -> dict[str, set[str]]:
    return {
        module: deps
        for module, deps in import_graph().items()
        if module == prefix or module.startswith(prefix + ".")
    }


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("core", ("accounts", "projects", "supervision", "config", "seeds", "bench")),
        ("accounts", ("projects", "supervision", "seeds", "bench")),
        ("projects", ("supervision", "seeds", "bench")),
        ("supervision", ("seeds", "bench")),
        ("config", ("seeds", "bench")),
        ("supervision.webhooks", ("projects", "supervision.loop", "supervision.kinds")),
    ],
)
def test_layers(layer, forbidden):
    wrong = {
        (module, dep)
        for module, deps in _imports_of(layer).items()
        for dep in deps
        if any(dep == f or dep.startswith(f + ".") for f in forbidden)
    }
    assert not wrong


def test_no_module_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _source_files(include_bench=False)
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules: {long}"


def test_config_holds_settings_urls_celery_wsgi_asgi_and_api():
    allowed = {"__init__.py", "settings.py", "urls.py", "celery.py", "wsgi.py", "asgi.py", "api"}
    present = {path.name for path in (ROOT / "config").iterdir() if path.name != "__pycache__"}
    assert present - allowed == set()


def _production_files():
    return list(_source_files(include_bench=False))


def test_light_literals_only_in_the_enum():
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _production_files()
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Constant) and node.value in ("red", "yellow", "green")
    ]
    assert len(found) == 3
    assert all(place.startswith("projects/choices.py:") for place in found), found


def _assignments(name: str):
    for path in _production_files():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if getattr(target, "id", None) == name or getattr(target, "attr", None) == name:
                        yield path, node


def test_one_money():
    assert [str(path.relative_to(ROOT)) for path, _ in _assignments("MONEY")] == [
        "projects/money.py"
    ]


@pytest.mark.parametrize("name", ["search_fields", "ordering_fields"])
def test_search_and_ordering_are_defined_in_filtersets_only(name):
    """Outside ``filters.py``: only references to a FilterSet's own (the admin reuses them);
    a literal list is allowed in the admin of a model the API does not search."""
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, node in _assignments(name)
        if path.name != "filters.py"
        and not isinstance(node.value, ast.Attribute)
        and not (path.name == "admin.py" and name == "search_fields")
    ]
    assert not wrong
    backends = [
        str(path.relative_to(ROOT))
        for path in _production_files()
        if path.name != "filters.py"
        and any(
            isinstance(node, ast.Name | ast.Attribute)
            and getattr(node, "id", getattr(node, "attr", None))
            in ("SearchFilter", "OrderingFilter")
            for node in ast.walk(_tree(path))
        )
    ]
    assert not backends


def _environment_variables() -> set[str]:
    """Every variable ``config/settings.py`` and ``config/celery.py`` read through
    django-environ (``env(…)``, ``env.bool(…)`` …, ``environ.Env(NAME=…)``)."""
    names = set()
    for path in (ROOT / "config" / "settings.py", ROOT / "config" / "celery.py"):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func == "environ.Env":
                names |= {keyword.arg for keyword in node.keywords if keyword.arg}
            elif func.startswith("env") or "Env()" in func:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    names.add(first.value)
    return names


def test_the_readme_lists_every_environment_variable_the_settings_read():
    names = _environment_variables()
    assert {"SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Configuration") :]
    table = table[: table.index("\n## ")]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert not missing, f"add to README's configuration table: {missing}"
    assert "collectstatic" in table


def test_report_owed_is_defined_once():
    """Reporting periods, due days and "a report was made within the period" live in
    ``supervision.loop.reporting``; the scan, the inbox and the report cards ask it."""
    defined = [
        f"{path.relative_to(ROOT)}:{node.name}"
        for path in _production_files()
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef)
        and node.name in ("period_bounds", "report_deadline", "reported_within", "report_owed")
    ]
    assert sorted(defined) == [
        "supervision/loop/reporting.py:period_bounds",
        "supervision/loop/reporting.py:report_deadline",
        "supervision/loop/reporting.py:report_owed",
        "supervision/loop/reporting.py:reported_within",
    ]
    users = {
        module for module, deps in import_graph().items() if "supervision.loop.reporting" in deps
    }
    assert {
        "supervision.reminders.scan",
        "supervision.web.views.inbox",
        "supervision.scorecards.rankings.figures",
    } <= users
