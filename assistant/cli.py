"""The ``okr-review`` command line. Exit status like a linter: 0 clean, 1 findings, 2 input or usage error."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from . import __version__, scoring
from .analysis.language import detect_language
from .config import Config, ConfigError, load_config, parse_fail_on, parse_selectors
from .engine import check as run_check
from .importers import load_paths
from .model import OKRSet, okr_json_schema
from .reports import FORMATS, write_atomic, write_report
from .review import Review
from .rules.catalogue import dimension_label, rules

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PROGRESS_MIN_KRS = 2000  # below this a progress bar only flickers

app = typer.Typer(
    name="okr-review",
    help="Check OKRs against the CLASSIC standard and explain every finding.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"okr-review {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """okr-review: an OKR review assistant."""


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    return typer.Exit(EXIT_ERROR)


def _load_settings(config_path: Path | None, **options) -> Config:
    try:
        return load_config(config_path).with_options(**options)
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def _parse_map(pairs: list[str] | None, base: dict[str, str]) -> dict[str, str]:
    mapping = dict(base)
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise _fail(f"--map expects 'Column header=field', got {pair!r}")
        mapping[header.strip()] = field.strip()
    return mapping


def report_language(sets: list[OKRSet], setting: str) -> str:
    """Headings follow the setting, else the language most objectives are written in (Chinese on a tie)."""
    if setting in ("zh", "en"):
        return setting
    votes = Counter(detect_language(o.text) for s in sets for o in s.objectives[:5])
    return "en" if votes["en"] > votes["zh"] else "zh"


@app.command()
def check(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files or folders to check (json, yaml, csv, xlsx, md, txt); - for stdin."),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help=f"Report format: {', '.join(FORMATS)}.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here (atomically).")] = None,
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
    lang: Annotated[str | None, typer.Option(help="Language of messages: auto, zh or en.")] = None,
    config_path: Annotated[Path | None, typer.Option("--config", help="Settings file (default: discovered).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on large batches.")] = True,
) -> None:
    """Check OKR files and report findings per set, objective and key result."""
    if fmt not in FORMATS:
        raise _fail(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "xlsx" and output is None:
        raise _fail("--format xlsx needs --output FILE")
    if lang is not None and lang not in ("auto", "zh", "en"):
        raise _fail(f"--lang must be auto, zh or en, not {lang!r}")
    try:
        options = {
            "fail_on": parse_fail_on(fail_on) if fail_on is not None else None,
            "select": parse_selectors(select, "--select") if select else None,
            "ignore": parse_selectors(ignore, "--ignore") if ignore else None,
        }
    except ConfigError as exc:
        raise _fail(str(exc)) from None
    config = _load_settings(config_path, language=lang, **{k: v for k, v in options.items() if v is not None})
    if fail_on == "never":  # with_options reads None as "unchanged"
        config = replace(config, fail_on=None)
    mapping = _parse_map(column_map, dict(config.columns))

    loaded = load_paths(paths, column_map=mapping or None)
    total = sum(len(o.key_results) for s in loaded.sets for o in s.objectives)
    if progress and total >= PROGRESS_MIN_KRS and err.is_terminal:
        from rich.progress import Progress

        with Progress(console=err, transient=True) as bar:
            task = bar.add_task("checking", total=total)
            findings = run_check(loaded.sets, config, on_progress=lambda n: bar.advance(task, n))
    else:
        findings = run_check(loaded.sets, config)

    review = Review(
        inputs=list(paths),
        sets=loaded.sets,
        findings=findings,
        problems=loaded.problems,
        language=report_language(loaded.sets, config.language),
    )
    try:
        write_report(review, fmt, output)
    except OSError as exc:
        raise _fail(f"cannot write {output}: {exc.strerror or exc}") from None
    if output is not None:
        err.print(f"report written to {output}", highlight=False)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)
    worst = review.worst_severity()
    if config.fail_on is not None and worst is not None and worst.rank >= config.fail_on.rank:
        raise typer.Exit(EXIT_FINDINGS)


@app.command("rules")
def list_rules(
    code: Annotated[str | None, typer.Argument(help="Show one rule in full.")] = None,
    lang: Annotated[str, typer.Option(help="zh or en.")] = "zh",
) -> None:
    """List the CLASSIC rules: code, dimension, default severity, title and knowledge note."""
    lang = lang if lang in ("zh", "en") else "en"
    table = rules()
    out = Console()
    if code:
        info = table.get(code.upper())
        if info is None:
            raise _fail(f"unknown rule {code!r}; run 'okr-review rules' for the list")
        out.print(f"[bold]{info.code}[/] {info.title[lang]}", highlight=False)
        out.print(f"dimension: {info.dimension.value} ({dimension_label(info.dimension, lang)})", highlight=False)
        out.print(f"severity:  {info.severity.value}", highlight=False)
        out.print(f"note:      {info.note}", highlight=False)
        out.print(f"message:   {info.message[lang]}", highlight=False, markup=False)
        out.print(f"fix:       {info.fix[lang]}", highlight=False, markup=False)
        return
    grid = Table("code", "dimension", "severity", "title", "note", box=None)
    for info in table.values():
        grid.add_row(info.code, dimension_label(info.dimension, lang), info.severity.value, info.title[lang], info.note)
    out.print(grid)


@app.command()
def schema(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the schema here.")] = None,
) -> None:
    """Print the JSON Schema of the OKR input document (JSON and YAML importers)."""
    text = json.dumps(okr_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


@app.command()
def score(
    paths: Annotated[list[str], typer.Argument(help="Files with final scores (score column or field).")],
    scale: Annotated[str, typer.Option(help="auto, fraction (0–1), percent (0–100) or five (1–5).")] = "auto",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Score summary at cycle end: each set's scores against the 60–70% healthy band."""
    if scale not in ("auto", *scoring.Scale):
        raise _fail(f"--scale must be auto, fraction, percent or five, not {scale!r}")
    loaded = load_paths(paths)
    for problem in loaded.problems:
        err.print(problem.describe(), highlight=False, markup=False)
    rows = []
    for okr_set in loaded.sets:
        scored = [(o, kr) for o, kr in okr_set.key_results() if kr.score is not None]
        used = scoring.detect_scale(kr.score for _, kr in scored) if scale == "auto" else scoring.Scale(scale)
        percents = [(o.kr_ref(kr), scoring.to_percent(kr.score, used)) for o, kr in scored]
        summary = scoring.summarise(p for _, p in percents)
        rows.append(
            {
                "set": okr_set.key,
                "scale": used.value,
                "scored": summary.count,
                "unscored": sum(len(o.key_results) for o in okr_set.objectives) - summary.count,
                "mean_percent": summary.mean,
                "bands": {band.value: n for band, n in summary.bands.items()},
                "key_results": [{"id": ref, "percent": p, "band": scoring.band(p).value} for ref, p in percents],
            }
        )
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    else:
        grid = Table("set", "scale", "scored", "mean %", "<50%", "50–60%", "60–70%", "70–99%", "100%", box=None)
        for row in rows:
            b = row["bands"]
            grid.add_row(
                row["set"],
                row["scale"],
                str(row["scored"]),
                "-" if row["mean_percent"] is None else f"{row['mean_percent']:g}",
                str(b["analyse"]),
                str(b["low"]),
                str(b["healthy"]),
                str(b["high"]),
                str(b["conservative"]),
            )
        Console().print(grid)
    if loaded.unreadable:
        raise typer.Exit(EXIT_ERROR)


def main() -> None:
    """Console-script entry point."""
    app()
