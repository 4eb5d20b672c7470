"""``okr-review map``: the alignment map of a batch as an SVG picture (company → teams, O → KR)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..reports import write_atomic
from ._common import (
    EXIT_ERROR,
    ConfigOption,
    cli_text,
    err,
    fail,
    load_settings,
    message_language,
    parse_map,
    report_language,
    show_problems,
)


def register(app: typer.Typer) -> None:
    """Add ``okr-review map`` to the command group."""
    app.command("map")(alignment_map)


def alignment_map(
    paths: Annotated[list[str], typer.Argument(help="Files or folders holding the sets of one organisation.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Write the SVG here (atomically).")],
    lang: Annotated[str | None, typer.Option(help="Language of the labels: auto, zh or en.")] = None,
    column_map: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map an unusual column header to a field: 'Header=field'."),
    ] = None,
    config_path: ConfigOption = None,
) -> None:
    """Draw the OKR tree across levels, with unsupported parent KRs (漏球), duplicates and handshakes marked."""
    from ..alignment_map import build_map, render_svg, summary_line
    from ..engine import check as run_check
    from ..importers import load_paths

    if lang is not None and lang not in ("auto", "zh", "en"):
        raise fail(f"--lang must be auto, zh or en, not {lang!r}")
    config = load_settings(config_path, language=lang)
    loaded = load_paths(
        paths, column_map=parse_map(column_map, dict(config.columns)) or None, limits=dict(config.limits) or None
    )
    if not loaded.sets:
        said = message_language(config.language)
        show_problems(loaded.problems, said)
        raise fail(cli_text(said, "nothing_to_draw"))
    language = report_language(loaded.sets, config.language)
    show_problems(loaded.problems, language)
    picture = build_map(loaded.sets, run_check(loaded.sets, config), language=language)
    try:
        write_atomic(output, render_svg(picture, language))
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(summary_line(picture, language), highlight=False, markup=False)
    err.print(cli_text(language, "map_written", path=output), highlight=False, markup=False)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)
