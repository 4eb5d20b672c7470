"""Retrieval quality: labelled questions in, hit@1, hit@3 and MRR out, per note and per section.

A case is a question with the note ids that answer it and, finer, the sections (``note-id#heading``)
that do. A note-level hit is any expected note among the first k notes retrieved (notes ranked by
their best passage); a section-level hit is any expected section among the first k passages, so a
question answered by the right note but the wrong part of it no longer counts. The question is
searched in its own language, as ``okr-review ask`` does. Cases live in
``evals/retrieval/queries.yaml``; ``evals/retrieval/run.py`` and ``okr-review eval`` print the figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .notes import NoteBook
from .retrieval import CANDIDATES, Retriever

TARGET_HIT3 = 0.90
TARGET_MRR = 0.75


@dataclass(frozen=True, slots=True)
class RetrievalCase:
    question: str
    language: str
    expected: tuple[str, ...]  # note ids
    sections: tuple[str, ...] = ()  # section ids (``note-id#heading``); empty: not labelled per section


def section_id(note_id: str, heading: str) -> str:
    """The id a case names a section by: the note id and the section's ``##`` heading."""
    return f"{note_id}#{heading}"


def known_sections(notebook: NoteBook) -> set[str]:
    """Every section id of a notebook, to check a case file against."""
    return {section_id(note.id, section.heading) for note in notebook for section in note.sections}


def _rank(ranked: Sequence[str], expected: Iterable[str]) -> int | None:
    wanted = set(expected)
    for position, item in enumerate(ranked, start=1):
        if item in wanted:
            return position
    return None


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: RetrievalCase
    ranked: tuple[str, ...]  # note ids, best first
    ranked_sections: tuple[str, ...] = ()  # section ids, best first

    @property
    def rank(self) -> int | None:
        """1-based rank of the first expected note, None when none was retrieved."""
        return _rank(self.ranked, self.case.expected)

    @property
    def section_rank(self) -> int | None:
        """1-based rank of the first expected section among the passages, None when none was retrieved."""
        return _rank(self.ranked_sections, self.case.sections)


@dataclass(frozen=True, slots=True)
class RetrievalScores:
    results: tuple[CaseResult, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.results)

    def hit_at(self, k: int) -> float:
        return _hit_at([r.rank for r in self.results], k)

    @property
    def mrr(self) -> float:
        return _mrr([r.rank for r in self.results])

    @property
    def labelled(self) -> tuple[CaseResult, ...]:
        """The cases that name their sections: what the section-level figures are over."""
        return tuple(r for r in self.results if r.case.sections)

    def section_hit_at(self, k: int) -> float:
        return _hit_at([r.section_rank for r in self.labelled], k)

    @property
    def section_mrr(self) -> float:
        return _mrr([r.section_rank for r in self.labelled])

    def only(self, language: str) -> RetrievalScores:
        return RetrievalScores(tuple(r for r in self.results if r.case.language == language))

    def misses(self, k: int = 3) -> list[CaseResult]:
        return [r for r in self.results if r.rank is None or r.rank > k]

    def section_misses(self, k: int = 3) -> list[CaseResult]:
        """Labelled cases whose sections are not among the first k passages (the note may still be)."""
        return [r for r in self.labelled if r.section_rank is None or r.section_rank > k]

    def meets_targets(self) -> bool:
        return self.hit_at(3) >= TARGET_HIT3 and self.mrr >= TARGET_MRR

    def figures(self) -> dict[str, object]:
        """The run record's retrieval part: note- and section-level figures and what was missed.

        Section figures are None when no case names its sections: not measured, so a floor on them fails
        rather than passing on a made-up zero or being skipped.
        """
        measured = bool(self.labelled)
        return {
            "cases": len(self),
            "hit_at_1": self.hit_at(1),
            "hit_at_3": self.hit_at(3),
            "mrr": self.mrr,
            "section_cases": len(self.labelled),
            "section_hit_at_1": self.section_hit_at(1) if measured else None,
            "section_hit_at_3": self.section_hit_at(3) if measured else None,
            "section_mrr": self.section_mrr if measured else None,
            "misses": [r.case.question for r in self.misses(3)],
            "section_misses": [r.case.question for r in self.section_misses(3)],
        }


def _hit_at(ranks: Sequence[int | None], k: int) -> float:
    if not ranks:
        return 0.0
    return sum(1 for rank in ranks if rank is not None and rank <= k) / len(ranks)


def _mrr(ranks: Sequence[int | None]) -> float:
    if not ranks:
        return 0.0
    return sum(1 / rank for rank in ranks if rank is not None) / len(ranks)


class CaseError(ValueError):
    """A case file that cannot be used; names the file and the case."""


def load_cases(
    path: Path, known_notes: Iterable[str] | None = None, sections: Iterable[str] | None = None
) -> list[RetrievalCase]:
    """Read a case file; every case needs a question, a language and expected note ids that exist.

    A case's optional ``sections`` name the sections that answer it (``note-id#heading``); each must
    belong to one of its expected notes and, when ``sections`` (the known section ids) is given, exist.
    """
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CaseError(f"{path}: cannot read: {exc}") from None
    entries = document.get("queries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise CaseError(f"{path}: expected a 'queries' list")
    known = set(known_notes) if known_notes is not None else None
    headings = set(sections) if sections is not None else None
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
        wanted = _case_sections(entry.get("sections"), expected, headings, where)
        cases.append(RetrievalCase(str(entry["q"]).strip(), language, tuple(str(e) for e in expected), wanted))
    return cases


def _case_sections(value: object, expected: Sequence[str], known: set[str] | None, where: str) -> tuple[str, ...]:
    """A case's section ids, checked: a list of ``note-id#heading`` of its expected notes that exist."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise CaseError(f"{where}: 'sections' must list section ids such as 'note-id#heading'")
    out = []
    for item in value:
        note_id, mark, heading = str(item).partition("#")
        if not mark or not heading.strip():
            raise CaseError(f"{where}: section {item!r} is not 'note-id#heading'")
        if note_id not in expected:
            raise CaseError(f"{where}: section {item!r} is not in an expected note ({', '.join(expected)})")
        if known is not None and str(item) not in known:
            raise CaseError(f"{where}: section {item!r} does not exist (headings are matched exactly)")
        out.append(str(item))
    return tuple(out)


def evaluate(retriever: Retriever, cases: Sequence[RetrievalCase], depth: int = 10) -> RetrievalScores:
    """Retrieve for every case in its language; ranks beyond ``depth`` (notes or passages) count as misses."""
    return RetrievalScores(tuple(_retrieve(retriever, case, depth) for case in cases))


def _retrieve(retriever: Retriever, case: RetrievalCase, depth: int) -> CaseResult:
    passages = retriever.search(case.question, k=CANDIDATES, language=case.language)
    notes: list[str] = []
    for passage in passages:
        if passage.note_id not in notes:
            notes.append(passage.note_id)
    sections = tuple(section_id(p.note_id, p.section) for p in passages[:depth])
    return CaseResult(case, tuple(notes[:depth]), sections)
