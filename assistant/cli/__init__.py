"""The ``okr-review`` command line. Exit status like a linter: 0 clean, 1 findings, 2 input or usage error."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from .. import __version__, scoring
from ..analysis.language import detect_language
from ..config import Config, ConfigError, load_config, parse_fail_on, parse_selectors
from ..engine import check as run_check
from ..findings import Dimension
from ..importers import load_paths
from ..knowledge import KnowledgeSettings, NoteBook, SettingsError, load_notes
from ..model import OKRSet, okr_json_schema
from ..reports import FORMATS, write_atomic, write_report
from ..review import Review
from ..rules.catalogue import dimension_label, rules
from ..triage import resolve_language

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


def _knowledge(config: Config, **options) -> KnowledgeSettings:
    try:
        return config.knowledge_settings().with_options(**options)
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _notes(settings: KnowledgeSettings) -> NoteBook:
    """The notes that explain findings; a broken note is reported and left out, never fatal to a check."""
    if not settings.knowledge_dir.is_dir():
        err.print(f"warning: no knowledge notes at {settings.knowledge_dir}", highlight=False, markup=False)
        return NoteBook({})
    notebook = load_notes(settings.knowledge_dir)
    for problem in notebook.problems:
        err.print(f"warning: {problem}", highlight=False, markup=False)
    return notebook


def _parse_map(pairs: list[str] | None, base: dict[str, str]) -> dict[str, str]:
    mapping = dict(base)
    for pair in pairs or []:
        header, sep, field = pair.partition("=")
        if not sep or not header.strip() or not field.strip():
            raise _fail(f"--map expects 'Column header=field', got {pair!r}")
        mapping[header.strip()] = field.strip()
    return mapping


def report_language(sets: list[OKRSet], setting: str) -> str:
    """The one language of a whole report: the setting, else the language most of the input is written in."""
    return resolve_language(setting, sets)


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
    lang: Annotated[
        str | None,
        typer.Option(
            help="Language of the whole report (headings, labels, messages, fixes): auto (from the input), zh or en."
        ),
    ] = None,
    config_path: Annotated[Path | None, typer.Option("--config", help="Settings file (default: discovered).")] = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on large batches.")] = True,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Add rewrite candidates for KRs with measurability/outcome findings.")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="With --suggest: templates only, no LLM.")] = False,
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
    # One language for the report and every message in it, so labels and messages never disagree.
    language = report_language(loaded.sets, config.language)
    config = replace(config, language=language)
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
        language=language,
        notes=_notes(_knowledge(config)).notes,
    )
    if suggest:
        review.suggestions = _suggestions(loaded.sets, findings, config, language, offline=offline)
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


def _suggestions(sets: list[OKRSet], findings, config: Config, language: str, *, offline: bool) -> list[dict]:
    """Rewrite candidates for the review (``check --suggest``); the pass rate and tokens go to stderr."""
    from ..assist.rewrite import rewrite_batch
    from .assist import assistant_tools

    tools = assistant_tools(config, offline=offline, data_dir=None, knowledge_dir=None)
    llm = tools["llm"]
    batch = rewrite_batch(sets, findings, **tools)
    err.print(batch.summary(language), highlight=False, markup=False)
    for (set_key, kr_ref), reason in batch.failures.items():
        err.print(f"{set_key} {kr_ref}: no suggestion ({reason})", highlight=False, markup=False)
    if llm is not None:
        err.print(llm.usage.describe(language), highlight=False, markup=False)
    return batch.suggestions()


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


DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Where the knowledge index is kept (default: per-user data folder).")
]
KnowledgeDirOption = Annotated[
    Path | None, typer.Option("--knowledge-dir", help="Folder of guidance notes (default: the bundled notes).")
]
ConfigOption = Annotated[Path | None, typer.Option("--config", help="Settings file (default: discovered).")]


def _open_retriever(settings: KnowledgeSettings, *, rebuild: bool = False, mode: str = "hybrid"):
    from ..knowledge import open_retriever
    from ..knowledge.embeddings import EmbeddingError
    from ..knowledge.index import KnowledgeIndexError

    if not settings.knowledge_dir.is_dir():
        raise _fail(f"no knowledge notes at {settings.knowledge_dir}")
    try:
        return open_retriever(settings, rebuild=rebuild, mode=mode)
    except (KnowledgeIndexError, EmbeddingError) as exc:
        raise _fail(str(exc)) from None


@app.command("index")
def build_index(
    rebuild: Annotated[bool, typer.Option(help="Rebuild even when the index is up to date.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Build the knowledge index from the notes (done by itself on first use and when notes change)."""
    settings = _knowledge(_load_settings(config_path), data_dir=data_dir, knowledge_dir=knowledge_dir)
    _, status = _open_retriever(settings, rebuild=rebuild)
    verb = f"built ({status.reason})" if status.built else "up to date"
    typer.echo(
        f"knowledge index {verb}: {status.notes} notes, {status.chunks} passages, "
        f"embedding {status.embedding}, {status.seconds:.2f} s\n{status.where}"
    )


@app.command()
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
    from ..knowledge.retrieval import MODES

    if mode not in MODES:
        raise _fail(f"--mode must be one of {', '.join(MODES)}, not {mode!r}")
    codes = [c.upper() for c in rule or []]
    unknown = [c for c in codes if c not in rules()]
    if unknown:
        raise _fail(f"unknown rule {unknown[0]!r}; run 'okr-review rules' for the list")
    dimensions = [d.lower() for d in dimension or []]
    known = {d.value for d in Dimension}
    if any(d not in known for d in dimensions):
        raise _fail(f"--dimension must be one of {', '.join(sorted(known))}")
    settings = _knowledge(_load_settings(config_path), data_dir=data_dir, knowledge_dir=knowledge_dir)
    retriever, status = _open_retriever(settings, mode=mode)
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
        out.print("没有找到相关内容。" if lang == "zh" else "Nothing found.", highlight=False)
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


# The assistant's commands live in their own module and register themselves on ``app``.
from . import alignment_map as _alignment_map  # noqa: E402, F401
from . import assist as _assist  # noqa: E402, F401
from . import evaluate as _evaluate  # noqa: E402, F401
from . import web as _web  # noqa: E402, F401
