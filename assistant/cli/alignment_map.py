"""``okr-review map``: the alignment map of a batch as an SVG picture (company → teams, O → KR)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..reports import write_atomic
from . import EXIT_ERROR, ConfigOption, _fail, _load_settings, _parse_map, app, err, report_language


@app.command("map")
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
        raise _fail(f"--lang must be auto, zh or en, not {lang!r}")
    config = _load_settings(config_path, language=lang)
    loaded = load_paths(
        paths, column_map=_parse_map(column_map, dict(config.columns)) or None, limits=dict(config.limits) or None
    )
    for problem in loaded.problems:
        err.print(problem.describe(), highlight=False, markup=False)
    if not loaded.sets:
        raise _fail("no OKR sets could be read, so there is nothing to draw")
    language = report_language(loaded.sets, config.language)
    picture = build_map(loaded.sets, run_check(loaded.sets, config), language=language)
    try:
        write_atomic(output, render_svg(picture, language))
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    err.print(summary_line(picture, language), highlight=False, markup=False)
    err.print(f"map written to {output}", highlight=False)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)
