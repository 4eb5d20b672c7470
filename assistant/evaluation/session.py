"""The choices an ``okr-review eval`` run makes around the harness: its model columns, the judge, totals, the diff.

The command line only parses options and prints; what a run compares and what its record says is decided here,
where the tests of the evaluation package can reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..llm.settings import LLMSettings
from .cases import Suite
from .judge import JudgeReport, load_labels, run_judge
from .report import CaseDiff, compare, default_subject
from .runner import CaseResult, Environment, Subject


class EvalSetupError(ValueError):
    """A combination of settings the run cannot work with, said in one line."""


def model_columns(settings: LLMSettings | None, models: Sequence[str]) -> list[str]:
    """The models a run measures: those named, else the configured one; none offline (``settings`` None).

    Naming a model needs an endpoint to ask it; the configured model counts only when it is online.
    """
    if settings is None:
        return []
    if models and not settings.online and not settings.base_url:
        raise EvalSetupError("--model needs an endpoint: set OPENAI_BASE_URL or OPENAI_API_KEY (see the README)")
    return list(models or ([settings.model] if settings.online and settings.model else []))


def judge_for(
    env: Environment, subjects: Sequence[Subject], suite: Suite, labels: Path
) -> Callable[[list[CaseResult]], JudgeReport]:
    """The model-graded rubric for a run, asked of its first model column with the labelled calibration set."""
    model_subjects = [s for s in subjects if not s.offline]
    judge_llm = env.llm(model_subjects[0], 0) if model_subjects else None
    if judge_llm is None:
        raise EvalSetupError("--judge needs a model column (an endpoint and a model)")
    calibration = load_labels(labels)
    by_id = {c.id: c for c in suite.cases}

    def judge(results: list[CaseResult]) -> JudgeReport:
        return run_judge(judge_llm, by_id, results, calibration)

    return judge


@dataclass(frozen=True, slots=True)
class RunTotals:
    """The LLM figures of a whole run, summed over its results."""

    calls: int
    cache_hits: int
    tokens: int

    def describe(self) -> str:
        return f"LLM calls {self.calls} · cache hits {self.cache_hits} · tokens {self.tokens}"


def record_totals(record: dict[str, Any]) -> RunTotals:
    """Sum the run's calls, cache hits and tokens, and note the calls and cache hits in its settings."""
    results = record["results"]
    totals = RunTotals(
        calls=sum(r["calls"] for r in results),
        cache_hits=sum(r["cache_hits"] for r in results),
        tokens=sum(r["tokens"] for r in results),
    )
    record["settings"]["usage"] = {"calls": totals.calls, "cache_hits": totals.cache_hits}
    return totals


def run_diffs(
    record: Mapping[str, Any], previous: Mapping[str, Any] | None = None, previous_name: str = ""
) -> tuple[list[CaseDiff], str]:
    """What the run's HTML compares, and its title: against an earlier run, else its first two model columns."""
    if previous is not None:
        before, after = default_subject(previous), default_subject(record)
        return compare(previous, before, record, after), f"{previous_name} ({before}) → this run ({after})"
    columns = [s["name"] for s in record["settings"]["subjects"] if s["model"] is not None]
    if len(columns) >= 2:
        return compare(record, columns[0], record, columns[1]), f"{columns[0]} → {columns[1]}"
    return [], ""
