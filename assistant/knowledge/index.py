"""The chromadb index of the notes: one chunk per note section, rebuilt when the notes change.

Embedded ``PersistentClient`` in the data folder by default, a Chroma server when a host is
configured. The collection's metadata records what built it (content hash, embedding id, chunk
format); an index built by another embedding is refused rather than mixed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .embeddings import Embedder, HashingEmbedding, OpenAIEmbedding
from .notes import Note, NoteBook
from .settings import KnowledgeSettings, embedding_api_key
from .tokens import document_words

INDEX_FORMAT = 1  # bump when chunking or stored fields change: every index rebuilds


class KnowledgeIndexError(RuntimeError):
    """The index cannot be used as configured (server unreachable, built by another embedding…)."""


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


def make_embedder(settings: KnowledgeSettings) -> Embedder:
    if settings.embedding == "openai":
        return OpenAIEmbedding(
            settings.embedding_model, base_url=settings.embedding_base_url, api_key=embedding_api_key()
        )
    return HashingEmbedding()


def open_client(settings: KnowledgeSettings):
    """A chromadb client: a Chroma server when a host is set, else the embedded store; telemetry off."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings

    chroma_settings = Settings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        except Exception as exc:  # chromadb raises bare ValueError/ConnectError variants here
            raise KnowledgeIndexError(f"cannot reach {settings.where()}: {exc}") from None
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)


def _vocabulary_hash() -> str:
    text = resources.files("assistant").joinpath("data/retrieval.toml").read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class IndexStatus:
    """What ``ensure`` did: whether it (re)built the index, why, and how big it is."""

    built: bool
    reason: str
    notes: int
    chunks: int
    seconds: float
    embedding: str
    where: str


class KnowledgeIndex:
    """The notes' chunks in a chromadb collection, with the words kept for lexical search."""

    def __init__(
        self,
        settings: KnowledgeSettings,
        notebook: NoteBook,
        *,
        embedder: Embedder | None = None,
        client: Any = None,
    ) -> None:
        self.settings = settings
        self.notebook = notebook
        self.embedder = embedder or make_embedder(settings)
        self._client = client
        self._collection: Any = None
        self._chunks: list[Chunk] | None = None

    @property
    def client(self):
        if self._client is None:
            self._client = open_client(self.settings)
        return self._client

    def fingerprint(self) -> str:
        return f"{INDEX_FORMAT}:{self.notebook.content_hash()}:{_vocabulary_hash()}"

    def ensure(self, *, rebuild: bool = False) -> IndexStatus:
        """Open the index, building it when missing, outdated or asked to; refuse another embedding's."""
        started = time.perf_counter()
        existing = self._existing()
        reason = ""
        if rebuild:
            reason = "rebuild requested"
        elif existing is None:
            reason = "no index yet"
        else:
            meta = existing.metadata or {}
            if meta.get("embedding") != self.embedder.id:
                raise KnowledgeIndexError(
                    f"the index at {self.settings.where()} was built with embedding {meta.get('embedding')!r}, "
                    f"but {self.embedder.id!r} is configured; vectors of two embeddings cannot be mixed. "
                    "Run 'okr-review index --rebuild' to rebuild it with the configured embedding."
                )
            if meta.get("fingerprint") != self.fingerprint():
                reason = "notes changed"
        if reason:
            self._build(existing)
        else:
            self._collection = existing
        return IndexStatus(
            built=bool(reason),
            reason=reason or "up to date",
            notes=len(self.notebook),
            chunks=self._collection.count(),
            seconds=time.perf_counter() - started,
            embedding=self.embedder.id,
            where=self.settings.where(),
        )

    def _existing(self):
        from chromadb.errors import NotFoundError

        try:
            return self.client.get_collection(self.settings.collection, embedding_function=None)
        except NotFoundError:
            return None
        except ValueError:  # older servers say "does not exist" with a ValueError
            return None

    def _build(self, existing: Any) -> None:
        if existing is not None:
            self.client.delete_collection(self.settings.collection)
        chunks: list[Chunk] = []
        texts: list[str] = []
        for note in self.notebook:
            for chunk in note_chunks(note):
                chunks.append(chunk)
                texts.append(chunk.embedded_text(note))
        vectors = self.embedder.embed_documents(texts)
        collection = self.client.create_collection(
            self.settings.collection,
            embedding_function=None,
            configuration={"hnsw": {"space": "cosine"}},
            metadata={
                "fingerprint": self.fingerprint(),
                "embedding": self.embedder.id,
                "format": INDEX_FORMAT,
                "notes": len(self.notebook),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            },
        )
        if chunks:
            collection.add(
                ids=[c.id for c in chunks],
                documents=[c.text for c in chunks],
                embeddings=vectors,
                metadatas=[c.metadata() for c in chunks],
            )
        self._collection = collection
        self._chunks = chunks

    @property
    def collection(self):
        if self._collection is None:
            self.ensure()
        return self._collection

    def chunks(self) -> list[Chunk]:
        """Every stored chunk (read once from the collection)."""
        if self._chunks is None:
            stored = self.collection.get(include=["documents", "metadatas"])
            self._chunks = [
                Chunk.from_stored(i, d or "", m or {})
                for i, d, m in zip(stored["ids"], stored["documents"], stored["metadatas"], strict=True)
            ]
        return self._chunks

    def vector_search(
        self, vector: Sequence[float], n: int, where: Mapping[str, Any] | None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks."""
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(vector)], n_results=min(n, count), where=dict(where) if where else None
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
