"""The command line's layout: shared helpers in cli/_common.py, command modules that never import the package root.

Before, cli/{assist,web,evaluate,alignment_map}.py imported private helpers from cli/__init__.py, which
imported them back at its end (a cycle held together by import order).
"""

from __future__ import annotations

import ast
from pathlib import Path

from typer.main import get_command

from assistant.cli import app

CLI = Path(__file__).resolve().parents[1] / "assistant" / "cli"
COMMAND_MODULES = sorted(p for p in CLI.glob("*.py") if p.name not in ("__init__.py", "_common.py"))


def _relative_imports(path: Path) -> set[str]:
    """The modules of the cli package a file imports ("" for the package root)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add(node.module or "")
    return found


def test_command_modules_import_only_the_shared_helpers() -> None:
    assert COMMAND_MODULES, "no command modules found"
    for path in COMMAND_MODULES:
        assert _relative_imports(path) <= {"_common"}, f"{path.name} imports {_relative_imports(path)}"
    assert _relative_imports(CLI / "_common.py") == set()


def test_every_command_module_registers_its_commands() -> None:
    names = set(get_command(app).commands)
    expected = {"check", "rules", "index", "ask", "schema", "score", "map", "rewrite", "questions", "retro", "draft"}
    assert expected | {"eval", "eval-compare", "app"} <= names


def test_no_assert_for_control_flow_in_the_cli_and_the_harness() -> None:
    package = CLI.parent
    names = ["__init__", "_common", "alignment_map", "assist", "evaluate", "web"]
    files = [CLI / f"{name}.py" for name in names] + [*(package / "evaluation").glob("*.py")]
    files += [*(package / "rules").glob("*.py"), package / "reports" / "__init__.py"]
    files += [package / "scoring.py", package / "stages.py", package / "atomic.py", package / "app" / "guard.py"]
    found = [
        f"{path.relative_to(package)}:{node.lineno}"
        for path in files
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Assert)
    ]
    assert not found
