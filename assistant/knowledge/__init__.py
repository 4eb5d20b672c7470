"""The knowledge base: guidance notes (knowledge/), their chromadb index, and retrieval.

Public API::

    load_notes(folder) -> NoteBook              # parse the notes; no index, no chromadb
    knowledge_settings(table, base=…) -> KnowledgeSettings
    open_retriever(settings, rebuild=False) -> (Retriever, IndexStatus)

Importing this package imports neither chromadb nor jieba, nor the notes' parser (its names are
loaded on first use), so that a command answering from the query snapshot starts quickly.
``open_retriever`` answers from the snapshot when it is current and opens chromadb otherwise.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .settings import KnowledgeSettings, SettingsError, bundled_knowledge_dir, knowledge_settings

if TYPE_CHECKING:
    from .index import IndexStatus
    from .notes import Note, NoteBook, NoteError, Section, load_notes
    from .retrieval import Retriever

__all__ = [
    "KnowledgeSettings",
    "Note",
    "NoteBook",
    "NoteError",
    "Section",
    "SettingsError",
    "bundled_knowledge_dir",
    "knowledge_settings",
    "load_notes",
    "open_retriever",
]

_FROM_NOTES = {"Note", "NoteBook", "NoteError", "Section", "load_notes"}


def __getattr__(name: str) -> Any:
    """The notes' names, imported when first asked for (the parser brings the OKR model with it)."""
    if name in _FROM_NOTES:
        value = getattr(importlib.import_module(".notes", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def open_retriever(
    settings: KnowledgeSettings, *, rebuild: bool = False, mode: str = "hybrid"
) -> tuple[Retriever, IndexStatus]:
    """A retriever over the configured index, built or rebuilt first when needed.

    When the index's query snapshot is current (same notes, vocabulary and embedding), the retriever
    reads the snapshot and chromadb is not imported at all; otherwise the index is opened (and
    built when needed), which writes a new snapshot.
    """
    from .index import IndexStatus, KnowledgeIndex
    from .retrieval import Retriever

    if not rebuild:
        from .snapshot import open_snapshot

        snapshot = open_snapshot(settings)
        if snapshot is not None:
            status = IndexStatus(
                built=False,
                reason="up to date",
                notes=snapshot.notes,
                chunks=len(snapshot.chunks()),
                seconds=snapshot.seconds,
                embedding=snapshot.embedder.id,
                where=settings.where(),
            )
            return Retriever(snapshot, mode=mode), status
    from .notes import load_notes

    index = KnowledgeIndex(settings, load_notes(settings.knowledge_dir))
    status = index.ensure(rebuild=rebuild)
    return Retriever(index, mode=mode), status
