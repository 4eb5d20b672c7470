"""One evaluation run, start to finish: load the cases, run them, add up the figures, check thresholds.

The result is the run record (a plain dict) that ``report`` prints, saves as JSON and renders as HTML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..knowledge.evaluation import evaluate as evaluate_retrieval
from ..knowledge.evaluation import known_sections
from ..knowledge.evaluation import load_cases as load_retrieval_cases
from ..llm import list_prompts
from .cases import KINDS, Suite, load_suite
from .intents import evaluate_intents, load_utterances
from .judge import JudgeReport, judge_verdicts
from .metrics import check_thresholds, column_metrics, rule_metrics
from .realworld import evaluate as evaluate_realworld
from .realworld import realworld_verdicts
from .report import RUN_FORMAT
from .runner import CaseResult, Environment, Subject, run_rules, run_tasks


@dataclass(slots=True)
class EvalOptions:
    """What to run: the case folder, which kinds, the columns, repeats, and the thresholds."""

    cases_dir: Path
    subjects: list[Subject]
    thresholds: dict[str, Any]
    thresholds_file: Path | None = None
    kinds: Sequence[str] = KINDS
    repeats: int = 1
    concurrency: int = 4
    retrieval_cases: Path | None = None  # evals/retrieval/queries.yaml
    realworld: Path | None = None  # the labelled real-world set, scored with the rule cases
    realworld_note: str = ""  # why it is absent, when it is
    intent_cases: Path | None = None  # the labelled utterances; default: intents/utterances.tsv beside the cases
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _hashes(folder: Path, kinds: Sequence[str]) -> dict[str, str]:
    out = {}
    for kind in kinds:
        path = folder / f"{kind}.jsonl"
        if path.is_file():
            out[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return out


def run_evaluation(
    options: EvalOptions,
    env: Environment,
    *,
    suite: Suite | None = None,
    judge: Callable[[list[CaseResult]], JudgeReport] | None = None,
    on_done: Callable[[CaseResult], None] | None = None,
) -> dict[str, Any]:
    """Run everything ``options`` asks for and return the run record."""
    started = datetime.now(UTC)
    suite = suite or load_suite(options.cases_dir, kinds=options.kinds)
    rule_results = run_rules([c for c in suite.cases if c.kind == "rules"], env)
    task_results = run_tasks(
        suite, options.subjects, env, repeats=options.repeats, concurrency=options.concurrency, on_done=on_done
    )
    engine: dict[str, Any] = {}
    if rule_results:
        engine["rules"] = rule_metrics(rule_results)
    if options.retrieval_cases is not None and env.retriever is not None:
        cases = load_retrieval_cases(
            options.retrieval_cases, known_notes=env.known_notes, sections=known_sections(env.notebook)
        )
        engine["retrieval"] = evaluate_retrieval(env.retriever, cases).figures()
    intent_cases = options.intent_cases or options.cases_dir.parent / "intents" / "utterances.tsv"
    if intent_cases.is_file():
        engine["intents"] = evaluate_intents(load_utterances(intent_cases))
    if options.realworld is not None and "rules" in options.kinds:
        engine["realworld"] = evaluate_realworld(options.realworld, env.config)
    columns = column_metrics(task_results)
    record: dict[str, Any] = {
        "format": RUN_FORMAT,
        "started": started.isoformat(timespec="seconds"),
        "label": options.label,
        "settings": {
            "okr_review": __version__,
            "cases_dir": str(options.cases_dir),
            "case_files": _hashes(options.cases_dir, options.kinds),
            "kinds": list(options.kinds),
            "subjects": [s.describe() for s in options.subjects],
            "repeats": options.repeats,
            "concurrency": options.concurrency,
            "endpoint": env.llm_settings.base_url if env.llm_settings else None,
            "temperature": env.llm_settings.temperature if env.llm_settings else None,
            "prompts": sorted(p.ref for p in list_prompts(env.prompts_dir)),
            "prompts_dir": str(env.prompts_dir) if env.prompts_dir else None,
            "thresholds_file": str(options.thresholds_file) if options.thresholds_file else None,
            "thresholds": options.thresholds,
            "realworld": {
                "path": str(options.realworld) if options.realworld else None,
                "note": options.realworld_note,
            },
            **options.extra,
        },
        "suite": {"counts": suite.counts(), "problems": suite.problems},
        "engine": engine,
        "columns": columns,
    }
    if judge is not None:
        report = judge(task_results)
        record["judge"] = report.to_dict()
        for subject, mean in report.means.items():
            columns.setdefault(subject, {}).setdefault("rewrite", {})["judge_score"] = mean
    verdicts = check_thresholds(options.thresholds, engine, columns)
    verdicts += realworld_verdicts(options.thresholds, engine.get("realworld"))
    if judge is not None:
        verdicts += judge_verdicts(options.thresholds, record["judge"])
    record["verdicts"] = [
        {"scope": v.scope, "metric": v.metric, "limit": v.limit, "value": v.value, "ok": v.ok} for v in verdicts
    ]
    record["results"] = [r.to_dict() for r in [*rule_results, *task_results]]
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record


def thresholds_met(record: dict[str, Any]) -> bool:
    return all(v["ok"] for v in record["verdicts"])
