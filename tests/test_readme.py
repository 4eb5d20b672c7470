"""The README holds as written: every shell command in its ``bash`` / ``sh`` / ``console`` blocks runs.

The README is parsed when the tests run. Commands that start with ``okr-review``, ``python``, ``cat`` or ``ls``
(with or without ``.venv/bin/``) run through the virtual environment that runs the tests, in fresh copies of the
repository's inputs in a temporary folder (a block in order, in one copy, when a command reads an earlier one's
output), offline (no LLM or OpenAI settings) and with a private knowledge index. Every other command must be named
in ``SKIPS`` with its reason.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}
PROGRAMS = {"okr-review", "python", "python3", "cat", "ls"}  # bare, or under .venv/bin/
COPIED = ("examples", "evals", "knowledge", "prompts", "docs", "benchmarks", "scripts", "pyproject.toml")
# What the README documents as exit codes: `check` and `eval` exit 1 on findings / a missed threshold.
EXIT_CODES = {"check": {0, 1}, "eval": {0, 1}, "doctor": {0, 1}}  # doctor: 1 = runs offline, as here
TIMEOUT = 120  # seconds per command

# (pattern searched in the command, why it is not run here): keep this short, each with its reason.
SKIPS: list[tuple[str, str]] = [
    (r"-m venv\b|\bpip install\b|install-chromium\.sh", "set-up: .ci/run runs the set-up commands themselves"),
    (r"\bokr-review app\b", "starts the web server (tests/app test it over HTTP and in a browser)"),
    (r"^export (OPENAI|OKR_REVIEW_LLM)_", "configures an LLM endpoint; these tests run offline"),
    (r"\beval\b.*--(model|judge|prompt|repeat)\b", "compares models, prompts or samples: needs an LLM endpoint"),
    (r"\bOLD\.json\b|\bPATH/|--against eval-runs/", "placeholder file names that the reader fills in"),
    (r"^pbpaste\b", "reads the macOS clipboard"),
]


@dataclass(frozen=True)
class Command:
    """One shell command of the README: the line it starts on, its block's first line, its text."""

    line: int
    block: int
    text: str


def shell_commands(markdown: str) -> list[Command]:
    """The commands of every bash / sh / shell / console fenced block (``$ `` lines only in console blocks)."""
    commands: list[Command] = []
    fence: str | None = None
    language = ""
    block = 0
    pending: tuple[int, str] | None = None
    for number, line in enumerate(markdown.splitlines(), 1):
        stripped = line.strip()
        if fence is None:
            opening = re.match(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)", line)
            if opening:
                fence, language, block = opening[1], opening[2].lower(), number
            continue
        if stripped.startswith(fence) and not stripped.strip(fence[0]):
            fence, pending = None, None
            continue
        if language not in SHELL_LANGUAGES:
            continue
        if pending is None:
            if language == "console":
                if not stripped.startswith("$ "):
                    continue
                stripped = stripped[2:].strip()
            if not stripped or stripped.startswith("#"):
                continue
            pending = (number, "")
        start, text = pending
        text = f"{text} {stripped}".strip()
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        commands.append(Command(start, block, text))
        pending = None
    return commands


def skip_reason(command: Command) -> str | None:
    """Why this command is not run here, from ``SKIPS``; None when it should run."""
    return next((reason for pattern, reason in SKIPS if re.search(pattern, command.text)), None)


def segments(text: str) -> list[list[str]]:
    """The simple commands of a line, split at ``|``, ``&&``, ``||`` and ``;``, comments dropped."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    parts: list[list[str]] = [[]]
    for token in lexer:
        if token in ("|", "||", "&&", ";", "&"):
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def program(words: list[str]) -> str:
    """``.venv/bin/okr-review`` → ``okr-review``: the program a simple command runs."""
    return words[0].removeprefix(".venv/bin/")


def runnable(command: Command) -> bool:
    """Every part of the line is a program the test may run."""
    parts = segments(command.text)
    return bool(parts) and all(program(words) in PROGRAMS for words in parts)


def allowed_exit_codes(command: Command) -> set[int]:
    """The exit codes the README documents for the line's ``okr-review`` subcommand (0 otherwise)."""
    for words in segments(command.text):
        if program(words) == "okr-review" and len(words) > 1:
            return EXIT_CODES.get(words[1], {0})
    return {0}


def outputs(command: Command) -> set[str]:
    """The files a command names as its output (``-o``, ``--output``, ``>``)."""
    words = [word for part in segments(command.text) for word in part]
    return {after for before, after in pairwise(words) if before in ("-o", "--output", ">", ">>")}


def independent_units(block: list[Command]) -> list[list[Command]]:
    """A block's commands one by one, or the whole block in order when a command reads what an earlier one wrote.

    ``cat`` and ``ls`` are there to show earlier results, so a block with them always runs in order.
    """
    written: set[str] = set()
    for command in block:
        words = {word for part in segments(command.text) for word in part}
        if written & words or any(program(part) in ("cat", "ls") for part in segments(command.text)):
            return [block]
        written |= outputs(command)
    return [[command] for command in block]


def cost(command: Command) -> int:
    """A rough guess of a command's seconds, to start the slow ones first."""
    slow = {"eval": 10, "ask": 5, "rewrite": 4, "retro": 3, "questions": 3}
    return max((slow.get(part[1], 1) for part in segments(command.text) if len(part) > 1), default=1)


@dataclass(frozen=True)
class Outcome:
    """What one command did."""

    returncode: int
    stdout: str
    stderr: str


@dataclass
class Runs:
    """The outcome of every command run, by README line, and the files the commands wrote (relative paths)."""

    outcomes: dict[int, Outcome]
    written: set[str]


COMMANDS = shell_commands(README.read_text(encoding="utf-8"))


def _environment(data_dir: Path, cache_dir: Path) -> dict[str, str]:
    """This process's environment without any LLM, embedding or OpenAI settings, the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKR_REVIEW_", "OPENAI_"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["OKR_REVIEW_DATA_DIR"] = str(data_dir)
    env["OKR_REVIEW_CACHE_DIR"] = str(cache_dir)
    env["NO_COLOR"] = "1"
    return env


def _workspace(folder: Path) -> Path:
    """A copy of the inputs the README's commands read, with ``.venv`` pointing at the test's environment."""
    folder.mkdir(parents=True)
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, folder / name)
    (folder / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return folder


def _files(folder: Path) -> set[str]:
    """Every file under the folder, relative, outside ``.venv``."""
    found = set()
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".venv"]
        found.update(Path(root, file).relative_to(folder).as_posix() for file in files)
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    """Runs every runnable command once, side by side in fresh workspaces (a block in order where needed)."""
    base = tmp_path_factory.mktemp("readme")
    env = _environment(base / "data", base / "llm-cache")
    # Build the knowledge index once, so that commands running side by side only read it.
    subprocess.run(["okr-review", "index"], env=env, capture_output=True, check=True, timeout=TIMEOUT)
    blocks: dict[int, list[Command]] = {}
    for command in COMMANDS:
        if skip_reason(command) is None and runnable(command):
            blocks.setdefault(command.block, []).append(command)
    units = [unit for commands in blocks.values() for unit in independent_units(commands)]
    units.sort(key=lambda unit: -sum(cost(command) for command in unit))  # the slowest start first

    def run_unit(commands: list[Command]) -> tuple[dict[int, Outcome], set[str]]:
        folder = _workspace(base / f"line-{commands[0].line}")
        before = _files(folder)
        done = {}
        for command in commands:
            result = subprocess.run(
                ["bash", "-c", command.text],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            done[command.line] = Outcome(result.returncode, result.stdout, result.stderr)
        return done, _files(folder) - before

    found = Runs({}, set())
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        for done, written in pool.map(run_unit, units):
            found.outcomes.update(done)
            found.written |= written
    yield found


@pytest.mark.parametrize("command", COMMANDS, ids=[f"line{c.line}" for c in COMMANDS])
def test_readme_command_runs_as_written(command: Command, runs: Runs) -> None:
    reason = skip_reason(command)
    if reason is not None:
        pytest.skip(f"README line {command.line}: {reason}")
    assert runnable(command), (
        f"README line {command.line}: `{command.text}` is not run by this test: start it with okr-review, python, "
        "cat or ls, or add it to SKIPS with the reason it cannot run offline and quickly"
    )
    outcome = runs.outcomes[command.line]
    expected = allowed_exit_codes(command)
    assert outcome.returncode in expected, (
        f"README line {command.line}: `{command.text}` exited {outcome.returncode}, documented {sorted(expected)}\n"
        f"{outcome.stdout[-2000:]}\n{outcome.stderr[-4000:]}"
    )
    assert "Traceback (most recent call last)" not in outcome.stderr + outcome.stdout


def test_files_the_readme_writes_are_git_ignored(runs: Runs) -> None:
    """Reports and run records written by the README's commands into the repository are git-ignored."""
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    written = sorted(runs.written)
    assert written, "the README's commands wrote no report: they did not run where the README says"
    ignored = subprocess.run(
        [git, "check-ignore", "--no-index", "--stdin"],
        cwd=ROOT,
        input="\n".join(written),
        capture_output=True,
        text=True,
    ).stdout.split()
    assert sorted(set(written) - set(ignored)) == []


INLINE_SCRIPTS = sorted(set(re.findall(r"`python ([\w./-]+\.py)\b[^`]*`", README.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("script", INLINE_SCRIPTS)
def test_scripts_named_in_the_text_exist_and_start(script: str, tmp_path: Path) -> None:
    """``python benchmarks/….py`` in the prose (too slow to run here): the script is there and its --help works."""
    folder = _workspace(tmp_path / "workspace")
    assert (folder / script).is_file()
    env = _environment(tmp_path / "data", tmp_path / "llm-cache")
    result = subprocess.run(
        ["python", script, "--help"], cwd=folder, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def _outside_python() -> Path:
    """The interpreter the venv was made from: ``python`` when the venv is not activated."""
    base = Path(getattr(sys, "_base_executable", "") or Path(sys.base_prefix, "bin", "python3"))
    if sys.prefix == sys.base_prefix or not base.is_file():
        pytest.skip("the tests do not run in a virtual environment")
    return base


def test_the_app_benchmark_finds_okr_review_from_any_python(tmp_path: Path) -> None:
    """Run by a python outside the venv, the start-up benchmark still finds the venv's ``okr-review``."""
    folder = _workspace(tmp_path / "workspace")
    code = "import runpy; print(runpy.run_path('benchmarks/bench_app_startup.py')['COMMAND'])"
    result = subprocess.run([_outside_python(), "-c", code], cwd=folder, capture_output=True, text=True, check=True)
    command = Path(result.stdout.strip())
    assert command.name == "okr-review" and command.is_file()


def test_the_retrieval_eval_says_which_python_to_use(tmp_path: Path) -> None:
    """Run by a python without the project's dependencies, the eval says to use the venv's, without a traceback."""
    folder = _workspace(tmp_path / "workspace")
    env = _environment(tmp_path / "data", tmp_path / "llm-cache")
    result = subprocess.run(
        [_outside_python(), "evals/retrieval/run.py", "--mode", "lexical"],
        cwd=folder,
        env={**env, "PYTHONNOUSERSITE": "1"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert "Traceback" not in result.stderr
    if result.returncode != 0:  # an interpreter that lacks the dependencies, as one outside the venv usually does
        assert result.returncode == 2 and ".venv/bin/python evals/retrieval/run.py" in result.stderr


def test_every_skip_is_still_needed() -> None:
    """An entry of SKIPS that no README command matches any more is removed, so the list stays short."""
    unused = [pattern for pattern, _ in SKIPS if not any(re.search(pattern, c.text) for c in COMMANDS)]
    assert unused == []


def test_readme_says_how_to_reach_the_venv_and_ci_runs_its_test_command() -> None:
    """Bare ``okr-review`` needs the venv: the README says how; .ci/run runs the README's test command verbatim."""
    assert "source .venv/bin/activate" in README.read_text(encoding="utf-8")
    test_commands = [c.text for c in COMMANDS if "pip install" in c.text and c.text.endswith("pytest")]
    assert len(test_commands) == 1
    assert test_commands[0] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_parser_reads_shell_blocks_only() -> None:
    markdown = "\n".join(
        [
            "```bash",
            "# a comment",
            "okr-review check a.md   # trailing comment",
            "okr-review check b.md \\",
            "  --format json",
            "```",
            "```toml",
            'select = ["ALL"]',
            "```",
            "```console",
            "$ okr-review rules",
            "MEA001  measurable",
            "```",
            "````markdown",
            "```bash",
            "rm -rf /",
            "```",
            "````",
            "```",
            "okr-review app",
            "```",
        ]
    )
    commands = shell_commands(markdown)
    assert [(c.line, c.block) for c in commands] == [(3, 1), (4, 1), (11, 10)]
    assert [c.text for c in commands] == [
        "okr-review check a.md   # trailing comment",
        "okr-review check b.md --format json",
        "okr-review rules",
    ]
    assert segments(commands[0].text) == [["okr-review", "check", "a.md"]]


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        (".venv/bin/okr-review check examples/ -o report.json", True),
        ("python evals/retrieval/run.py --misses", True),
        ("cat examples/okrs.yaml | okr-review check -", True),
        ("pbpaste | okr-review check -", False),
        ("okr-review check x.md && rm -rf examples", False),
        ("/usr/bin/python -c 'print(1)'", False),
    ],
)
def test_only_known_programs_run(text: str, runs: bool) -> None:
    assert runnable(Command(1, 1, text)) is runs


def test_blocks_run_in_order_only_when_a_command_reads_an_earlier_output() -> None:
    apart = [Command(1, 1, "okr-review check a.md -o report.json"), Command(2, 1, "okr-review check b.md")]
    assert independent_units(apart) == [[apart[0]], [apart[1]]]
    chained = [Command(1, 1, "okr-review draft -o draft.json"), Command(2, 1, "okr-review check draft.json")]
    assert independent_units(chained) == [chained]
    shown = [Command(1, 1, "okr-review map examples/ -o map.svg"), Command(2, 1, "ls")]
    assert independent_units(shown) == [shown]


def test_exit_codes_follow_the_subcommand() -> None:
    assert allowed_exit_codes(Command(1, 1, ".venv/bin/okr-review check examples/")) == {0, 1}
    assert allowed_exit_codes(Command(1, 1, "okr-review ask 'x'")) == {0}
    assert allowed_exit_codes(Command(1, 1, "cat report.json")) == {0}
