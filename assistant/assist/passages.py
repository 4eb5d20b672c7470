"""Note passages given to the LLM (and to the offline coach): found by the retriever or taken from cited notes.

Every task that grounds its answer in the guidance notes (rewrite, questions, retrospective,
drafting chat, check-in agenda) gathers :class:`NotePassage` items here and renders them as the
prompt's ``notes`` data block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .wording import unique

if TYPE_CHECKING:
    from ..knowledge import NoteBook
    from ..knowledge.retrieval import Retriever

__all__ = [
    "PASSAGE_CHARS",
    "NotePassage",
    "merge_passages",
    "passages_from_notes",
    "passages_from_retriever",
    "render_passages",
]

PASSAGE_CHARS = 700  # a retrieved section is cut to this length in the prompt
DEFAULT_PASSAGES = 3  # passages the retriever returns when the caller does not say


@dataclass(frozen=True, slots=True)
class NotePassage:
    """A piece of a guidance note given to the LLM: which note, which section, the text."""

    note_id: str
    title: str
    section: str
    text: str


def passages_from_retriever(
    retriever: Retriever, question: str, *, language: str, rules: Sequence[str] = (), k: int = DEFAULT_PASSAGES
) -> list[NotePassage]:
    """The retriever's best passages for ``question`` (only from notes on ``rules`` when given)."""
    found = retriever.search(question, k, rules=list(rules), language=language)
    return [NotePassage(p.note_id, p.title, p.section, p.text) for p in found]


def passages_from_notes(
    notebook: NoteBook | None, note_ids: Iterable[str], *, language: str, per_note: int = 2
) -> list[NotePassage]:
    """The first sections in ``language`` of the named notes (no retriever: the notes the findings cite)."""
    if notebook is None:
        return []
    out: list[NotePassage] = []
    for note_id in unique(note_ids):
        note = notebook.get(note_id)
        if note is None:
            continue
        sections = [s for s in note.sections if s.language == language] or list(note.sections)
        out.extend(NotePassage(note.id, note.title_in(language), s.heading, s.text) for s in sections[:per_note])
    return out


def merge_passages(*groups: Iterable[NotePassage], limit: int) -> list[NotePassage]:
    """Passages in order, each (note, section) once, at most ``limit``."""
    seen: set[tuple[str, str]] = set()
    out: list[NotePassage] = []
    for passage in (p for group in groups for p in group):
        key = (passage.note_id, passage.section)
        if key not in seen and len(out) < limit:
            seen.add(key)
            out.append(passage)
    return out


def render_passages(passages: Sequence[NotePassage]) -> str:
    """The passages as the prompt's notes block: note id and section before each text."""
    if not passages:
        return "-"
    blocks = []
    for p in passages:
        text = p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS].rstrip() + "…"
        blocks.append(f"[{p.note_id}] {p.title} · {p.section}\n{text}")
    return "\n\n".join(blocks)
