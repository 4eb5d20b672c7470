"""``okr-review checkin``: where each key result stands mid-cycle, why some are at risk, and the meeting agenda.

Reads one or more check-in files (one per date, or one with an update-date column), joins them into one
state per key result with its history, classifies every KR against the time line on ``--as-of`` and prints
or writes the report (text, JSON, Markdown, HTML, XLSX) with the check-in meeting agenda. Exit status: 0
nothing to discuss, 1 findings at or above ``--fail-on``, 2 input that could not be read (the rest is still
reported).
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from ..reports import UnsafeTargetError, check_target, write_output
from ._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    ConfigOption,
    KnowledgeDirOption,
    cli_text,
    connect_llm,
    err,
    fail,
    knowledge_settings,
    load_notebook,
    load_settings,
    nothing_checked,
    parse_map,
    report_language,
    show_problems,
)

__all__ = ["checkin", "parse_as_of", "register"]

_SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3, "never": 4}


def register(app: typer.Typer) -> None:
    """Add ``checkin`` to the command group."""
    app.command()(checkin)


def parse_as_of(text: str | None, today: date | None = None) -> date:
    """The check-in date: ``2025-08-15`` (also ``2025/8/15``, ``2025年8月15日``); today when not given."""
    from ..importers._values import due_date

    if text is None or not text.strip():
        return today or date.today()
    try:
        found = due_date(text.strip())
    except ValueError as exc:
        raise fail(f"--as-of: {exc}") from None
    if found is None:
        raise fail(f"--as-of: not a date: {text!r} (use e.g. 2025-08-15)")
    return found


def checkin(
    paths: Annotated[list[Path], typer.Argument(help="Check-in files or folders: CSV, XLSX, Markdown, YAML, JSON.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The check-in date, e.g. 2025-08-15 (default: today).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Report format: text, json, md, html, xlsx.")] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (atomically); - for standard output."),
    ] = None,
    agenda: Annotated[bool, typer.Option(help="Add the check-in meeting agenda to the report.")] = True,
    offline: Annotated[bool, typer.Option("--offline", help="Draft the agenda without the LLM.")] = False,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a finding is at least this severe: error, warning, info, never.")
    ] = "warning",
    column_map: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map an unusual column header to a field: 'Header=field'."),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the report: auto (from the input), zh or en.")] = "auto",
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Check-in: each KR's progress against the time line, confidence trend, weights, and the meeting agenda."""
    from ..assist.checkin_agenda import draft_agenda
    from ..checkin import analyse_checkins, merge_series
    from ..checkin.report import FORMATS, render_checkin
    from ..importers import load_paths

    if fmt not in FORMATS:
        raise fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fail_on not in _SEVERITY_RANK:
        raise fail(f"--fail-on must be one of {', '.join(_SEVERITY_RANK)}, not {fail_on!r}")
    if lang not in ("auto", "zh", "en"):
        raise fail(f"--lang must be auto, zh or en, not {lang!r}")
    if fmt == "xlsx" and (output is None or str(output) == "-"):
        raise fail("the xlsx format needs --output FILE")
    if output is not None and str(output) != "-":
        try:
            check_target(output)
        except UnsafeTargetError as exc:
            raise fail(str(exc)) from None
    day = parse_as_of(as_of)
    config = load_settings(config_path)
    mapping = parse_map(column_map, dict(config.columns))
    loaded = load_paths(paths, column_map=mapping or None, limits=dict(config.limits) or None)
    if not loaded.sets:
        nothing_checked(loaded.problems, lang)
    sets, notices = merge_series(loaded.sets)
    language = report_language(sets, lang)
    review = analyse_checkins(sets, day, config=config, language=language)
    review.problems = [*loaded.problems, *notices]
    agendas: list[Any] = []
    if agenda:
        llm = connect_llm(config, offline=offline)
        notebook = load_notebook(knowledge_settings(config, knowledge_dir=knowledge_dir))
        agendas = [
            draft_agenda(okr_set, as_of=day, language=language, llm=llm, notebook=notebook) for okr_set in review.sets
        ]
        for item in agendas:
            if item.error:
                err.print(f"agenda of {item.set_key}: {item.error}", highlight=False, markup=False)
        if llm is not None:
            err.print(llm.usage.describe(language), highlight=False, markup=False)
    report = render_checkin(review, fmt, agendas=agendas)
    _emit(report, output, language)
    show_problems(review.problems, language)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)
    threshold = _SEVERITY_RANK[fail_on]
    if any(finding.severity.rank >= threshold for finding in review.findings):
        raise typer.Exit(EXIT_FINDINGS)


def _emit(report: str | bytes, output: Path | None, language: str) -> None:
    if output is None or str(output) == "-":
        assert isinstance(report, str)
        sys.stdout.write(report)
        sys.stdout.flush()
        return
    write_output(output, report)
    err.print(cli_text(language, "checkin_written", path=output), highlight=False, markup=False)
