"""What a check produces: findings about OKRs, and problems reading the input.

One alert format, rendered to many outputs by ``assistant.reports``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import field as dataclass_field  # InputProblem has a field named `field`
from enum import StrEnum
from typing import Any

from .model import OKRSet, SourceRef, describe_location


class Severity(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.info: 1, Severity.warning: 2, Severity.error: 3}


class Dimension(StrEnum):
    """The seven CLASSIC dimensions, by their stable keys (see PRODUCT.md)."""

    challenging = "challenging"
    focused = "focused"
    aligned = "aligned"
    measurable = "measurable"
    owned = "owned"
    inspiring = "inspiring"
    outcome = "outcome"


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule hit on one set, objective or key result."""

    code: str
    dimension: Dimension
    severity: Severity
    message: str
    fix: str
    note: str  # id of the knowledge note that explains the rule
    set_key: str  # OKRSet.key
    objective: str | None = None  # "O1"
    key_result: str | None = None  # "O1.KR2"
    evidence: str = ""  # the text span the rule looked at
    span: tuple[int, int] | None = None  # evidence offsets in the item's text
    source: SourceRef | None = None

    @property
    def item(self) -> str:
        """The most specific id the finding is about."""
        return self.key_result or self.objective or self.set_key

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "dimension": self.dimension.value,
            "severity": self.severity.value,
            "set": self.set_key,
            "objective": self.objective,
            "key_result": self.key_result,
            "evidence": self.evidence,
            "span": list(self.span) if self.span else None,
            "message": self.message,
            "fix": self.fix,
            "note": self.note,
            "source": self.source.model_dump(exclude_none=True) if self.source else None,
        }


class ProblemLevel(StrEnum):
    error = "error"  # part of the input could not be read: exit status 2
    warning = "warning"  # read, but something was ignored or guessed (unknown column, truncated cell)


@dataclass(frozen=True, slots=True)
class InputProblem:
    """A clear account of bad input: file, row or line, field, reason.

    ``reason`` is the English command-line wording; ``code`` (``IMP001``…) and ``params`` let every surface
    render the problem in its own language (``assistant.importers.messages.problem_text``). A problem built
    without a code is shown by its reason alone.
    """

    file: str
    reason: str
    line: int | None = None
    row: int | None = None
    sheet: str | None = None
    field: str | None = None
    level: ProblemLevel = ProblemLevel.error
    code: str | None = None
    params: Mapping[str, Any] = dataclass_field(default_factory=dict, hash=False)

    def describe(self) -> str:
        where = describe_location(self.file, sheet=self.sheet, row=self.row, line=self.line)
        if self.field:
            where += f" ({self.field})"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict:
        data = {
            "file": self.file,
            "line": self.line,
            "row": self.row,
            "sheet": self.sheet,
            "field": self.field,
            "level": self.level.value,
            "reason": self.reason,
            "code": self.code,
            "params": dict(self.params) if self.code is not None else None,
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(slots=True)
class ImportResult:
    """Sets read from one or more inputs, plus every problem met on the way."""

    sets: list[OKRSet] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    def extend(self, other: ImportResult) -> None:
        self.sets.extend(other.sets)
        self.problems.extend(other.problems)

    @property
    def unreadable(self) -> bool:
        return any(p.level is ProblemLevel.error for p in self.problems)
