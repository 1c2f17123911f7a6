"""The package's import graph: no module imports itself back through others (top-level and
function-level imports alike), and no module reaches into another's private names."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, but those under `if TYPE_CHECKING:` (never run, so never a cycle)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (n for statement in child.orelse for n in runtime_nodes(statement))
            continue
        yield child
        yield from runtime_nodes(child)


def imports(name: str) -> Iterator[tuple[str, ast.ImportFrom | ast.Import]]:
    """(imported publisher module, the statement) for every import the module runs, at the
    top or in a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node) for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
            if base in MODULES and len(submodules) < len(node.names):
                yield base, node  # names defined in the module itself
            yield from ((submodule, node) for submodule in submodules)


def graph() -> dict[str, set[str]]:
    """Explicit imports only: that `import a.b.c` runs a/__init__ first is not counted, or every
    package whose __init__ imports its own modules would be a cycle."""
    return {name: {target for target, _ in imports(name)} - {name} for name in MODULES}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a path `a → b → … → a`, or None (depth-first search, three colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)) is not None:
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)) is not None:
            return found
    return None


def test_the_cycle_finder_reports_a_path() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_no_private_name_is_imported_from_another_module() -> None:
    found = [
        f"{name}: from {target} import {alias.name}"
        for name in MODULES
        for target, node in imports(name)
        if isinstance(node, ast.ImportFrom) and target != name
        for alias in node.names
        if alias.name.startswith("_") and not alias.name.startswith("__")
    ]
    assert not found, "private names imported:\n" + "\n".join(found)
