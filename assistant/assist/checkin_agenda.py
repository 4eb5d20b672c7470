"""The check-in meeting agenda: drafted from the check-in analysis, phrased by the LLM when there is one.

The deterministic skeleton always comes first: what is at risk or off track and the question to ask its
owner, what is stale, which handshakes block progress, the decisions needed, what is done early, and the
knowledge notes to read. The LLM (``prompts/checkin-agenda``) may only rephrase the questions and propose
decisions; its answer is merged into the skeleton, never the other way round: a question for a KR the
skeleton does not list is dropped, and any sentence holding a figure that is not in the check-in data is
replaced by the skeleton's (the agenda never invents a progress figure). Note ids must have been given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ..checkin.analysis import CheckinFinding, SetCheck, figure
from ..checkin.texts import agenda_text, label, note_title, status_label
from ..importers.checkin_notes import parse_kr_ref
from ..llm import LLM, LLMError
from .passages import NotePassage, passages_from_notes, render_passages
from .prompting import LeakGuard, system_texts
from .wording import unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook

__all__ = [
    "AGENDA_NOTES",
    "AgendaAnswer",
    "AgendaQuestion",
    "CheckinAgenda",
    "agenda_skeleton",
    "draft_agenda",
    "figures_in",
]

# The notes every agenda cites: the rhythm, how to run the meeting, confidence, progress against time.
AGENDA_NOTES = ("enabling-rhythm", "checkin-meeting", "confidence-index", "progress-against-time")
_RISK_CODES = ("CHK002", "CHK001", "CHK005", "CHK006", "CHK010")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")


class AgendaQuestion(BaseModel):
    """One question for the owner of a key result."""

    kr: str = Field(description="KR reference, e.g. O1.KR2")
    question: str = Field(description="The question to ask its owner")


class AgendaAnswer(BaseModel):
    """What the LLM returns for the agenda prompt."""

    questions: list[AgendaQuestion] = Field(default_factory=list)
    decisions: list[str] = Field(default_factory=list)
    note_ids: list[str] = Field(default_factory=list)


@dataclass(slots=True)
class CheckinAgenda:
    """A check-in meeting agenda for one set; ``mode`` is ``offline`` (skeleton) or ``llm``."""

    set_key: str
    language: str
    as_of: str
    intro: str
    risks: list[tuple[str, str]] = field(default_factory=list)  # (KR ref, question)
    stale: list[tuple[str, str]] = field(default_factory=list)
    handshakes: list[tuple[str, str]] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    wins: list[tuple[str, str]] = field(default_factory=list)
    note_ids: list[str] = field(default_factory=list)
    mode: str = "offline"
    error: str | None = None
    dropped: list[str] = field(default_factory=list)  # LLM sentences left out, with why

    def texts(self) -> list[str]:
        """Every sentence of the agenda, for checks (figures, leaks)."""
        pairs = [*self.risks, *self.stale, *self.handshakes, *self.wins]
        return [self.intro, *(text for _, text in pairs), *self.decisions]

    def markdown(self) -> str:
        lang = self.language
        lines = [f"## {agenda_text('title', lang).format(team=self.set_key, as_of=self.as_of)}", "", self.intro, ""]
        for key, items in (
            ("risks", self.risks),
            ("stale", self.stale),
            ("handshakes", self.handshakes),
        ):
            lines.append(f"### {agenda_text(key, lang)}")
            lines += [f"- {text}" for _, text in items] or [f"- {agenda_text('none', lang)}"]
            lines.append("")
        lines.append(f"### {agenda_text('decisions', lang)}")
        lines += [f"- {text}" for text in self.decisions] or [f"- {agenda_text('none', lang)}"]
        lines.append("")
        if self.wins:
            lines.append(f"### {agenda_text('wins', lang)}")
            lines += [f"- {text}" for _, text in self.wins]
            lines.append("")
        lines.append(agenda_text("closing", lang))
        if self.note_ids:
            colon = "：" if lang == "zh" else ": "
            named = label("separator", lang).join(
                agenda_text("note_named", lang).format(title=note_title(n, lang), id=n) for n in self.note_ids
            )
            lines += ["", agenda_text("notes", lang) + colon + named]  # the notes in words, their ids after
        if self.mode == "offline":
            lines += ["", agenda_text("offline", lang)]
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        def items(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
            return [{"kr": ref, "text": text} for ref, text in pairs]

        return {
            "set": self.set_key,
            "as_of": self.as_of,
            "language": self.language,
            "mode": self.mode,
            "intro": self.intro,
            "risks": items(self.risks),
            "stale": items(self.stale),
            "handshakes": items(self.handshakes),
            "decisions": list(self.decisions),
            "wins": items(self.wins),
            "note_ids": list(self.note_ids),
            "error": self.error,
            "dropped": list(self.dropped),
        }


def figures_in(texts: Iterable[str]) -> set[str]:
    """The figures written in some texts, normalised (``49.50`` → ``49.5``, ``07`` → ``7``)."""
    found = set()
    for text in texts:
        for match in _FIGURE.findall(text or ""):
            found.add(figure(float(match)))
    return found


def _first(findings: list[CheckinFinding], codes: Iterable[str]) -> dict[str, CheckinFinding]:
    """The most important finding of each KR among ``codes`` (in the order given)."""
    chosen: dict[str, CheckinFinding] = {}
    for code in codes:
        for finding in findings:
            if finding.code == code and finding.key_result and finding.key_result not in chosen:
                chosen[finding.key_result] = finding
    return chosen


def _kr_order(okr_set: SetCheck) -> dict[str, int]:
    return {kr.ref: index for index, kr in enumerate(okr_set.key_results())}


def agenda_skeleton(
    okr_set: SetCheck, language: str, as_of: date, *, notes: Iterable[str] = AGENDA_NOTES
) -> CheckinAgenda:
    """The agenda from the analysis alone: every sentence and figure comes from the check-in data."""
    lang = language
    order = _kr_order(okr_set)
    findings = list(okr_set.findings)
    if okr_set.elapsed is None:
        intro = agenda_text("intro_no_cycle", lang)
    else:
        weighted = "—" if okr_set.progress is None else f"{figure(okr_set.progress)}%"
        intro = agenda_text("intro", lang).format(elapsed=figure(okr_set.elapsed), weighted=weighted)
    agenda = CheckinAgenda(set_key=okr_set.key, language=lang, as_of=as_of.isoformat(), intro=intro)
    statuses = {kr.ref: kr.status for kr in okr_set.key_results()}

    def line(finding: CheckinFinding) -> tuple[str, str]:
        ref = finding.key_result or finding.item
        tag = status_label(statuses.get(ref, "unknown"), lang)
        return ref, f"[{tag}] {finding.question or finding.message}"

    # Behind, without data, or losing confidence; stale KRs have their own section, done ones are wins.
    risky = [
        f
        for f in findings
        if f.code in _RISK_CODES and f.key_result and statuses.get(f.key_result) not in ("stale", "done_early")
    ]
    risky.sort(key=lambda f: (order.get(f.key_result or "", 0), _RISK_CODES.index(f.code)))
    agenda.risks = [line(f) for f in risky]
    stale = _first(findings, ("CHK003",))
    agenda.stale = [line(stale[ref]) for ref in sorted(stale, key=lambda r: order.get(r, 0))]
    agenda.handshakes = [(f.key_result or f.item, f.question or f.message) for f in findings if f.code == "CHK011"]
    done = _first(findings, ("CHK004",))
    agenda.wins = [line(done[ref]) for ref in sorted(done, key=lambda r: order.get(r, 0))]
    decisions = [agenda_text("decision_off_track", lang).format(kr=f.item) for f in findings if f.code == "CHK002"]
    decisions += [
        agenda_text("decision_weights", lang).format(what=f.item) for f in findings if f.code in ("CHK007", "CHK008")
    ]
    decisions += [agenda_text("decision_task", lang).format(kr=f.item) for f in findings if f.code == "CHK009"]
    agenda.decisions = unique(decisions)
    agenda.note_ids = unique([*notes, *(f.note for f in findings)])
    return agenda


def checkin_block(okr_set: SetCheck, language: str) -> str:
    """The set's KRs as the prompt's check-in block: ref, status, progress, expected, confidence, owner, note."""
    lang = language
    heads = ("kr", "status", "progress", "expected", "confidence", "updated", "owner")
    lines = [okr_set.key, "", "| " + " | ".join(label(h, lang) for h in heads) + " | note |"]
    for kr in okr_set.key_results():
        cells = (
            f"{kr.ref} {kr.text}",
            status_label(kr.status, lang),
            "—" if kr.progress is None else f"{figure(kr.progress)}%",
            "—" if kr.expected is None else f"{figure(kr.expected)}%",
            "—" if kr.confidence is None else f"{figure(kr.confidence)}%",
            kr.updated.isoformat() if kr.updated else "—",
            kr.owner or "—",
            kr.note or "—",
        )
        lines.append("| " + " | ".join(re.sub(r"\s+", " ", c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def findings_block(okr_set: SetCheck) -> str:
    return "\n".join(f"- {f.code} {f.item}: {f.message}" for f in okr_set.findings) or "-"


def allowed_figures(okr_set: SetCheck, language: str, as_of: date) -> set[str]:
    """Every figure the agenda may hold: those in the check-in data given to the LLM and the skeleton."""
    skeleton = agenda_skeleton(okr_set, language, as_of)
    return figures_in([checkin_block(okr_set, language), findings_block(okr_set), *skeleton.texts()])


def merge_agenda(skeleton: CheckinAgenda, answer: AgendaAnswer, *, allowed: set[str], notes: set[str]) -> CheckinAgenda:
    """The skeleton with the LLM's questions and decisions where they are safe; what was left out in ``dropped``."""
    merged = CheckinAgenda(
        set_key=skeleton.set_key,
        language=skeleton.language,
        as_of=skeleton.as_of,
        intro=skeleton.intro,
        handshakes=list(skeleton.handshakes),
        wins=list(skeleton.wins),
        mode="llm",
    )
    asked: dict[str, str] = {}
    for item in answer.questions:
        parsed = parse_kr_ref(item.kr)
        ref = parsed[1] if parsed else item.kr.strip()
        text = item.question.strip()
        invented = figures_in([text]) - allowed
        if invented:
            merged.dropped.append(f"{ref}: figures not in the data ({', '.join(sorted(invented))})")
            continue
        if text:
            asked.setdefault(ref, text)

    def rephrase(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        out = []
        for ref, text in pairs:
            own = asked.get(ref)
            if own is None:
                out.append((ref, text))
            else:
                tag = text.split("]", 1)[0] + "] " if text.startswith("[") else ""
                out.append((ref, tag + own))
        return out

    merged.risks = rephrase(skeleton.risks)
    merged.stale = rephrase(skeleton.stale)
    known = {ref for ref, _ in [*skeleton.risks, *skeleton.stale]}
    merged.dropped += [f"{ref}: not a key result to discuss" for ref in asked if ref not in known]
    extra = []
    for decision in answer.decisions:
        invented = figures_in([decision]) - allowed
        if invented:
            merged.dropped.append(f"decision: figures not in the data ({', '.join(sorted(invented))})")
        elif decision.strip():
            extra.append(decision.strip())
    merged.decisions = unique([*skeleton.decisions, *extra])
    merged.note_ids = unique([*skeleton.note_ids, *(n for n in answer.note_ids if n in notes)])
    merged.dropped += [f"note id {n!r} was not given" for n in answer.note_ids if n not in notes]
    return merged


def _passages(notebook: NoteBook | None, note_ids: Iterable[str], language: str) -> list[NotePassage]:
    return passages_from_notes(notebook, note_ids, language=language, per_note=1)


def draft_agenda(
    okr_set: SetCheck,
    *,
    as_of: date,
    language: str,
    llm: LLM | None,
    notebook: NoteBook | None = None,
) -> CheckinAgenda:
    """The agenda of one set's check-in: the skeleton, with the LLM's phrasing merged in when it answers.

    Cited notes are those of ``AGENDA_NOTES`` and of the findings that exist in ``notebook`` (all of them
    when no notebook is given).
    """
    wanted = unique([*AGENDA_NOTES, *(f.note for f in okr_set.findings)])
    present = [n for n in wanted if notebook is None or notebook.get(n) is not None]
    skeleton = agenda_skeleton(okr_set, language, as_of, notes=present)
    skeleton.note_ids = present
    if llm is None:
        return skeleton
    passages = _passages(notebook, present, language)
    prompt = llm.prompt("checkin-agenda")
    data = {
        "checkin": checkin_block(okr_set, language),
        "findings": findings_block(okr_set),
        "notes": render_passages(passages),
    }
    try:
        answer = llm.ask(prompt, language, AgendaAnswer, data=data)
    except LLMError as exc:
        skeleton.error = str(exc)
        return skeleton
    guard = LeakGuard.of(system_texts(prompt, data=data, params={}), [*data.values()])
    said = [q.question for q in answer.questions] + list(answer.decisions)
    if guard.find(said):
        skeleton.error = "the answer repeated the prompt's instructions; the offline agenda is shown"
        return skeleton
    given = {p.note_id for p in passages} | set(present)
    return merge_agenda(skeleton, answer, allowed=allowed_figures(okr_set, language, as_of), notes=given)
