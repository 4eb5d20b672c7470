"""Model-graded scores (optional): an LLM grades rewrite candidates 1–5 against the rubric in prompts/.

A judge is only as good as its agreement with people, so every judged run also grades the human
labels in ``evals/judge/labels.jsonl`` and reports how often the judge lands within one point of
the human score. The deterministic checks stay the gate; the judge's means are extra columns.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..llm import LLM, LLMError
from .cases import Case
from .metrics import Verdict, limit_verdict, lookup
from .runner import CaseResult


class JudgeScore(BaseModel):
    """The judge's answer."""

    model_config = ConfigDict(extra="ignore")
    score: int = Field(ge=1, le=5)
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Label:
    """A rewrite graded by a person: what the judge is checked against."""

    id: str
    language: str
    objective: str
    original: str
    candidate: str
    score: int


def load_labels(path: Path) -> list[Label]:
    """The human labels; a line that cannot be used raises ValueError naming file, line and field."""
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = json.loads(line)
            score = int(raw["score"])
            if not 1 <= score <= 5:
                raise ValueError("score must be 1–5")
            labels.append(Label(raw["id"], raw["lang"], raw.get("objective", ""), raw["kr"], raw["candidate"], score))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{where}: {exc}") from None
    return labels


def grade(llm: LLM, language: str, objective: str, original: str, candidate: str) -> int:
    answer = llm.ask(
        llm.prompt("judge-rewrite"),
        language,
        JudgeScore,
        data={"objective": objective or "-", "original": original, "candidate": candidate},
    )
    return answer.score


@dataclass(slots=True)
class JudgeReport:
    """Mean judge score per column, and the judge's agreement with the human labels."""

    means: dict[str, float] = field(default_factory=dict)
    graded: int = 0
    failures: int = 0
    agreement: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"means": self.means, "graded": self.graded, "failures": self.failures, "agreement": self.agreement}


def agreement(pairs: Sequence[tuple[int, int]]) -> dict[str, float]:
    """Judge vs human: exact match, within one point, mean absolute error."""
    if not pairs:
        return {"labels": 0}
    return {
        "labels": len(pairs),
        "exact": sum(1 for j, h in pairs if j == h) / len(pairs),
        "within_one": sum(1 for j, h in pairs if abs(j - h) <= 1) / len(pairs),
        "mae": statistics.fmean(abs(j - h) for j, h in pairs),
    }


def run_judge(
    llm: LLM, cases: Mapping[str, Case], results: Sequence[CaseResult], labels: Sequence[Label]
) -> JudgeReport:
    """Grade the first repeat's shown candidates of every rewrite case, per column, and the human labels."""
    report = JudgeReport()
    scores: dict[str, list[int]] = defaultdict(list)
    for result in results:
        case = cases.get(result.case)
        if case is None or case.task != "rewrite" or result.repeat != 0 or not result.passed:
            continue
        for candidate in filter(None, result.output.splitlines()):
            try:
                scores[result.subject].append(
                    grade(llm, case.language, case.data.get("objective", ""), case.data["kr"], candidate)
                )
            except LLMError:
                report.failures += 1
    report.means = {subject: statistics.fmean(values) for subject, values in scores.items()}
    report.graded = sum(len(v) for v in scores.values())
    pairs = []
    for label in labels:
        try:
            pairs.append((grade(llm, label.language, label.objective, label.original, label.candidate), label.score))
        except LLMError:
            report.failures += 1
    report.agreement = agreement(pairs)
    return report


def judge_verdicts(thresholds: Mapping[str, Any], judged: Mapping[str, Any]) -> list[Verdict]:
    """The ``[judge]`` thresholds (for instance ``within_one``) against the judge's agreement figures."""
    return [
        limit_verdict("judge", metric, limit, lookup(judged["agreement"], metric))
        for metric, limit in thresholds.get("judge", {}).items()
    ]
