"""The knowledge base: guidance notes (knowledge/), their chromadb index, and retrieval.

Public API::

    load_notes(folder) -> NoteBook              # parse the notes; no index, no chromadb
    knowledge_settings(table, base=…) -> KnowledgeSettings
    open_retriever(settings, rebuild=False) -> (Retriever, IndexStatus)

Importing this package does not import chromadb or jieba; ``open_retriever`` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .notes import Note, NoteBook, NoteError, Section, load_notes
from .settings import KnowledgeSettings, SettingsError, bundled_knowledge_dir, knowledge_settings

if TYPE_CHECKING:
    from .index import IndexStatus
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


def open_retriever(
    settings: KnowledgeSettings, *, rebuild: bool = False, mode: str = "hybrid"
) -> tuple[Retriever, IndexStatus]:
    """A retriever over the configured index, built or rebuilt first when needed."""
    from .index import KnowledgeIndex
    from .retrieval import Retriever

    index = KnowledgeIndex(settings, load_notes(settings.knowledge_dir))
    status = index.ensure(rebuild=rebuild)
    return Retriever(index, mode=mode), status
