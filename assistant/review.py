"""The result of one review run, and the summary every report format shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from . import __version__
from .findings import Dimension, Finding, InputProblem, ProblemLevel, Severity
from .model import OKRSet
from .triage import top_of_set

if TYPE_CHECKING:
    from .knowledge.notes import Note

REPORT_SCHEMA = "okr-review/report"
REPORT_SCHEMA_VERSION = 1


@dataclass(slots=True)
class SuggestedRewrite:
    """One rewrite candidate for a key result, as reports show it (see ``docs/report.schema.json``)."""

    text: str
    metric: str = ""
    baseline: str = ""
    target: str = ""
    unit: str = ""
    deadline: str = ""
    rationale: str = ""
    note_ids: list[str] = field(default_factory=list)
    assumptions: list[str] = field(default_factory=list)  # facts not in the input, for the team to confirm
    placeholders: list[str] = field(default_factory=list)  # 〔基线〕-style blanks left for the team to fill

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "metric": self.metric,
            "baseline": self.baseline,
            "target": self.target,
            "unit": self.unit,
            "deadline": self.deadline,
            "rationale": self.rationale,
            "note_ids": list(self.note_ids),
            "assumptions": list(self.assumptions),
            "placeholders": list(self.placeholders),
        }


@dataclass(slots=True)
class Suggestion:
    """The rewrites ``check --suggest`` offers for one key result, and how they were made."""

    set: str  # the set's key
    key_result: str  # "O1.KR2"
    original: str  # the key result as written
    mode: str  # "llm" or "offline"
    passed: int  # candidates that passed the rules
    checked: int
    error: str | None = None  # why the LLM could not help, when it could not
    candidates: list[SuggestedRewrite] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "set": self.set,
            "key_result": self.key_result,
            "original": self.original,
            "mode": self.mode,
            "passed": self.passed,
            "checked": self.checked,
            "error": self.error,
            "candidates": [candidate.to_dict() for candidate in self.candidates],
        }


@dataclass(slots=True)
class SetSummary:
    """Counts for one OKR set (one team and cycle)."""

    key: str
    team: str
    cycle: str | None
    level: str | None
    objectives: int
    key_results: int
    by_severity: Counter = field(default_factory=Counter)
    by_dimension: Counter = field(default_factory=Counter)
    top: list[int] = field(default_factory=list)  # indexes into Review.findings: what to fix first, in order


@dataclass(slots=True)
class Summary:
    sets: int
    objectives: int
    key_results: int
    findings: int
    by_severity: Counter  # Severity value -> count
    by_dimension: Counter  # Dimension value -> count
    by_code: Counter  # rule code -> count
    per_set: list[SetSummary]
    input_errors: int
    input_warnings: int


@dataclass(slots=True)
class Review:
    """Everything one run knows: the inputs, the sets read, input problems and findings."""

    inputs: list[str]
    sets: list[OKRSet]
    findings: list[Finding]
    problems: list[InputProblem] = field(default_factory=list)
    language: str = "zh"  # language of report headings: "zh" or "en"
    notes: Mapping[str, Note] = field(default_factory=dict)  # the knowledge notes, by id, that explain findings
    suggestions: list[Suggestion] = field(default_factory=list)  # from ``check --suggest``; empty unless asked
    tool_version: str = __version__
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def summary(self) -> Summary:
        per_set: dict[str, SetSummary] = {}
        objectives = key_results = 0
        for okr_set in self.sets:
            n_o = len(okr_set.objectives)
            n_kr = sum(len(o.key_results) for o in okr_set.objectives)
            objectives += n_o
            key_results += n_kr
            existing = per_set.get(okr_set.key)
            if existing:  # the same team and cycle split over several inputs
                existing.objectives += n_o
                existing.key_results += n_kr
            else:
                per_set[okr_set.key] = SetSummary(
                    key=okr_set.key,
                    team=okr_set.team,
                    cycle=okr_set.cycle,
                    level=okr_set.level.value if okr_set.level else None,
                    objectives=n_o,
                    key_results=n_kr,
                )
        by_severity: Counter = Counter()
        by_dimension: Counter = Counter()
        by_code: Counter = Counter()
        positions: dict[str, list[int]] = {}
        # Enum members count under their string values (StrEnum hashes and compares as str).
        for position, finding in enumerate(self.findings):
            by_severity[finding.severity] += 1
            by_dimension[finding.dimension] += 1
            by_code[finding.code] += 1
            row = per_set.get(finding.set_key)
            if row is not None:
                row.by_severity[finding.severity] += 1
                row.by_dimension[finding.dimension] += 1
                positions.setdefault(finding.set_key, []).append(position)
        for key, where in positions.items():
            per_set[key].top = [where[i] for i in top_of_set([self.findings[p] for p in where])]
        return Summary(
            sets=len(per_set),
            objectives=objectives,
            key_results=key_results,
            findings=len(self.findings),
            by_severity=by_severity,
            by_dimension=by_dimension,
            by_code=by_code,
            per_set=list(per_set.values()),
            input_errors=sum(p.level is ProblemLevel.error for p in self.problems),
            input_warnings=sum(p.level is ProblemLevel.warning for p in self.problems),
        )

    def note(self, note_id: str | None) -> Note | None:
        """The knowledge note a finding points to, when the notes were loaded."""
        return self.notes.get(note_id) if note_id else None

    def cited_notes(self) -> list[Note]:
        """The notes the findings point to, in order of first use."""
        seen: dict[str, Note] = {}
        for finding in self.findings:
            if finding.note not in seen and finding.note in self.notes:
                seen[finding.note] = self.notes[finding.note]
        return list(seen.values())

    def top_findings(self, summary: Summary | None = None) -> dict[str, list[Finding]]:
        """Each set's findings to fix first, by set key: worst severity, then the coach's dimension order."""
        rows = (summary or self.summary()).per_set
        return {row.key: [self.findings[i] for i in row.top] for row in rows if row.top}

    def worst_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)


DIMENSION_ORDER = tuple(Dimension)
SEVERITY_ORDER = (Severity.error, Severity.warning, Severity.info)
