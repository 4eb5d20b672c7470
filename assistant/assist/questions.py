"""Guiding questions for a team discussing an objective or key result (co-creation workshop).

The questions are grounded in the guidance notes' question lists (``guiding-questions-o`` /
``guiding-questions-kr``), the notes behind the draft's findings and, when the business stage is
known, the note on what a workshop at that stage is for. With an LLM they are tailored to the
draft and then validated (3–6, no duplicates, only retrieved note ids, the draft's language, no
system-prompt leak), topped up from the notes when too few survive; without one they come from
the notes directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..analysis.language import detect_language
from ..config import Config
from ..engine import check
from ..findings import Finding
from ..llm import LLM, LLMError
from ..model import Objective, OKRSet
from ..stages import stage_key, stage_name
from ..texts import words
from .offline import questions_from_notes
from .passages import NotePassage, merge_passages, passages_from_notes, passages_from_retriever, render_passages
from .prompting import LeakGuard, render_findings, resolve_language, system_texts
from .rewrite import about_wording, findings_for_kr
from .schemas import GuidingQuestion, GuidingQuestions
from .wording import normalised, unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

ItemKind = Literal["objective", "key_result"]
KINDS: tuple[ItemKind, ...] = ("objective", "key_result")
MIN_QUESTIONS, MAX_QUESTIONS = 3, 6
QUESTION_NOTES = {"objective": "guiding-questions-o", "key_result": "guiding-questions-kr"}
STAGE_NOTE = "business-stage-workshop"
GUIDE_SECTIONS = 5  # sections of the guiding-questions note given to the LLM
FINDING_SECTIONS = 1  # sections of each note behind a finding
TEXT_PASSAGES = 2  # passages the retriever finds for the draft's own text
PASSAGE_LIMIT = 10


def findings_for_item(
    text: str, *, kind: str, objective: str | None, language: str, config: Config | None = None
) -> list[Finding]:
    """The engine's findings on the draft itself, without those the one-item set causes (no KRs, no owner)."""
    if kind == "key_result":
        return findings_for_kr(text, objective=objective or "", language=language, config=config)
    settings = (config or Config()).with_options(language=language)
    alone = OKRSet(team="-", objectives=[Objective(id="O1", text=text)])
    return [f for f in check([alone], settings) if f.objective == "O1" and f.key_result is None and about_wording(f)]


@dataclass(frozen=True, slots=True)
class QuestionsRequest:
    """Everything the questions need, gathered before the LLM call."""

    text: str
    kind: ItemKind
    objective: str
    stage: str | None  # the stage's key
    language: str
    findings: tuple[Finding, ...]
    passages: tuple[NotePassage, ...]
    count: int
    notebook: NoteBook | None

    @property
    def note_ids(self) -> list[str]:
        return unique(p.note_id for p in self.passages)

    @property
    def inputs(self) -> list[str]:
        return [self.text, self.objective]

    def data(self) -> dict[str, str]:
        stage = stage_name(self.stage, self.language) if self.stage else "-"
        return {
            "item": self.text,
            "objective": self.objective or "-",
            "stage": stage,
            "findings": render_findings(self.findings, self.language),
            "notes": render_passages(self.passages),
        }

    def params(self) -> dict[str, Any]:
        return {"count": self.count, "kind_label": words("questions_texts").get(self.language, f"kind_{self.kind}")}


def stage_passages(notebook: NoteBook | None, stage: str, language: str) -> list[NotePassage]:
    """The stage note's section on this stage (its English section for English)."""
    note = notebook.get(STAGE_NOTE) if notebook is not None else None
    if note is None:
        return []
    word = stage_name(stage, "zh").removesuffix("期")
    sections = [s for s in note.sections if s.language == language]
    chosen = [s for s in sections if language == "en" or word in s.heading] or sections[:1]
    return [NotePassage(note.id, note.title_in(language), s.heading, s.text) for s in chosen[:1]]


def gather_question_passages(
    text: str,
    *,
    kind: str,
    findings: Sequence[Finding],
    stage: str | None,
    language: str,
    retriever: Retriever | None,
    notebook: NoteBook | None,
) -> list[NotePassage]:
    """The guiding-questions note, the stage note, the notes behind the findings, then what the text retrieves."""
    guide = passages_from_notes(notebook, [QUESTION_NOTES[kind]], language=language, per_note=GUIDE_SECTIONS)
    staged = stage_passages(notebook, stage, language) if stage else []
    cited = passages_from_notes(notebook, (f.note for f in findings), language=language, per_note=FINDING_SECTIONS)
    found = passages_from_retriever(retriever, text, language=language, k=TEXT_PASSAGES) if retriever else []
    return merge_passages(guide, staged, cited, found, limit=PASSAGE_LIMIT)


def prepare_questions(
    text: str,
    *,
    kind: str,
    objective: str | None = None,
    stage: str | None = None,
    language: str | None = None,
    retriever: Retriever | None = None,
    notebook: NoteBook | None = None,
    config: Config | None = None,
    count: int = 5,
) -> QuestionsRequest:
    """Findings and passages for a draft: everything but the LLM call. Bad input raises ValueError."""
    if not text or not text.strip():
        raise ValueError("the text is empty")
    if kind not in KINDS:
        raise ValueError(f"kind must be objective or key_result, not {kind!r}")
    if not MIN_QUESTIONS <= count <= MAX_QUESTIONS:
        raise ValueError(f"count must be between {MIN_QUESTIONS} and {MAX_QUESTIONS}, not {count}")
    text = text.strip()
    objective = (objective or "").strip() if kind == "key_result" else ""
    lang = resolve_language(language, text)
    key = stage_key(stage)
    if notebook is None and retriever is not None:
        notebook = retriever.index.notebook
    findings = findings_for_item(text, kind=kind, objective=objective, language=lang, config=config)
    passages = gather_question_passages(
        text, kind=kind, findings=findings, stage=key, language=lang, retriever=retriever, notebook=notebook
    )
    item_kind: ItemKind = "key_result" if kind == "key_result" else "objective"  # checked against KINDS above
    return QuestionsRequest(text, item_kind, objective, key, lang, tuple(findings), tuple(passages), count, notebook)


@dataclass(frozen=True, slots=True)
class DroppedQuestion:
    """An LLM question that failed validation, and why."""

    question: GuidingQuestion
    reason: str  # duplicate, language, leak, empty


@dataclass(slots=True)
class QuestionsOutcome:
    """The guiding questions, where they came from, and what was dropped."""

    text: str
    kind: str
    language: str
    mode: str  # "llm" or "offline"
    stage: str | None = None
    questions: list[GuidingQuestion] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # per question: "llm" or "notes"
    findings: list[Finding] = field(default_factory=list)
    note_ids: list[str] = field(default_factory=list)  # the notes given to the LLM
    error: str | None = None
    dropped: list[DroppedQuestion] = field(default_factory=list)
    dropped_note_ids: list[str] = field(default_factory=list)

    @property
    def topped_up(self) -> int:
        """Questions taken from the notes because too few LLM questions survived."""
        return self.sources.count("notes") if self.mode == "llm" else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "language": self.language,
            "stage": self.stage,
            "mode": self.mode,
            "error": self.error,
            "note_ids": list(self.note_ids),
            "findings": [f.to_dict() for f in self.findings],
            "questions": [{**q.model_dump(), "source": s} for q, s in zip(self.questions, self.sources, strict=True)],
            "dropped": [{**d.question.model_dump(), "reason": d.reason} for d in self.dropped],
            "dropped_note_ids": list(self.dropped_note_ids),
        }

    def describe(self, language: str | None = None) -> str:
        """A plain-text block for the terminal."""
        return "\n".join(describe_lines(self, language or self.language))


def describe_lines(outcome: QuestionsOutcome, language: str) -> list[str]:
    t = words("questions_texts").table(language)
    lines: list[str] = []
    if outcome.error:
        lines.append(t["failed"].format(error=outcome.error))
    elif outcome.mode == "offline":
        lines.append(t["offline"])
    if outcome.topped_up:
        lines.append(t["topped"].format(min=MIN_QUESTIONS, count=outcome.topped_up))
    lines.append(t[outcome.kind] + outcome.text)
    if outcome.stage:
        lines.append(t["stage"] + stage_name(outcome.stage, language))
    for number, question in enumerate(outcome.questions, start=1):
        lines.append(f"{number}. {question.question}")
        if question.why:
            lines.append("   " + t["why"] + question.why)
        tags = []
        if question.dimension:
            tags.append(f"{t['dimension']}{t['colon']}{question.dimension}")
        if question.note_ids:
            tags.append(f"{t['notes']}{t['colon']}{', '.join(question.note_ids)}")
        if tags:
            lines.append("   " + t["sep"].join(tags))
    return lines


def guiding_questions(
    text: str,
    *,
    kind: str,
    objective: str | None = None,
    stage: str | None = None,
    language: str | None = None,
    llm: LLM | None,
    retriever: Retriever | None,
    notebook: NoteBook | None,
    config: Config | None = None,
    count: int = 5,
) -> QuestionsOutcome:
    """3–6 guiding questions for an objective or KR: tailored by the LLM and validated, or from the notes."""
    request = prepare_questions(
        text,
        kind=kind,
        objective=objective,
        stage=stage,
        language=language,
        retriever=retriever,
        notebook=notebook,
        config=config,
        count=count,
    )
    if llm is None:
        return offline_questions(request)
    try:
        return llm_questions(request, llm)
    except LLMError as exc:
        return offline_questions(request, error=str(exc))


def note_questions(request: QuestionsRequest, count: int) -> list[GuidingQuestion]:
    """Questions from the notes' lists (the offline suggester)."""
    return questions_from_notes(
        request.text,
        kind=request.kind,
        findings=list(request.findings),
        notebook=request.notebook,
        language=request.language,
        stage=request.stage,
        count=count,
    )


def offline_questions(request: QuestionsRequest, *, error: str | None = None) -> QuestionsOutcome:
    """The notes' questions, deduplicated, at most ``count``."""
    questions = _dedupe(note_questions(request, request.count))[: request.count]
    return _outcome(request, "offline", questions, ["notes"] * len(questions), error=error)


def llm_questions(request: QuestionsRequest, llm: LLM) -> QuestionsOutcome:
    """Ask the LLM, validate its questions, top up from the notes when fewer than three survive."""
    prompt = llm.prompt("guiding-questions")
    data, params = request.data(), request.params()
    answer = llm.ask(prompt, request.language, GuidingQuestions, data=data, params=params)
    guard = LeakGuard.of(system_texts(prompt, data=data, params=params), request.inputs)
    kept, dropped, dropped_ids = validate_questions(
        answer.questions, language=request.language, allowed_notes=set(request.note_ids), guard=guard
    )
    kept = kept[: request.count]
    sources = ["llm"] * len(kept)
    if len(kept) < MIN_QUESTIONS:
        extra = _dedupe(note_questions(request, MAX_QUESTIONS), seen={normalised(q.question) for q in kept})
        extra = extra[: request.count - len(kept)]
        kept, sources = kept + extra, sources + ["notes"] * len(extra)
    return _outcome(request, "llm", kept, sources, dropped=dropped, dropped_note_ids=dropped_ids)


def validate_questions(
    questions: Sequence[GuidingQuestion], *, language: str, allowed_notes: set[str], guard: LeakGuard
) -> tuple[list[GuidingQuestion], list[DroppedQuestion], list[str]]:
    """Keep questions that are non-empty, new, in ``language`` and no leak; remove unretrieved note ids."""
    kept: list[GuidingQuestion] = []
    dropped: list[DroppedQuestion] = []
    dropped_ids: list[str] = []
    seen: set[str] = set()
    for question in questions:
        reason = _problem(question, language, guard, seen)
        if reason:
            dropped.append(DroppedQuestion(question, reason))
            continue
        seen.add(normalised(question.question))
        unknown = [n for n in question.note_ids if n not in allowed_notes]
        if unknown:
            dropped_ids.extend(unknown)
            question = question.model_copy(update={"note_ids": [n for n in question.note_ids if n in allowed_notes]})
        kept.append(question)
    return kept, dropped, unique(dropped_ids)


def _problem(question: GuidingQuestion, language: str, guard: LeakGuard, seen: set[str]) -> str:
    key = normalised(question.question)
    if not key:
        return "empty"
    if key in seen:
        return "duplicate"
    if detect_language(question.question) != language:
        return "language"
    if guard.find([question.question, question.why]):
        return "leak"
    return ""


def _dedupe(questions: Sequence[GuidingQuestion], seen: set[str] | None = None) -> list[GuidingQuestion]:
    seen = set() if seen is None else set(seen)
    out = []
    for question in questions:
        key = normalised(question.question)
        if key and key not in seen:
            seen.add(key)
            out.append(question)
    return out


def _outcome(
    request: QuestionsRequest,
    mode: str,
    questions: list[GuidingQuestion],
    sources: list[str],
    *,
    error: str | None = None,
    dropped: list[DroppedQuestion] | None = None,
    dropped_note_ids: list[str] | None = None,
) -> QuestionsOutcome:
    return QuestionsOutcome(
        text=request.text,
        kind=request.kind,
        language=request.language,
        mode=mode,
        stage=request.stage,
        questions=questions,
        sources=sources,
        findings=list(request.findings),
        note_ids=request.note_ids,
        error=error,
        dropped=dropped or [],
        dropped_note_ids=dropped_note_ids or [],
    )
