"""The chromadb index of the notes: one chunk per note section, rebuilt when the notes change.

Embedded ``PersistentClient`` in the data folder by default, a Chroma server when a host is
configured. The collection's metadata records what built it (content hash, embedding id, chunk
format); an index built by another embedding is refused rather than mixed. Each time the embedded
index is built, or found up to date without a current query snapshot, it writes one (see ``snapshot``).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .chunks import INDEX_FORMAT, Chunk, note_chunks, vocabulary_hash
from .embeddings import Embedder, make_embedder
from .settings import KnowledgeSettings

if TYPE_CHECKING:
    from .notes import NoteBook


class KnowledgeIndexError(RuntimeError):
    """The index cannot be used as configured (server unreachable, built by another embedding…)."""


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
        return f"{INDEX_FORMAT}:{self.notebook.content_hash()}:{vocabulary_hash()}"

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
        self._keep_snapshot(fresh=bool(reason))
        return IndexStatus(
            built=bool(reason),
            reason=reason or "up to date",
            notes=len(self.notebook),
            chunks=self._collection.count(),
            seconds=time.perf_counter() - started,
            embedding=self.embedder.id,
            where=self.settings.where(),
        )

    def _keep_snapshot(self, *, fresh: bool) -> None:
        """Write the query snapshot of a freshly built index, or of one whose snapshot is missing or stale.

        A snapshot that cannot be written only costs later queries their speed: they open chromadb.
        """
        from .snapshot import snapshot_applies, snapshot_is_current, write_snapshot

        if not snapshot_applies(self.settings):
            return
        if not fresh and snapshot_is_current(self.settings, self.embedder.id):
            return
        stored = self._collection.get(include=["documents", "metadatas", "embeddings"])
        with contextlib.suppress(OSError):
            write_snapshot(
                self.settings, self.notebook, embedding=self.embedder.id, fingerprint=self.fingerprint(), stored=stored
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

    def title(self, note_id: str, language: str) -> str:
        """A note's title in the language (its id when the note is gone)."""
        note = self.notebook.get(note_id)
        return note.title_in(language) if note else note_id

    def vector_search(
        self, vector: Sequence[float], n: int, rules: Collection[str] = (), dimensions: Collection[str] = ()
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks with any of the rules and any of the
        dimensions (when given), nearest first."""
        count = self.collection.count()
        if count == 0:
            return []
        result = self.collection.query(
            query_embeddings=[list(vector)], n_results=min(n, count), where=chroma_filter(rules, dimensions)
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]


def chroma_filter(rules: Iterable[str], dimensions: Iterable[str]) -> dict[str, Any] | None:
    """A chromadb filter: any of the rules, and any of the dimensions."""
    groups: list[dict[str, Any]] = []
    for prefix, values in (("rule_", list(rules)), ("dim_", list(dimensions))):
        clauses = [{f"{prefix}{value}": True} for value in values]
        if len(clauses) == 1:
            groups.append(clauses[0])
        elif clauses:
            groups.append({"$or": clauses})
    if not groups:
        return None
    return groups[0] if len(groups) == 1 else {"$and": groups}
