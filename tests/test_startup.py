"""Start-up: the command line imports only what the command it runs needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
