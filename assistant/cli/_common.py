"""What every ``okr-review`` command shares: exit codes, error display, settings, notes, the retriever, the LLM.

The command modules (the core commands in ``__init__``, and ``assist``, ``web``, ``evaluate``,
``alignment_map``) import from here and never from each other, so the package has no import cycle.
Heavy modules (pydantic, the knowledge index, the LLM client, even rich) are imported inside the functions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from ..config import Config
    from ..findings import InputProblem
    from ..knowledge import KnowledgeSettings, NoteBook
    from ..llm import LLM
    from ..model import OKRSet

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
NOTES_CACHE = "notes-front-matter.json"  # in the data folder: the notes' parsed front matter (see knowledge.notes)


class _Stderr:
    """rich's console on standard error, made on first use: a clean run prints nothing there, and rich takes
    ~30 ms to import. Every attribute is the console's (``err.print``, ``err.is_terminal``)."""

    _made: Console | None = None

    @property
    def console(self) -> Console:
        if _Stderr._made is None:
            from rich.console import Console

            _Stderr._made = Console(stderr=True)
        return _Stderr._made

    def __getattr__(self, name: str) -> Any:
        return getattr(self.console, name)


err = _Stderr()

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the knowledge index is kept (default: per-user data folder).")
]
KnowledgeDirOption = Annotated[
    Path | None, typer.Option("--knowledge-dir", help="Folder of guidance notes (default: the bundled notes).")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Settings file (default: discovered).")]


def cli_text(language: str, key: str, **values: Any) -> str:
    """A sentence of the command line in ``language`` (``assistant/data/cli.toml``)."""
    from ..texts import words

    return words("cli").get(language, key, **values)


def describe_error(exc: BaseException) -> str:
    """One line that says what went wrong, for an exception no command turned into a message of its own."""
    if isinstance(exc, MemoryError):
        text = "out of memory (the input is too large)"
    elif isinstance(exc, RecursionError):
        text = "the input is nested too deeply"
    elif isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        text = f"{exc.strerror}: {where}" if where != "" else exc.strerror
    else:
        detail = str(exc)
        text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:299] + "…"


def show_error(message: str) -> None:
    """``error: message`` on stderr, the message shown as written (no markup)."""
    from rich.markup import escape

    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False, markup=True, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Show the error and return the exit (status 2) for the caller to raise."""
    show_error(message)
    return typer.Exit(EXIT_ERROR)


def load_settings(config_path: Path | None, **options: Any) -> Config:
    """The settings file (given or discovered) with the command's options applied; a bad file stops the command."""
    from ..config import ConfigError
    from ..configfile import load_config

    try:
        return load_config(config_path).with_options(**options)
    except ConfigError as exc:
        raise fail(str(exc)) from None


def knowledge_settings(config: Config, **options: Any) -> KnowledgeSettings:
    """The knowledge settings of the config with the command's folders applied."""
    from ..configfile import knowledge_settings_of
    from ..knowledge import SettingsError

    try:
        return knowledge_settings_of(config).with_options(**options)
    except SettingsError as exc:
        raise fail(str(exc)) from None


def load_notebook(settings: KnowledgeSettings) -> NoteBook:
    """The notes that explain findings; a broken note is reported and left out, never fatal to a check."""
    from ..knowledge import NoteBook, load_notes

    if not settings.knowledge_dir.is_dir():
        err.print(f"warning: no knowledge notes at {settings.knowledge_dir}", highlight=False, markup=False)
        return NoteBook({})
    notebook = load_notes(settings.knowledge_dir, cache=settings.data_dir / NOTES_CACHE)
    for problem in notebook.problems:
        err.print(f"warning: {problem}", highlight=False, markup=False)
    return notebook


def parse_map(pairs: list[str] | None, base: dict[str, str]) -> dict[str, str]:
    """The column map of the settings plus the ``--map 'Header=field'`` options."""
    mapping = dict(base)
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise fail(f"--map expects 'Column header=field', got {pair!r}")
        mapping[header.strip()] = field.strip()
    return mapping


def report_language(sets: list[OKRSet], setting: str) -> str:
    """The one language of a whole report: the setting, else the language most of the input is written in."""
    from ..triage import resolve_language

    return resolve_language(setting, sets)


def message_language(setting: str, environ: Mapping[str, str] = os.environ) -> str:
    """The language of a message given before any OKR was read: the setting, else the locale, else Chinese."""
    from ..texts import LANGUAGES

    if setting in LANGUAGES:
        return setting
    locale = environ.get("LC_ALL") or environ.get("LC_MESSAGES") or environ.get("LANG") or ""
    return "en" if locale.lower().startswith("en") else "zh"


def show_problems(problems: Iterable[InputProblem], language: str) -> None:
    """Each input problem on stderr, in ``language``, with the command line's wording of its hints (``--map``)."""
    from ..importers.messages import problem_text

    for problem in problems:
        err.print(problem_text(problem, language, "cli"), highlight=False, markup=False, soft_wrap=True)


def nothing_checked(problems: list[InputProblem], setting: str) -> NoReturn:
    """Print why nothing could be read and stop with exit 2: with no OKR read there is no review to report."""
    language = message_language(setting)
    show_problems(problems, language)
    err.print(cli_text(language, "nothing_checked"), highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(EXIT_ERROR)


def open_retriever(settings: KnowledgeSettings, *, rebuild: bool = False, mode: str = "hybrid") -> tuple[Any, Any]:
    """The knowledge retriever and its index status; missing notes or a broken index stop the command."""
    from ..knowledge import open_retriever as open_index
    from ..knowledge.embeddings import EmbeddingError
    from ..knowledge.index import KnowledgeIndexError

    if not settings.knowledge_dir.is_dir():
        raise fail(f"no knowledge notes at {settings.knowledge_dir}")
    try:
        return open_index(settings, rebuild=rebuild, mode=mode)
    except (KnowledgeIndexError, EmbeddingError) as exc:
        raise fail(str(exc)) from None


def knowledge_tools(config: Config, data_dir: Path | None, knowledge_dir: Path | None) -> tuple[Any, Any]:
    """The retriever and its notebook, saying on stderr when the index had to be built first."""
    retriever, status = open_retriever(knowledge_settings(config, data_dir=data_dir, knowledge_dir=knowledge_dir))
    if status.built:
        err.print(f"knowledge index built ({status.reason}) in {status.seconds:.1f} s", highlight=False)
    return retriever, retriever.index.notebook


def connect_llm(config: Config, *, offline: bool) -> LLM | None:
    """The configured LLM, or ``None`` for offline mode; a broken setting stops the command (status 2)."""
    from ..configfile import llm_settings_of
    from ..llm import LLM, LLMSettingsError

    if offline:
        return None
    try:
        settings = llm_settings_of(config)
    except LLMSettingsError as exc:
        raise fail(str(exc)) from None
    llm = LLM.from_settings(settings)
    if llm is not None:
        err.print(f"LLM: {settings.describe()}", highlight=False, markup=False)
    return llm


def assistant_tools(
    config: Config, *, offline: bool, data_dir: Path | None, knowledge_dir: Path | None
) -> dict[str, Any]:
    """What every task takes besides its input: ``llm`` (or None), ``retriever``, ``notebook``, ``config``."""
    llm = connect_llm(config, offline=offline)
    retriever, notebook = knowledge_tools(config, data_dir, knowledge_dir)
    return {"llm": llm, "retriever": retriever, "notebook": notebook, "config": config}
