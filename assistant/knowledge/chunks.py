"""What the index stores: one chunk per note section, and what decides when stored chunks are outdated.

Shared by the chromadb index (``index``), its query snapshot (``snapshot``) and retrieval.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from .tokens import document_words

if TYPE_CHECKING:
    from .notes import Note

INDEX_FORMAT = 1  # bump when chunking or stored fields change: every index rebuilds


@dataclass(frozen=True, slots=True)
class Chunk:
    """One note section as stored: its id is ``note-id#n``."""

    id: str
    note_id: str
    section: str
    language: str
    text: str  # the section's text, shown to users
    words: tuple[str, ...]  # title, heading, topics and text as words, for BM25
    rules: tuple[str, ...]
    dimensions: tuple[str, ...]

    def embedded_text(self, note: Note) -> str:
        """What the embedding sees: the note's titles and topics give every section its context."""
        return "\n".join((note.title["zh"], note.title["en"], " ".join(note.topics), self.section, self.text))

    def metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "note_id": self.note_id,
            "section": self.section,
            "language": self.language,
            "words": " ".join(self.words),
            "rules": ",".join(self.rules),
            "dimensions": ",".join(self.dimensions),
        }
        # Chroma filters on scalar fields: one flag per rule and dimension makes them filterable.
        meta.update({f"rule_{code}": True for code in self.rules})
        meta.update({f"dim_{dimension}": True for dimension in self.dimensions})
        return meta

    @classmethod
    def from_stored(cls, chunk_id: str, text: str, meta: Mapping[str, Any]) -> Chunk:
        return cls(
            id=chunk_id,
            note_id=str(meta["note_id"]),
            section=str(meta["section"]),
            language=str(meta["language"]),
            text=text,
            words=tuple(str(meta["words"]).split()),
            rules=tuple(filter(None, str(meta.get("rules", "")).split(","))),
            dimensions=tuple(filter(None, str(meta.get("dimensions", "")).split(","))),
        )


def note_chunks(note: Note) -> list[Chunk]:
    """The chunks of one note, one per ``##`` section."""
    rules = note.rules
    dimensions = tuple(d.value for d in note.dimensions)
    chunks = []
    for number, section in enumerate(note.sections, start=1):
        parts = (note.title["zh"], note.title["en"], " ".join(note.topics), section.heading, section.text)
        chunks.append(
            Chunk(
                id=f"{note.id}#{number}",
                note_id=note.id,
                section=section.heading,
                language=section.language,
                text=section.text,
                words=tuple(document_words(parts)),
                rules=rules,
                dimensions=dimensions,
            )
        )
    return chunks


def vocabulary_hash() -> str:
    """A digest of ``data/retrieval.toml``: its terms, stop words and synonyms change every chunk's words."""
    text = resources.files("assistant").joinpath("data/retrieval.toml").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]
