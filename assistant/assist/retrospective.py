"""Cycle-end retrospective (复盘) drafts: the facts from the scores, the analysis from the LLM when there is one.

The deterministic skeleton (:func:`~assistant.assist.offline.retrospective_skeleton`) always comes
first: which key results were achieved or missed, their score percents and the calibration remarks
(full marks → too safe, under 50% → analyse, the mean against the 60–70% band). The LLM
(``prompts/retrospective``) only writes what the numbers cannot say: the actions behind achieved KRs,
the kind of obstacle behind missed ones and proposals for the next cycle. Its answer is merged into
the skeleton, never the other way round: the skeleton decides every KR's side and score, a missed KR
the LLM left out is put back, note ids must have been retrieved. Without an LLM, or when it fails,
the skeleton is the draft.

Check-in notes (what happened to each KR during the cycle) come from a small CSV, YAML or JSON file
read by :func:`assistant.importers.checkin_notes.read_checkins`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import scoring
from ..config import Config
from ..importers.checkin_notes import checkins_for, parse_kr_ref, read_checkins
from ..llm import LLM, LLMError
from ..model import OKRSet
from ..texts import words
from .offline import render_retrospective_markdown, retrospective_skeleton
from .passages import NotePassage, merge_passages, passages_from_notes, passages_from_retriever, render_passages
from .prompting import LeakGuard, resolve_language, system_texts
from .schemas import AchievedKR, MissedKR, RetrospectiveDraft
from .wording import normalised, unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

__all__ = [
    "Merged",
    "RetrospectiveOutcome",
    "checkins_for",
    "draft_retrospective",
    "facts_block",
    "merge_retrospective",
    "parse_kr_ref",
    "read_checkins",
    "scores_table",
]

# Notes every retrospective prompt carries, then what the retriever finds for the question below.
RETRO_NOTES = ("retrospective", "scoring")
SEARCH_PASSAGES = 3
PASSAGE_LIMIT = 6
NOTE_TEXT_LIMIT = 2000  # characters of one KR's check-in note given to the LLM

# ---------------------------------------------------------------- the outcome


@dataclass(slots=True)
class RetrospectiveOutcome:
    """A retrospective draft for one set, where it came from, and what the merge corrected."""

    set_key: str
    language: str
    mode: str  # "llm", "offline" (no LLM or it failed) or "none" (the set has no scores)
    draft: RetrospectiveDraft
    error: str | None = None  # the LLM failure (the skeleton was used), or why there is no draft
    note_ids: list[str] = field(default_factory=list)  # the notes given to the LLM
    added_missed: list[str] = field(default_factory=list)  # missed KRs the LLM left out, put back
    corrected: list[str] = field(default_factory=list)  # KRs the LLM put on the wrong side
    dropped_items: list[str] = field(default_factory=list)  # KRs the LLM listed that the skeleton has not
    dropped_note_ids: list[str] = field(default_factory=list)  # cited by the LLM but never retrieved
    unknown_checkins: list[str] = field(default_factory=list)  # check-in refs that name no KR of the set
    unscored: list[str] = field(default_factory=list)  # KRs without a score, left out of the draft
    checkins_used: int = 0

    @property
    def scored(self) -> bool:
        return self.mode != "none"

    @property
    def markdown(self) -> str:
        """The draft as Markdown (empty when the set has no scores)."""
        return render_retrospective_markdown(self.draft, self.language) if self.scored else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the draft, its Markdown, the mode and everything the merge changed."""
        return {
            "set": self.set_key,
            "language": self.language,
            "mode": self.mode,
            "scored": self.scored,
            "error": self.error,
            "draft": self.draft.model_dump(),
            "markdown": self.markdown,
            "note_ids": list(self.note_ids),
            "added_missed": list(self.added_missed),
            "corrected": list(self.corrected),
            "dropped_items": list(self.dropped_items),
            "dropped_note_ids": list(self.dropped_note_ids),
            "unknown_checkins": list(self.unknown_checkins),
            "unscored": list(self.unscored),
            "checkins_used": self.checkins_used,
        }

    def describe(self, language: str | None = None) -> str:
        """A plain-text block for the terminal: how it was made, what was corrected, then the Markdown."""
        lang = "zh" if (language or self.language) == "zh" else "en"
        t = words("retrospective_texts").table(lang)
        lines: list[str] = []
        if not self.scored:
            return t["title"].format(set=self.set_key) + "\n" + (self.error or "")
        if self.error:
            lines.append(t["failed"].format(error=self.error))
        elif self.mode == "offline":
            lines.append(t["offline"])
        if self.added_missed:
            lines.append(t["added"].format(count=len(self.added_missed), refs=", ".join(self.added_missed)))
        if self.corrected:
            lines.append(t["corrected"].format(refs=", ".join(self.corrected)))
        if self.dropped_items:
            lines.append(t["dropped_items"].format(refs=", ".join(self.dropped_items)))
        if self.dropped_note_ids:
            lines.append(t["dropped_notes"].format(ids=", ".join(self.dropped_note_ids)))
        if self.unscored:
            lines.append(t["unscored"].format(count=len(self.unscored), refs=", ".join(self.unscored)))
        if self.unknown_checkins:
            lines.append(t["unknown"].format(refs=", ".join(self.unknown_checkins)))
        body = render_retrospective_markdown(self.draft, lang)
        return "\n".join([*lines, "", body] if lines else [body]).rstrip()


# ---------------------------------------------------------------- drafting


def draft_retrospective(
    okr_set: OKRSet,
    *,
    checkins: Mapping[str, str] | None = None,
    language: str | None = None,
    llm: LLM | None,
    retriever: Retriever | None,
    notebook: NoteBook | None,
    config: Config | None = None,
) -> RetrospectiveOutcome:
    """The retrospective of one scored set: the skeleton from the scores, the LLM's analysis merged into it.

    A set without scores gives an outcome with mode ``"none"`` and the reason in ``error``; an unknown
    ``language`` raises ValueError.
    """
    config = config or Config()
    lang = resolve_language(language, " ".join(o.text for o in okr_set.objectives) or okr_set.team)
    notes, unknown = checkins_for(okr_set, checkins)
    pairs = list(okr_set.key_results())
    unscored = [o.kr_ref(kr) for o, kr in pairs if kr.score is None]
    t = words("retrospective_texts").table(lang)
    if not pairs or len(unscored) == len(pairs):
        reason = t["no_krs" if not pairs else "no_scores"].format(set=okr_set.key)
        empty = RetrospectiveDraft(set_key=okr_set.key)
        return RetrospectiveOutcome(okr_set.key, lang, "none", empty, error=reason, unknown_checkins=unknown)
    skeleton = retrospective_skeleton(okr_set, checkins=notes, language=lang, config=config)
    outcome = RetrospectiveOutcome(
        okr_set.key,
        lang,
        "offline",
        skeleton,
        unknown_checkins=unknown,
        unscored=unscored,
        checkins_used=len(notes),
    )
    if llm is None:
        return outcome
    if notebook is None and retriever is not None:
        notebook = retriever.index.notebook
    passages = _passages(lang, retriever, notebook)
    outcome.note_ids = unique(p.note_id for p in passages)
    prompt = llm.prompt("retrospective")
    data = {
        "okr_set": scores_table(okr_set, lang, config),
        "checkins": _checkins_block(notes),
        "facts": facts_block(skeleton, lang),
        "notes": render_passages(passages),
    }
    try:
        answer = llm.ask(prompt, lang, RetrospectiveDraft, data=data)
    except LLMError as exc:
        outcome.error = str(exc)
        return outcome
    guard = LeakGuard.of(system_texts(prompt, data=data, params={}), [*data.values()])
    if guard.find(_answer_texts(answer)):
        outcome.error = t["leak"]
        return outcome
    merged = merge_retrospective(skeleton, answer, allowed_notes=set(outcome.note_ids) | set(skeleton.note_ids))
    outcome.mode = "llm"
    outcome.draft = merged.draft
    outcome.added_missed = merged.added_missed
    outcome.corrected = merged.corrected
    outcome.dropped_items = merged.dropped_items
    outcome.dropped_note_ids = merged.dropped_note_ids
    return outcome


def _passages(language: str, retriever: Retriever | None, notebook: NoteBook | None) -> list[NotePassage]:
    fixed = passages_from_notes(notebook, RETRO_NOTES, language=language)
    found = (
        passages_from_retriever(
            retriever,
            words("retrospective_texts").get(language, "retrieval_question"),
            language=language,
            k=SEARCH_PASSAGES,
        )
        if retriever is not None
        else []
    )
    return merge_passages(fixed, found, limit=PASSAGE_LIMIT)


def _answer_texts(draft: RetrospectiveDraft) -> list[str]:
    texts = [*draft.calibration, *draft.next_cycle]
    texts += [text for a in draft.achieved for text in a.actions]
    texts += [m.analysis for m in draft.missed]
    return texts


def scores_table(okr_set: OKRSet, language: str, config: Config | None = None) -> str:
    """The set as a Markdown table: each KR with its objective, its score as entered and as a percent."""
    scale = scoring.set_scale(okr_set, config or Config())
    head = (
        "| 编号 | 目标 | 关键结果 | 得分 | 百分比 |"
        if language == "zh"
        else "| ref | objective | key result | score | percent |"
    )
    lines = [f"{okr_set.key}", "", head, "|---|---|---|---|---|"]
    for objective, kr in okr_set.key_results():
        score = "-" if kr.score is None else f"{kr.score:g}"
        percent = "-" if kr.score is None else f"{scoring.to_percent(kr.score, scale):g}%"
        lines.append(f"| {objective.kr_ref(kr)} | {_cell(objective.text)} | {_cell(kr.text)} | {score} | {percent} |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "/").strip()


def _checkins_block(notes: Mapping[str, str]) -> str:
    if not notes:
        return "-"
    blocks = []
    for ref, text in notes.items():
        clipped = text if len(text) <= NOTE_TEXT_LIMIT else text[:NOTE_TEXT_LIMIT].rstrip() + "…"
        blocks.append(f"{ref}: {clipped}")
    return "\n".join(blocks)


def facts_block(skeleton: RetrospectiveDraft, language: str) -> str:
    """The skeleton's facts as the prompt's facts block: the KRs on each side with scores, the calibration."""
    zh = language == "zh"
    lines = ["已达成：" if zh else "Achieved:"]
    lines += [f"- {a.kr} ({_percent(a.score_percent)}): {a.text}" for a in skeleton.achieved] or ["-"]
    lines.append("未达成：" if zh else "Missed:")
    lines += [f"- {m.kr} ({_percent(m.score_percent)}): {m.text}" for m in skeleton.missed] or ["-"]
    lines.append("分数校准：" if zh else "Calibration:")
    lines += [f"- {c}" for c in skeleton.calibration] or ["-"]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:g}%"


# ---------------------------------------------------------------- merging


@dataclass(slots=True)
class Merged:
    """The merged draft and what the merge had to change in the LLM's answer."""

    draft: RetrospectiveDraft
    added_missed: list[str] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    dropped_items: list[str] = field(default_factory=list)
    dropped_note_ids: list[str] = field(default_factory=list)


def _ref_of(text: str) -> str:
    parsed = parse_kr_ref(text)
    return parsed[1] if parsed else text.strip()


def merge_retrospective(skeleton: RetrospectiveDraft, answer: RetrospectiveDraft, *, allowed_notes: set[str]) -> Merged:
    """The LLM's analysis on the skeleton's facts.

    Sides, texts and scores come from the skeleton, in its order; the LLM adds actions (achieved),
    obstacle and analysis (missed), extra calibration lines and the next-cycle proposals. A missed KR
    the LLM left out keeps the skeleton's entry (counted in ``added_missed``); one the LLM put on the
    other side is corrected (``corrected``); KRs the skeleton does not have are dropped.
    """
    llm_achieved: dict[str, AchievedKR] = {}
    for done in answer.achieved:
        llm_achieved.setdefault(_ref_of(done.kr), done)
    llm_missed: dict[str, MissedKR] = {}
    for miss in answer.missed:
        llm_missed.setdefault(_ref_of(miss.kr), miss)
    merged = Merged(RetrospectiveDraft(set_key=skeleton.set_key))
    achieved: list[AchievedKR] = []
    for fact in skeleton.achieved:
        ref = _ref_of(fact.kr)
        own = llm_achieved.get(ref)
        if own is None and ref in llm_missed:
            merged.corrected.append(fact.kr)
        actions = unique(own.actions) if own is not None and own.actions else list(fact.actions)
        achieved.append(fact.model_copy(update={"actions": actions}))
    missed: list[MissedKR] = []
    for missed_fact in skeleton.missed:
        ref = _ref_of(missed_fact.kr)
        answered = llm_missed.get(ref)
        if answered is None:
            (merged.corrected if ref in llm_achieved else merged.added_missed).append(missed_fact.kr)
            missed.append(missed_fact.model_copy())
            continue
        update = {"obstacle": answered.obstacle, "analysis": answered.analysis or missed_fact.analysis}
        missed.append(missed_fact.model_copy(update=update))
    known = {_ref_of(item.kr) for item in skeleton.achieved} | {_ref_of(item.kr) for item in skeleton.missed}
    merged.dropped_items = unique(ref for ref in [*llm_achieved, *llm_missed] if ref not in known)
    seen = {normalised(line) for line in skeleton.calibration}
    extra = [line for line in answer.calibration if normalised(line) and normalised(line) not in seen]
    calibration = [*skeleton.calibration, *unique(extra)]
    next_cycle = unique(answer.next_cycle) or list(skeleton.next_cycle)
    kept = [n for n in answer.note_ids if n in allowed_notes]
    merged.dropped_note_ids = unique(n for n in answer.note_ids if n not in allowed_notes)
    merged.draft = RetrospectiveDraft(
        set_key=skeleton.set_key,
        achieved=achieved,
        missed=missed,
        calibration=calibration,
        next_cycle=next_cycle,
        note_ids=unique([*skeleton.note_ids, *kept]),
    )
    return merged
