"""Suggestions in the draft tab as things to act on: rewrite candidates as cards, guiding questions as a checklist.

Pure functions over the assistant's outcomes (:mod:`assistant.assist.rewrite`, :mod:`assistant.assist.questions`):
card HTML in the page's words (dimension and note titles, never their ids), the choices to adopt or tick, and
the draft with a candidate adopted in place of its key result. Every piece of text is escaped: it is data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from ..assist.questions import QuestionsOutcome
from ..assist.rewrite import RewriteOutcome
from ..findings import Dimension
from ..knowledge.notes import Note
from ..rules.catalogue import dimension_label
from ..texts import words
from .draft import rows_to_draft, table_rows
from .texts import text


def _note_titles(note_ids: Sequence[str], notes: Mapping[str, Note], language: str) -> list[str]:
    """The titles of the notes a suggestion relies on (ids the notes do not know are left out, not shown raw)."""
    return [notes[i].title_in(language) for i in dict.fromkeys(note_ids) if i in notes]


def _dimension(key: str, language: str) -> str:
    try:
        return dimension_label(Dimension(key), language)
    except ValueError:
        return ""


def _mode_line(mode: str, error: str | None, language: str) -> str:
    t = words("rewrite_texts").table(language)
    if error:
        return f'<p class="okr-mode">{escape(t["failed"].format(error=error))}</p>'
    return f'<p class="okr-mode">{escape(t["offline"])}</p>' if mode == "offline" else ""


def rewrite_cards(outcome: RewriteOutcome, notes: Mapping[str, Note], language: str) -> str:
    """The candidates that passed the rules as cards, best first: the KR, its figures, why, the notes behind it."""
    t = words("rewrite_texts").table(language)
    parts = ['<div class="okr-cards">', _mode_line(outcome.mode, outcome.error, language)]
    if not outcome.candidates:
        parts.append(f"<p>{escape(t['none'])}</p>")
    for number, checked in enumerate(outcome.candidates, start=1):
        c = checked.candidate
        figures = [(t["metric"], c.metric), (t["baseline"], c.baseline), (t["target"], c.target)]
        figures += [(t["unit"], c.unit), (t["deadline"], c.deadline)]
        facts = t["sep"].join(f"{name}{t['colon']}{value}" for name, value in figures if value)
        sources = _note_titles(c.note_ids, notes, language)
        parts.append(
            f'<div class="okr-card" data-candidate="{number}">'
            f'<p class="okr-card-text"><b>{number}.</b> {escape(c.text)}</p>'
            + (f'<p class="okr-card-facts">{escape(facts)}</p>' if facts else "")
            + (f"<p>{escape(t['rationale'] + c.rationale)}</p>" if c.rationale else "")
            + (
                f'<p class="okr-card-notes"><small>{escape(text(language, "based_on"))}'
                f"{escape(t['colon'])}{escape(text(language, 'list_sep').join(sources))}"
                "</small></p>"
                if sources
                else ""
            )
            + "</div>"
        )
    parts.append("</div>")
    return "".join(parts)


def candidate_choices(outcome: RewriteOutcome) -> list[tuple[str, str]]:
    """(label, text) of each candidate that passed, for the "use this" choice."""
    return [(f"{n}. {c.candidate.text}", c.candidate.text) for n, c in enumerate(outcome.candidates, start=1)]


def question_intro(outcome: QuestionsOutcome, notes: Mapping[str, Note], language: str) -> str:
    """What the checklist is, how it was made (offline or not), and the notes it draws on, by title."""
    sources = _note_titles(outcome.note_ids or [i for q in outcome.questions for i in q.note_ids], notes, language)
    parts = ['<div class="okr-cards">', _mode_line(outcome.mode, outcome.error, language)]
    parts.append(f"<p>{escape(text(language, 'questions_intro'))}</p>")
    if sources:
        joined = text(language, "list_sep").join(sources)
        parts.append(
            f'<p class="okr-card-notes"><small>{escape(text(language, "based_on"))}: {escape(joined)}</small></p>'
        )
    parts.append("</div>")
    return "".join(parts)


def question_choices(outcome: QuestionsOutcome, language: str) -> list[str]:
    """Each guiding question, with the dimension it probes in words (not its key), to tick through."""
    items = []
    for q in outcome.questions:
        dimension = _dimension(q.dimension, language)
        items.append(
            text(language, "question_dimension", question=q.question, dimension=dimension) if dimension else q.question
        )
    return items


def adopt(draft: Sequence[Any], ref: str, candidate: str) -> list[dict[str, Any]]:
    """The draft with ``candidate`` in place of the key result ``ref`` (``O1.KR2``); owner and order kept.

    Raises ValueError when ``ref`` names no key result of the draft or the candidate is empty.
    """
    head, _, kr_part = (ref or "").partition(".")
    if not kr_part or not candidate.strip():
        raise ValueError(ref)
    rows = table_rows(draft)
    for row in rows:
        if row[0] == head and row[2] == kr_part:
            row[3] = candidate.strip()
            return rows_to_draft(rows)
    raise ValueError(ref)
