"""The ``okr-review`` command line. Exit status like a linter: 0 clean, 1 findings, 2 input or usage error.

Any other failure is one line on stderr and exit 2 (the traceback with ``--debug``); Ctrl-C is exit 130,
SIGTERM 143, and neither leaves a half-written report behind.

This module holds the command group and the core commands (check, rules, index, ask, schema, score);
the other commands live in their own modules, which take what they share from ``_common`` and add
themselves to the group through their ``register(app)``. ``app`` is the whole group, put together when
first asked for; ``main`` builds only the command it runs, and imports only that command's module.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from dataclasses import replace
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException
from typer.models import CommandInfo

from .. import __version__
from ..analysis.language import detect_language
from ..reports import FORMATS, UnsafeTargetError, check_target, stream_name, write_output, write_report
from ._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    EXIT_INTERRUPTED,
    ConfigOption,
    DataDirOption,
    KnowledgeDirOption,
    assistant_tools,
    cli_text,
    describe_error,
    err,
    fail,
    knowledge_settings,
    load_notebook,
    load_settings,
    message_language,
    nothing_checked,
    open_retriever,
    parse_map,
    report_language,
    show_error,
    show_problems,
)

# Each command imports what it needs when it runs (the rules, pydantic, openpyxl, the knowledge index,
# the LLM client, gradio, rich's tables), so that ``--version`` and a small ``check`` start quickly.
if TYPE_CHECKING:
    from rich.table import Table

    from .. import scoring
    from ..config import Config
    from ..findings import Finding
    from ..model import OKRSet
    from ..review import Suggestion

__all__ = ["app", "describe_error", "main", "message_language"]

PROGRESS_MIN_KRS = 2000  # below this a progress bar only flickers
DEBUG_KEY = "okr_review.debug"  # in the root context's meta: show tracebacks


class _Commands(TyperGroup):
    """The command group: an unexpected exception becomes one line and exit 2, Ctrl-C one line and exit 130."""

    def invoke(self, ctx: Any) -> Any:  # click's Context: typer vendors click privately, so no public name for it
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):
            raise
        except KeyboardInterrupt:
            err.print("interrupted", highlight=False, markup=False)
            raise Exit(EXIT_INTERRUPTED) from None
        except BrokenPipeError:  # the reader went away (| head): say so once, and keep exit-time flushes quiet
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            show_error("the output was closed before the report was complete (broken pipe)")
            raise Exit(EXIT_ERROR) from None
        except Exception as exc:
            debug = bool(ctx.meta.get(DEBUG_KEY))
            if debug:
                import traceback

                traceback.print_exc()
            if isinstance(exc, UnsafeTargetError):  # a refusal, not a bug: its message says it all
                show_error(str(exc))
            else:
                show_error(describe_error(exc) + ("" if debug else " (--debug shows the traceback)"))
            raise Exit(EXIT_ERROR) from None


def _command_group() -> typer.Typer:
    """An empty ``okr-review`` command group: for this module's commands, ``app``, and what ``main`` runs."""
    return typer.Typer(
        name="okr-review",
        help="Check OKRs against the CLASSIC standard and explain every finding.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        cls=_Commands,
    )


_core = _command_group()  # the commands of this module; ``app`` adds the other modules' ones
# The commands the other modules register, by name, in the order of ``--help`` (tests/test_startup.py
# checks this against what the modules register).
_MODULE_COMMANDS = {
    "map": "alignment_map",
    "rewrite": "assist",
    "questions": "assist",
    "retro": "assist",
    "draft": "assist",
    "eval": "evaluate",
    "eval-compare": "evaluate",
    "app": "web",
    "checkin": "checkin",
    "doctor": "doctor",
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"okr-review {__version__}")
        raise typer.Exit()


@_core.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="OKR_REVIEW_DEBUG", help="On an unexpected error, show the traceback.")
    ] = False,
) -> None:
    """okr-review: an OKR review assistant."""
    ctx.meta[DEBUG_KEY] = debug


@_core.command()
def check(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or folders to check (json, yaml, csv, xlsx, md, txt); - for stdin."),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"Report format: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (atomically); - for standard output."),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(help="Exit 1 when a finding is at least this severe: error, warning, info, never."),
    ] = None,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rules: codes, prefixes (MEA) or dimensions. Repeatable."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip these rules (same forms as --select). Repeatable.")
    ] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map an unusual column header to a field: 'Header=field'."),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of the whole report (headings, labels, messages, fixes): auto (from the input), zh or en."
        ),
    ] = None,
    config_path: Annotated[Path | None, typer.Option("--config", help="Settings file (default: discovered).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on large batches.")] = True,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", min=1, help="Processes for large batches (default: one per core; 1: this process only)."
        ),
    ] = None,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Add rewrite candidates for KRs with measurability/outcome findings.")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="With --suggest: templates only, no LLM.")] = False,
) -> None:
    """Check OKR files and report findings per set, objective and key result."""
    from ..config import ConfigError, parse_fail_on, parse_selectors
    from ..engine import check as run_check
    from ..engine import default_jobs
    from ..importers import load_paths
    from ..review import Review

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "xlsx" and output is None:
        raise fail("--format xlsx needs --output FILE")
    if output is not None and stream_name(output) is None:
        try:  # a device, FIFO or folder is refused before any work is done
            check_target(output)
        except UnsafeTargetError as exc:
            raise fail(str(exc)) from None
    if lang is not None and lang not in ("auto", "zh", "en"):
        raise fail(f"--lang must be auto, zh or en, not {lang!r}")
    try:
        options = {
            "fail_on": parse_fail_on(fail_on) if fail_on is not None else None,
            "select": parse_selectors(select, "--select") if select else None,
            "ignore": parse_selectors(ignore, "--ignore") if ignore else None,
        }
    except ConfigError as exc:
        raise fail(str(exc)) from None
    config = load_settings(config_path, language=lang, **{k: v for k, v in options.items() if v is not None})
    if fail_on == "never":  # with_options reads None as "unchanged"
        config = replace(config, fail_on=None)
    mapping = parse_map(column_map, dict(config.columns))

    loaded = load_paths(paths, column_map=mapping or None, limits=dict(config.limits) or None)
    if not loaded.sets:  # a report would say "no findings" about inputs nobody could read
        nothing_checked(loaded.problems, config.language)
    # One language for the report and every message in it, so labels and messages never disagree.
    language = report_language(loaded.sets, config.language)
    config = replace(config, language=language)
    total = sum(len(o.key_results) for s in loaded.sets for o in s.objectives)
    workers = jobs or default_jobs()  # the engine keeps small batches in this process whatever the number
    if progress and total >= PROGRESS_MIN_KRS and err.is_terminal:
        from rich.progress import Progress

        with Progress(console=err.console, transient=True) as bar:
            task = bar.add_task("checking", total=total)
            findings = run_check(loaded.sets, config, on_progress=lambda n: bar.advance(task, n), jobs=workers)
    else:
        findings = run_check(loaded.sets, config, jobs=workers)

    review = Review(
        inputs=list(paths),
        sets=loaded.sets,
        findings=findings,
        problems=loaded.problems,
        language=language,
        notes=load_notebook(knowledge_settings(config)).notes,
    )
    if suggest:
        review.suggestions = _suggestions(loaded.sets, findings, config, language, offline=offline)
    try:
        write_report(review, fmt, output)
    except BrokenPipeError:
        raise  # the reader of standard output went away: the command group says so in one line
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    except ValueError as exc:  # the output is an input, a device or FIFO, or a terminal for a workbook
        raise fail(str(exc)) from None
    if output is not None and stream_name(output) is None:
        err.print(cli_text(language, "report_written", path=output), highlight=False, markup=False)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)
    worst = review.worst_severity()
    if config.fail_on is not None and worst is not None and worst.rank >= config.fail_on.rank:
        raise typer.Exit(EXIT_FINDINGS)


def _suggestions(
    sets: list[OKRSet], findings: list[Finding], config: Config, language: str, *, offline: bool
) -> list[Suggestion]:
    """Rewrite candidates for the review (``check --suggest``); the pass rate and tokens go to stderr."""
    from ..assist.rewrite import rewrite_batch

    tools = assistant_tools(config, offline=offline, data_dir=None, knowledge_dir=None)
    llm = tools["llm"]
    batch = rewrite_batch(sets, findings, **tools)
    err.print(batch.summary(language), highlight=False, markup=False)
    for (set_key, kr_ref), reason in batch.failures.items():
        err.print(f"{set_key} {kr_ref}: no suggestion ({reason})", highlight=False, markup=False)
    if llm is not None:
        err.print(llm.usage.describe(language), highlight=False, markup=False)
    return batch.suggestions()


@_core.command("rules")
def list_rules(
    code: Annotated[str | None, typer.Argument(help="Show one rule in full.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
) -> None:
    """List the CLASSIC rules: code, dimension, default severity, title and knowledge note."""
    from rich.console import Console
    from rich.table import Table

    from ..rules.catalogue import dimension_label, rules

    lang = lang if lang in ("zh", "en") else "en"
    table = rules()
    out = Console()
    if code:
        info = table.get(code.upper())
        if info is None:
            raise fail(f"unknown rule {code!r}; run 'okr-review rules' for the list")
        out.print(f"[bold]{info.code}[/] {info.title[lang]}", highlight=False)
        out.print(f"dimension: {info.dimension.value} ({dimension_label(info.dimension, lang)})", highlight=False)
        out.print(f"severity:  {info.severity.value}", highlight=False)
        out.print(f"note:      {info.note}", highlight=False)
        out.print(f"message:   {info.message[lang]}", highlight=False, markup=False)
        out.print(f"fix:       {info.fix[lang]}", highlight=False, markup=False)
        for label, examples in (("bad", info.bad), ("good", info.good)):
            shown = [e for e in examples if e.language == lang] or list(examples)
            for example in shown:
                kind = "KR" if example.kr is not None else "O"
                given = "; ".join(f"{name}: {_shown(value)}" for name, value in example.fields.items())
                line = f"{label + ':':<10} {kind}  {example.text}" + (f"  ({given})" if given else "")
                out.print(line, highlight=False, markup=False)
        return
    grid = Table("code", "dimension", "severity", "title", "note", box=None)
    for info in table.values():
        grid.add_row(info.code, dimension_label(info.dimension, lang), info.severity.value, info.title[lang], info.note)
    out.print(grid)


def _shown(value: Any) -> str:
    """A field of a rule example as the docs show it: "" (not given) as a dash, lists and tables as JSON."""
    if value == "":
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@_core.command("index")
def build_index(
    rebuild: Annotated[bool, typer.Option(help="Rebuild even when the index is up to date.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Build the knowledge index from the notes (done by itself on first use and when notes change)."""
    settings = knowledge_settings(load_settings(config_path), data_dir=data_dir, knowledge_dir=knowledge_dir)
    _, status = open_retriever(settings, rebuild=rebuild)
    verb = f"built ({status.reason})" if status.built else "up to date"
    typer.echo(
        f"knowledge index {verb}: {status.notes} notes, {status.chunks} passages, "
        f"embedding {status.embedding}, {status.seconds:.2f} s\n{status.where}"
    )


@_core.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question about OKRs, in Chinese or English.")],
    k: Annotated[int, typer.Option("-k", min=1, max=50, help="How many passages to show.")] = 5,
    rule: Annotated[list[str] | None, typer.Option(help="Only notes that explain this rule code. Repeatable.")] = None,
    dimension: Annotated[
        list[str] | None, typer.Option(help="Only notes on this CLASSIC dimension. Repeatable.")
    ] = None,
    mode: Annotated[str, typer.Option(help="hybrid, vector or lexical.")] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Search the guidance notes: the best passages with note id, section and score (no LLM needed)."""
    from rich.console import Console
    from rich.text import Text

    from ..knowledge.retrieval import MODES

    if mode not in MODES:
        raise fail(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    codes = [c.upper() for c in rule or []]
    dimensions = [d.lower() for d in dimension or []]
    # The rule catalogue and the OKR model are imported only to check filters given (they cost start-up time).
    if codes:
        from ..rules.catalogue import rules

        unknown = [c for c in codes if c not in rules()]
        if unknown:
            raise fail(f"unknown rule {unknown[0]!r}; run 'okr-review rules' for the list")
    if dimensions:
        from ..findings import Dimension

        known = {d.value for d in Dimension}
        if any(d not in known for d in dimensions):
            raise fail(f"--dimension must be one of {', '.join(sorted(known))}")
    settings = knowledge_settings(load_settings(config_path), data_dir=data_dir, knowledge_dir=knowledge_dir)
    retriever, status = open_retriever(settings, mode=mode)
    if status.built:
        err.print(f"knowledge index built ({status.reason}) in {status.seconds:.1f} s", highlight=False)
    lang = detect_language(question)
    passages = retriever.search(question, k, rules=codes, dimensions=dimensions, language=lang)
    if as_json:
        rows = [
            {"note": p.note_id, "title": p.title, "section": p.section, "score": p.score, "text": p.text}
            for p in passages
        ]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    out = Console()
    if not passages:
        out.print(cli_text(lang, "nothing_found"), highlight=False)
    for number, passage in enumerate(passages, start=1):
        out.print(
            Text.assemble(
                (f"{number}. ", "bold"),
                (passage.title, "bold"),
                (f" · {passage.note_id} › {passage.section}", "cyan"),
                (f"  score {passage.score:.3f}", "dim"),
            ),
            highlight=False,
        )
        # The terminal wraps: rich only breaks lines at spaces, which leaves Chinese paragraphs ragged.
        body = "\n".join(f"   {line}" if line else "" for line in passage.text.splitlines())
        out.print(Text(body + "\n"), soft_wrap=True, highlight=False)


@_core.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the schema here.")] = None,
) -> None:
    """Print the JSON Schema of the OKR input document (JSON and YAML importers)."""
    from ..model import okr_json_schema

    text = json.dumps(okr_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
        return
    try:
        write_output(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    except UnsafeTargetError as exc:
        raise fail(str(exc)) from None


@_core.command()
def score(
    paths: Annotated[list[str], typer.Argument(help="Files with final scores (score column or field).")],
    scale: Annotated[
        str | None,
        typer.Option(help="auto, fraction (0–1), percent (0–100) or five (1–5) (default: the settings' score-scale)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    config_path: ConfigOption = None,
) -> None:
    """Score summary at cycle end: each set's scores against the 60–70% healthy band and the configured marks."""
    from rich.console import Console

    from .. import scoring
    from ..importers import load_paths

    if scale is not None and scale not in ("auto", *scoring.Scale):
        raise fail(f"--scale must be auto, fraction, percent or five, not {scale!r}")
    config = load_settings(config_path)
    marks = scoring.marks(config)
    loaded = load_paths(paths, limits=dict(config.limits) or None)
    if not loaded.sets:
        nothing_checked(loaded.problems, config.language)
    show_problems(loaded.problems, message_language(config.language))
    rows = [_score_row(okr_set, config, marks, scale) for okr_set in loaded.sets]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        Console().print(_score_grid(rows, marks))
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)


def _score_row(okr_set: OKRSet, config: Config, marks: scoring.Marks, scale: str | None) -> dict[str, Any]:
    """One set's line of ``okr-review score``: its scale, counts, mean and every KR's band."""
    from .. import scoring

    used = scoring.set_scale(okr_set, config, scale)
    percents = [(o.kr_ref(kr), p) for o, kr, p in scoring.scored_key_results(okr_set, config, used)]
    summary = marks.summarise(p for _, p in percents)
    return {
        "set": okr_set.key,
        "scale": used.value,
        "scored": summary.count,
        "unscored": sum(len(o.key_results) for o in okr_set.objectives) - summary.count,
        "mean_percent": summary.mean,
        "bands": {band.value: n for band, n in summary.bands.items()},
        "key_results": [{"id": ref, "percent": p, "band": marks.band(p).value} for ref, p in percents],
    }


def _score_grid(rows: list[dict[str, Any]], marks: scoring.Marks) -> Table:
    """The score summary as a table whose band headings show the configured marks."""
    from rich.table import Table

    from .. import scoring

    low, full = f"{marks.low:g}", f"{marks.full:g}"
    healthy_low, healthy_high = (f"{edge:g}" for edge in scoring.HEALTHY_BAND)
    grid = Table(
        "set",
        "scale",
        "scored",
        "mean %",
        f"<{low}%",
        f"{low}–{healthy_low}%",
        f"{healthy_low}–{healthy_high}%",
        f"{healthy_high}–{full}%",
        f"≥{full}%",
        box=None,
    )
    for row in rows:
        b = row["bands"]
        grid.add_row(
            row["set"],
            row["scale"],
            str(row["scored"]),
            "-" if row["mean_percent"] is None else f"{row['mean_percent']:g}",
            *(str(b[band.value]) for band in scoring.Band),
        )
    return grid


def _raise_exit(signum: int, _frame: object) -> None:
    """Turn a termination signal into ``SystemExit`` so cleanup runs; a second one kills at once, as by default."""
    signal.signal(signum, signal.SIG_DFL)
    os.write(2, b"terminated\n")
    raise SystemExit(128 + signum)


def exit_on_signals() -> None:
    """SIGTERM (and SIGHUP) end the run like an exception would: ``finally`` blocks run, no temp file is left."""
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, _raise_exit)


@cache
def whole_group() -> typer.Typer:
    """Every command, in the order of ``--help``: this module's, then the other modules' (imported here)."""
    group = _command_group()
    group.registered_callback = _core.registered_callback
    group.registered_commands = list(_core.registered_commands)
    for module in dict.fromkeys(_MODULE_COMMANDS.values()):
        import_module(f".{module}", __name__).register(group)
    return group


def __getattr__(name: str) -> typer.Typer:
    """``app``: the whole command group (``whole_group()``), for tests and for ``typer``'s own tools."""
    if name == "app":
        return whole_group()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def command_for(args: list[str]) -> typer.Typer:
    """The command group to run ``args`` with: the whole group, or a copy holding only the command they name.

    Typer reads every command's signature and annotations before it parses anything (~20 ms for all of
    them), and the other commands' modules take time to import; a run needs one command. The group's own
    options take no values, so the first word not starting with ``-`` names the command; when it names
    none (``--help``, a typo), the whole group answers, with its list of commands and its suggestions.
    ``--version`` alone needs no command at all.
    """
    word = next((arg for arg in args if not arg.startswith("-")), None)
    chosen: list[CommandInfo] = []
    if word is None:
        if "--version" not in args or "--help" in args:
            return whole_group()
    else:
        if word in _MODULE_COMMANDS:
            found = _command_group()
            import_module(f".{_MODULE_COMMANDS[word]}", __name__).register(found)
            registered = found.registered_commands
        else:
            registered = _core.registered_commands
        chosen = [info for info in registered if _command_name(info) == word]
        if not chosen:
            return whole_group()
    group = _command_group()
    group.registered_callback = _core.registered_callback
    group.registered_commands = chosen
    return group


def _command_name(info: CommandInfo) -> str:
    """The name a registered command is called by (typer's rule: the function's name, ``_`` as ``-``)."""
    return info.name or getattr(info.callback, "__name__", "").lower().replace("_", "-")


def main() -> None:
    """Console-script entry point."""
    exit_on_signals()
    command_for(sys.argv[1:])()
