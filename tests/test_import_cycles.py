"""No module of `app/` imports, directly or through others, a module that imports it back.

The graph is read with `ast` from every .py file under the package, so imports inside function
bodies count like those at the top: a cycle hidden in a function is still a cycle, it only moves
the failure from start-up to the first call. Each `import app.x.y`, `from app.x import y` (to
`app.x.y` when that is a module, else to `app.x`) and relative import is an edge from the
importing module to the imported one. The parent packages Python runs before any submodule are
not edges; an explicit `from app import name` is one, to `app`, unless `name` is a submodule.

Imports under `if TYPE_CHECKING:` are left out: they never run, so they make no runtime cycle,
and annotations are the one place a module may name a type from a layer above it.
"""

import ast
import textwrap
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_names(package_dir: Path) -> dict[str, Path]:
    """Map every module and package under `package_dir` to its file, by dotted name."""
    base = package_dir.parent
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(base).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(node: ast.AST) -> Iterable[ast.Import | ast.ImportFrom]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for orelse in child.orelse:
                yield from _runtime_imports(ast.Module(body=[orelse], type_ignores=[]))
        else:
            yield from _runtime_imports(child)


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that the module `name` (read from `path`) imports anywhere."""
    is_package = path.name == "__init__.py"
    targets = set()
    for node in _runtime_imports(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        if node.level:
            package = name.split(".")
            if not is_package:
                package.pop()
            package = package[: len(package) - (node.level - 1)]
            source = ".".join(package + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            targets.add(submodule if submodule in modules else source)
    return {target for target in targets if target in modules and target != name}


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Every module under `package_dir` and the modules of that package it imports."""
    modules = module_names(package_dir)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that all reach each other (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def _shortest_cycle_through(start: str, graph: dict[str, set[str]], group: set[str]) -> list[str]:
    previous = {start: None}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for successor in sorted(graph[node] & group):
                if successor == start:
                    path = [node]
                    while previous[path[-1]] is not None:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    raise AssertionError(f"{start} is in no cycle")


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through each module that is in a cycle, as paths that end where they start."""
    cycles = []
    seen = set()
    for group in strongly_connected(graph):
        for start in group:
            cycle = _shortest_cycle_through(start, graph, set(group))
            turn = cycle[:-1].index(min(cycle[:-1]))
            key = tuple(cycle[turn:-1] + cycle[:turn])
            if key not in seen:
                seen.add(key)
                cycles.append(cycle)
    return cycles


def test_app_has_no_import_cycles():
    cycles = import_cycles(import_graph(ROOT / "app"))
    assert not cycles, "Import cycles in app/:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def write_package(root: Path, files: dict[str, str]) -> Path:
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root / "pkg"


def test_cycle_finder_reports_each_cycle_with_its_path():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"f"}, "f": {"e"}, "g": {"a"}}
    assert strongly_connected(graph) == [["a", "b", "c"], ["e", "f"]]
    assert import_cycles(graph) == [["a", "b", "c", "a"], ["e", "f", "e"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_and_relative_imports_make_edges(tmp_path):
    package = write_package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.core import settings\n",
            "pkg/core.py": "settings = {}\n",
            "pkg/services/__init__.py": "",
            "pkg/services/one.py": """
                def later():
                    from pkg.services import two
                    return two
            """,
            "pkg/services/two.py": """
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from pkg.web import view
                else:
                    import pkg.core

                class Thing:
                    def method(self):
                        from . import one
                        from .. import settings
                        return one, settings
            """,
            "pkg/web/__init__.py": "",
            "pkg/web/view.py": "import pkg.services.two as two\n",
        },
    )
    graph = import_graph(package)
    assert graph["pkg"] == {"pkg.core"}
    assert graph["pkg.services"] == set()
    assert graph["pkg.services.one"] == {"pkg.services.two"}
    assert graph["pkg.services.two"] == {"pkg.core", "pkg.services.one", "pkg"}
    assert graph["pkg.web.view"] == {"pkg.services.two"}
    assert import_cycles(graph) == [["pkg.services.one", "pkg.services.two", "pkg.services.one"]]
