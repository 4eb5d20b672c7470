"""The package's import graph: no cycles between modules, and no lower layer importing a higher one.

Data flows one way (import → model → check → retrieve/LLM → report), and the code's imports follow it.
Imports inside functions count (a lazy import is still a dependency); imports under ``TYPE_CHECKING``
do not, since they exist only for annotations.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"

# Lowest first. A module may import from its own layer or any layer below it, never above.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset(
        {"_gc", "shipped", "model", "findings", "scoring", "atomic", "stages", "texts", "palette"}
    ),  # shared values
    frozenset({"analysis", "importers"}),  # reading text and files into the model
    frozenset({"rules", "config"}),  # the rule catalogue and the settings that select rules
    frozenset({"engine", "triage", "review"}),  # running the rules; the review a run produces
    frozenset({"reports", "knowledge", "llm", "alignment_map", "checkin", "configfile"}),  # outputs, guidance, LLM
    frozenset({"assist"}),  # the LLM tasks and their offline counterparts
    frozenset({"evaluation"}),  # the harness that measures the tasks
    frozenset({"app", "cli"}),  # the edges people use
)


def _layer_of(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return 0  # the package root holds only the version
    for index, members in enumerate(LAYERS):
        if parts[1] in members:
            return index
    return len(LAYERS)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``module`` imports at run time (a name imported from a package counts
    as the submodule when one exists by that name, else as the package)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "assistant":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in known else target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "assistant")
    found.discard(module)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {module: _imports(module, path, known) for module, path in modules.items()}


def test_every_top_level_module_has_a_layer():
    tops = {name.split(".")[1] for name in _modules() if "." in name}
    placed = set().union(*LAYERS)
    assert tops <= placed, f"place these in LAYERS: {sorted(tops - placed)}"


def test_no_module_imports_a_higher_layer():
    upward = [
        f"{module} (layer {_layer_of(module)}) imports {target} (layer {_layer_of(target)})"
        for module, targets in _graph().items()
        for target in sorted(targets)
        if _layer_of(target) > _layer_of(module)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    graph = _graph()
    # A package's __init__ importing its own submodules (to register or re-export them) is not a cycle
    # in the design sense; edges from a submodule back to its package's __init__ are.
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target] if target in path else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "\n".join(" → ".join(cycle) for cycle in cycles)


@pytest.mark.parametrize("module", ["assistant.model", "assistant.findings"])
def test_the_model_imports_nothing_of_the_package_above_it(module):
    assert all(_layer_of(target) == 0 for target in _graph()[module])
