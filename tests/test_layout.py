"""The package's layout is its pipeline: each stage imports only the stages below it, and no
module imports itself back through another, at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sitegen

PACKAGE = Path(sitegen.__file__).parent

# Lowest first. The foundation is what every stage may use: settings, diagnostics, errors,
# reporting, the cache store, worker pools, the render time limit and the collector policy.
STAGES = ["foundation", "content", "check", "render", "cards", "build", "preview", "cli"]
FOUNDATION = {"sitegen", "sitegen.config", "sitegen.diagnostics", "sitegen.errors", "sitegen.report",
              "sitegen.cache", "sitegen.parallel", "sitegen.collector", "sitegen.capabilities",
              "sitegen.theme", "sitegen.watchdog"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    if module in ("sitegen.cli", "sitegen.__main__"):
        return "cli"
    stage = module.split(".")[1]
    assert stage in STAGES, f"{module} belongs to no stage: add its folder to STAGES"
    return stage


def imports(path: Path, modules: set[str]) -> set[str]:
    """The sitegen modules `path` imports, wherever the import statement stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            assert not node.level, f"{path}: a relative import; sitegen's modules import by full name"
            # `from package import module` names a module; `from module import name` does not
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        found.update(name for name in names if name in modules)
    return found


def graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports(path, set(paths)) - {name} for name, path in paths.items()}


def test_every_stage_imports_only_the_stages_below_it():
    upward = [f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)})"
              for module, targets in graph().items() for target in sorted(targets)
              if STAGES.index(stage_of(target)) > STAGES.index(stage_of(module))]
    assert upward == []


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of the import graph once, found by depth-first search."""
    found, done = [], set()

    def visit(node: str, trail: list[str]) -> None:
        for target in sorted(edges.get(node, ())):
            if target in trail:
                cycle = trail[trail.index(target):]
                if not any(set(cycle) == set(c) for c in found):
                    found.append(cycle + [target])
            elif target not in done:
                visit(target, trail + [target])
        done.add(node)

    for start in sorted(edges):
        if start not in done:
            visit(start, [start])
    return found


def test_no_module_imports_itself_back():
    assert cycles(graph()) == []


@pytest.mark.parametrize("edges, expected", [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"a"}}, [["a", "b", "a"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"b"}}, [["b", "c", "b"]]),
])
def test_the_cycle_finder_finds_cycles(edges, expected):
    assert cycles(edges) == expected


def test_the_import_reader_sees_imports_inside_functions(tmp_path):
    probe = PACKAGE / "content" / "model.py"
    found = imports(probe, {"sitegen.content.frontmatter", "sitegen.build.builder"})
    assert "sitegen.content.frontmatter" in found
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from sitegen.build import builder\n")
    assert imports(source, {"sitegen.build.builder", "sitegen.build"}) == {"sitegen.build.builder"}
