"""Retrieval quality: labelled questions in, hit@1, hit@3 and MRR out.

A case is a question with the note ids that answer it; a hit is any of those notes among the
first k notes retrieved (notes ranked by their best passage). Cases live in
``evals/retrieval/queries.yaml``; ``evals/retrieval/run.py`` prints the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .retrieval import Retriever

TARGET_HIT3 = 0.90
TARGET_MRR = 0.75


@dataclass(frozen=True, slots=True)
class RetrievalCase:
    question: str
    language: str
    expected: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: RetrievalCase
    ranked: tuple[str, ...]  # note ids, best first

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected note, None when none was retrieved."""
        for position, note_id in enumerate(self.ranked, start=1):
            if note_id in self.case.expected:
                return position
        return None


@dataclass(frozen=True, slots=True)
class RetrievalScores:
    results: tuple[CaseResult, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.results)

    def hit_at(self, k: int) -> float:
        if not self.results:
            return 0.0
        return sum(1 for r in self.results if r.rank is not None and r.rank <= k) / len(self.results)

    @property
    def mrr(self) -> float:
        if not self.results:
            return 0.0
        return sum(1 / r.rank for r in self.results if r.rank is not None) / len(self.results)

    def only(self, language: str) -> RetrievalScores:
        return RetrievalScores(tuple(r for r in self.results if r.case.language == language))

    def misses(self, k: int = 3) -> list[CaseResult]:
        return [r for r in self.results if r.rank is None or r.rank > k]

    def meets_targets(self) -> bool:
        return self.hit_at(3) >= TARGET_HIT3 and self.mrr >= TARGET_MRR


class CaseError(ValueError):
    """A case file that cannot be used; names the file and the case."""


def load_cases(path: Path, known_notes: Iterable[str] | None = None) -> list[RetrievalCase]:
    """Read a case file; every case needs a question, a language and expected note ids that exist."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read: {exc}") from None
    entries = document.get("queries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CaseError(f"{path}: expected a 'queries' list")
    known = set(known_notes) if known_notes is not None else None
    cases = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: case {number}"
        if not isinstance(entry, dict) or not str(entry.get("q", "")).strip():
            raise CaseError(f"{where}: needs a question 'q'")
        expected = entry.get("expect")
        if isinstance(expected, str):
            expected = [expected]
        if not expected:
            raise CaseError(f"{where}: needs 'expect', the note ids that answer it")
        if known is not None:
            missing = [e for e in expected if e not in known]
            if missing:
                raise CaseError(f"{where}: expects note {missing[0]!r}, which does not exist")
        language = str(entry.get("lang", "zh"))
        cases.append(RetrievalCase(str(entry["q"]).strip(), language, tuple(str(e) for e in expected)))
    return cases


def evaluate(retriever: Retriever, cases: Sequence[RetrievalCase], depth: int = 10) -> RetrievalScores:
    """Retrieve for every case; ranks beyond ``depth`` count as misses."""
    results = tuple(CaseResult(case, tuple(retriever.notes_for(case.question, depth))) for case in cases)
    return RetrievalScores(results)
