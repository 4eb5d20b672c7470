"""Start-up: the command line imports only what the command it runs needs."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from assistant.cli import _MODULE_COMMANDS, _command_name, app, command_for

HEAVY = ("gradio", "chromadb", "langchain", "langchain_core", "openai", "openpyxl", "jieba", "numpy")
BY_EVERY_CHECK = ("assistant.rules", "assistant.importers", "assistant.model", "assistant.engine")


def _loaded_after(code: str, prefixes: tuple[str, ...]) -> set[str]:
    """The modules under ``prefixes`` that a fresh interpreter holds after running ``code``."""
    probe = (
        f"{code}\nimport sys\n"
        f"print('\\nLOADED', *sorted(m for m in sys.modules if m.split('.')[0] in {prefixes!r} or m in {prefixes!r}))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(result.stdout.rpartition("LOADED")[2].split())


def test_importing_the_cli_loads_no_heavy_library():
    assert _loaded_after("import assistant.cli", HEAVY) == set()


def test_importing_the_cli_loads_neither_the_rules_nor_pydantic():
    # --version needs none of them; each command imports its own when it runs.
    assert _loaded_after("import assistant.cli", (*BY_EVERY_CHECK, "pydantic")) == set()


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["check", "--help"]])
def test_version_and_help_load_no_heavy_library(args):
    """(typer itself loads pydantic to render help, so only our own modules and the heavy libraries are checked.)"""
    run = (
        "import sys\nfrom assistant.cli import main\n"
        f"sys.argv = ['okr-review', *{args!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass"
    )
    assert _loaded_after(run, HEAVY + BY_EVERY_CHECK) == set()


ONE_SET = Path(__file__).resolve().parents[1] / "examples" / "platform-team.md"
# What checking one Markdown file does without: the other readers, PyYAML (the notes' front matter comes
# from the cache once it is warm), rich (nothing is styled in a JSON report).
NOT_FOR_A_MARKDOWN_CHECK = (
    "yaml",
    "rich",
    "openpyxl",
    "assistant.importers._tabular",
    "assistant.importers._structured",
    "assistant.importers._workbook",
)


def _run_main(args: list[str]) -> str:
    """Code that runs ``okr-review ARGS`` through the console-script entry point."""
    return (
        f"import sys\nfrom assistant.cli import main\nsys.argv = ['okr-review', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )


def test_importing_the_cli_loads_no_rich():
    assert _loaded_after("import assistant.cli", ("rich",)) == set()


def test_a_one_set_markdown_check_loads_only_what_it_uses():
    args = ["check", str(ONE_SET), "--format", "json", "--fail-on", "never"]
    subprocess.run([sys.executable, "-c", _run_main(args)], capture_output=True, check=True)  # warms the notes cache
    loaded = _loaded_after(_run_main(args), (*HEAVY, *NOT_FOR_A_MARKDOWN_CHECK))
    assert loaded == set()
    assert "assistant.importers._outline" in _loaded_after(_run_main(args), ("assistant",))


runner = CliRunner()
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")  # when a report was written


@pytest.mark.parametrize("name", sorted(get_command(app).commands))
def test_one_command_alone_answers_as_in_the_whole_group(name):
    """``main`` builds only the command it runs: its help and its usage errors read as in the whole group."""
    alone = command_for([name, "--help"])
    assert alone is not app and [_command_name(i) for i in alone.registered_commands] == [name]
    for args in ([name, "--help"], [name, "--no-such-option"]):
        assert _result(command_for(args), args) == _result(app, args)


@pytest.mark.parametrize("args", [[], ["--help"], ["--debug", "--help"], ["chek", "x"], ["--version", "--help"]])
def test_help_and_unknown_commands_get_the_whole_group(args):
    assert command_for(args) is app


def test_version_alone_needs_no_command():
    group = command_for(["--version"])
    assert group.registered_commands == [] and _result(group, ["--version"]) == _result(app, ["--version"])


def test_a_check_run_alone_reports_as_the_whole_group(tmp_path):
    args = ["--debug", "check", str(ONE_SET), "--format", "md", "--fail-on", "never", "-o", str(tmp_path / "a.md")]
    alone = command_for(args)
    assert [_command_name(i) for i in alone.registered_commands] == ["check"]
    assert _result(alone, args)[0] == 0
    assert _result(app, [*args[:-1], str(tmp_path / "b.md")])[0] == 0
    first, second = (STAMP.sub("", (tmp_path / n).read_text(encoding="utf-8")) for n in ("a.md", "b.md"))
    assert first == second and "MEA002" in first


def _result(group, args: list[str]) -> tuple[int, str]:
    outcome = runner.invoke(group, args)
    return outcome.exit_code, outcome.output


def test_importing_the_cli_imports_no_other_command_module():
    modules = {f"assistant.cli.{module}" for module in _MODULE_COMMANDS.values()}
    assert _loaded_after("import assistant.cli", ("assistant",)) & modules == set()


def test_the_table_of_module_commands_is_what_the_modules_register():
    for module in set(_MODULE_COMMANDS.values()):
        group = typer.Typer()
        import_module(f"assistant.cli.{module}").register(group)
        registered = {_command_name(info) for info in group.registered_commands}
        assert registered == {name for name, owner in _MODULE_COMMANDS.items() if owner == module}
    names = [_command_name(info) for info in app.registered_commands]
    assert names[-len(_MODULE_COMMANDS) :] == list(_MODULE_COMMANDS)  # the order of --help
    assert len(names) == len(set(names))
