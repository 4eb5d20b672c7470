"""``okr-review eval`` and ``eval-compare``: measure the rule engine and the assistant's prompts, case by case."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..shipped import shipped_dir
from ._common import (
    EXIT_ERROR,
    EXIT_FINDINGS,
    ConfigOption,
    DataDirOption,
    KnowledgeDirOption,
    err,
    fail,
    knowledge_tools,
    load_settings,
)

if TYPE_CHECKING:
    from rich.console import Console


def register(app: typer.Typer) -> None:
    """Add ``okr-review eval`` and ``eval-compare`` to the command group."""
    app.command("eval")(evaluate)
    app.command("eval-compare")(evaluate_compare)


def _stdout() -> Console:
    """rich's console on standard output (imported when a command prints, not when the command line starts)."""
    from rich.console import Console

    return Console()


def _evals_dir() -> Path:
    return shipped_dir("evals")


def evaluate(
    cases: Annotated[
        Path | None, typer.Option(help="Folder of case files (default: the project's evals/cases).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option(help="Only these kinds: rules, rewrite, questions, retrospective, adversarial.")
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option(help="A model column on the configured endpoint (repeatable; default: the configured model)."),
    ] = None,
    prompt: Annotated[
        list[str] | None,
        typer.Option(help="Pinned prompt versions for a column, e.g. rewrite-kr@1 (repeatable: one column each)."),
    ] = None,
    prompts_dir: Annotated[Path | None, typer.Option(help="Read prompts from here (to try unreleased ones).")] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Only the offline column, even with an LLM set.")] = False,
    repeat: Annotated[int, typer.Option(min=1, max=20, help="Run each model case this many times.")] = 1,
    concurrency: Annotated[int, typer.Option(min=1, max=32, help="Cases run at once.")] = 4,
    thresholds: Annotated[Path | None, typer.Option(help="Thresholds file (default: evals/thresholds.toml).")] = None,
    output: Annotated[Path, typer.Option("--out", help="Folder for the run's JSON and HTML.")] = Path("eval-runs"),
    against: Annotated[Path | None, typer.Option(help="An earlier run's JSON: per-case diffs in the HTML.")] = None,
    judge: Annotated[bool, typer.Option("--judge", help="Add model-graded rubric scores (needs a model).")] = False,
    retrieval: Annotated[bool, typer.Option(help="Also measure retrieval (evals/retrieval/queries.yaml).")] = True,
    realworld: Annotated[
        Path | None,
        typer.Option(
            help="Labelled real-world OKRs to score the rules on (default: OKR_REVIEW_REALWORLD, else the set "
            "beside a checkout; skipped when none is found)."
        ),
    ] = None,
    no_realworld: Annotated[bool, typer.Option("--no-realworld", help="Leave the real-world set out.")] = False,
    data_dir: DataDirOption = None,
    knowledge_dir: KnowledgeDirOption = None,
    config_path: ConfigOption = None,
) -> None:
    """Run the evaluation suite; exit 1 when a threshold is missed, 2 when cases or settings are unusable."""
    from ..evaluation import (
        KINDS,
        Environment,
        EvalOptions,
        ThresholdError,
        load_suite,
        load_thresholds,
        print_run,
        read_run,
        render_html,
        run_evaluation,
        subjects_for,
        thresholds_met,
        write_html,
        write_run,
    )
    from ..evaluation.realworld import Location, RealWorldError, checkout_root, load, locate
    from ..evaluation.runner import parse_prompt_pins
    from ..evaluation.session import EvalSetupError, judge_for, model_columns, record_totals, run_diffs

    evals = _evals_dir()
    kinds = kind or list(KINDS)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise fail(f"--kind must be among {', '.join(KINDS)}, not {', '.join(unknown)}")
    thresholds_file = thresholds or evals / "thresholds.toml"
    try:
        limits = load_thresholds(thresholds_file)
        for spec in prompt or []:
            parse_prompt_pins(spec)
    except (ThresholdError, ValueError) as exc:
        raise fail(str(exc)) from None
    found = Location(None)  # the real-world set goes with the rule cases
    if "rules" in kinds and no_realworld:
        found = Location(None, note="real-world set: skipped (--no-realworld)")
    elif "rules" in kinds:
        try:
            found = locate(realworld, os.environ, checkout_root())
            if found.path is not None:
                load(found.path)  # refuse a broken file before anything runs
        except RealWorldError as exc:
            raise fail(str(exc)) from None
    from ..configfile import llm_settings_of
    from ..llm import LLMSettingsError

    config = load_settings(config_path)
    settings = None
    if not offline:
        try:
            settings = llm_settings_of(config)
        except LLMSettingsError as exc:
            raise fail(str(exc)) from None
    try:
        models = model_columns(settings, model or [])
    except EvalSetupError as exc:
        raise fail(str(exc)) from None
    if models and settings is not None:
        err.print(f"LLM endpoint: {settings.base_url or 'https://api.openai.com/v1'}", highlight=False)
    if judge and not models:  # said before the knowledge index is opened, which may take a while
        raise fail("--judge needs a model column (an endpoint and a model)")
    previous = None
    if against is not None:
        try:
            previous = read_run(against)
        except ValueError as exc:
            raise fail(str(exc)) from None

    retriever, notebook = knowledge_tools(config, data_dir, knowledge_dir)
    env = Environment(config, retriever, notebook, llm_settings=settings, prompts_dir=prompts_dir)
    suite = load_suite(cases or evals / "cases", kinds=kinds)
    for problem in suite.problems:
        err.print(problem, highlight=False, markup=False)
    options = EvalOptions(
        cases_dir=cases or evals / "cases",
        subjects=subjects_for(models, prompt or []),
        thresholds=limits,
        thresholds_file=thresholds_file,
        kinds=kinds,
        repeats=repeat,
        concurrency=concurrency,
        retrieval_cases=evals / "retrieval" / "queries.yaml" if retrieval else None,
        realworld=found.path,
        realworld_note=found.note,
    )
    judge_fn = None
    if judge:
        try:
            judge_fn = judge_for(env, options.subjects, suite, evals / "judge" / "labels.jsonl")
        except (EvalSetupError, ValueError) as exc:
            raise fail(str(exc)) from None

    total = sum(1 for c in suite.cases if c.kind != "rules") * sum(1 if s.offline else repeat for s in options.subjects)
    err.print(f"{len(suite.cases)} cases · {len(options.subjects)} columns · {total} task runs", highlight=False)
    record = run_evaluation(options, env, suite=suite, judge=judge_fn)
    totals = record_totals(record)
    print_run(record, _stdout())
    err.print(totals.describe(), highlight=False)

    try:
        json_path = write_run(record, output)
        diffs, title = run_diffs(record, previous, against.name if against is not None else "")
        html_path = json_path.with_suffix(".html")
        write_html(render_html(record, diffs, title), html_path)
    except OSError as exc:
        raise fail(f"cannot write the reports to {output}: {exc.strerror or exc}") from None
    err.print(f"run written to {json_path} and {html_path}", highlight=False)
    if suite.problems:
        raise typer.Exit(EXIT_ERROR)
    if not thresholds_met(record):
        raise typer.Exit(EXIT_FINDINGS)


def evaluate_compare(
    before: Annotated[Path, typer.Argument(help="The earlier run's JSON.")],
    after: Annotated[Path, typer.Argument(help="The later run's JSON.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Write the HTML diff here.")],
    before_column: Annotated[str | None, typer.Option(help="Column of the earlier run (default: first model).")] = None,
    after_column: Annotated[str | None, typer.Option(help="Column of the later run (default: first model).")] = None,
) -> None:
    """Per-case differences between two runs (or two columns of one run) as HTML; prints the counts."""
    from ..evaluation import compare, default_subject, read_run, render_compare_html, write_html

    try:
        old, new = read_run(before), read_run(after)
    except ValueError as exc:
        raise fail(str(exc)) from None
    old_column, new_column = before_column or default_subject(old), after_column or default_subject(new)
    for run, column, path in ((old, old_column, before), (new, new_column, after)):
        names = [s["name"] for s in run["settings"]["subjects"]]
        if column not in names:
            raise fail(f"{path}: no column {column!r} (has {', '.join(names)})")
    diffs = compare(old, old_column, new, new_column)
    title = f"{before.name} ({old_column}) → {after.name} ({new_column})"
    try:
        write_html(render_compare_html(diffs, title), output)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}") from None
    counts = {change: sum(1 for d in diffs if d.change == change) for change in ("fixed", "broken", "output changed")}
    _stdout().print(
        f"{len(diffs)} cases · fixed {counts['fixed']} · broken {counts['broken']} · "
        f"output changed {counts['output changed']} → {output}",
        highlight=False,
    )
