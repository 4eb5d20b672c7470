"""The query snapshot: what a search needs from the chromadb index, in one file read without chromadb.

Importing chromadb and opening its store takes longer than answering a question, so whenever the
embedded index is built or found up to date without a current snapshot, ``KnowledgeIndex`` writes
the stored chunks, their vectors and the notes' titles beside it (``<data-dir>/snapshot/<collection>.npz``:
the vectors as a float32 array, the rest as JSON). ``open_snapshot`` answers from it only while it
is current: same snapshot and index format, same note files (every ``*.md`` of the notes folder, byte
for byte), same vocabulary, same embedding, and the index still there. Anything else (or a Chroma
server) goes through chromadb, which rebuilds what needs rebuilding and writes a new snapshot.

Vector search here is exact cosine similarity. chromadb's HNSW graph is approximate: it orders chunks
of equal similarity arbitrarily (differently from one build to the next), where this keeps the
index's order, and once in a few hundred searches it misses a neighbour below rank 20. The retrieval
figures are the same either way (``tests/knowledge/test_snapshot.py`` compares the two).
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import zipfile
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..atomic import write_atomic
from .chunks import INDEX_FORMAT, Chunk, vocabulary_hash
from .embeddings import make_embedder
from .settings import KnowledgeSettings

if TYPE_CHECKING:
    from .embeddings import Embedder
    from .notes import NoteBook

SNAPSHOT_FORMAT = 1  # bump when the file's fields change: every snapshot is rewritten


def snapshot_path(settings: KnowledgeSettings) -> Path:
    return settings.data_dir / "snapshot" / f"{settings.collection}.npz"


def notes_stamp(folder: Path) -> str:
    """A digest of every ``*.md`` file of the notes folder (name and bytes): any edit changes it.

    Wider than the notes the index reads (README.md counts too), so it may send a query through
    chromadb needlessly, never answer from notes that changed.
    """
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.md")):
        digest.update(path.name.encode("utf-8") + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:32]


def _key(settings: KnowledgeSettings, embedding: str) -> dict[str, Any]:
    """What a snapshot must have been written for to answer these settings now."""
    return {
        "format": SNAPSHOT_FORMAT,
        "index_format": INDEX_FORMAT,
        "vocabulary": vocabulary_hash(),
        "notes": notes_stamp(settings.knowledge_dir),
        "embedding": embedding,
        "collection": settings.collection,
    }


def snapshot_applies(settings: KnowledgeSettings) -> bool:
    """Only the embedded index has a snapshot: a Chroma server's collection may be rebuilt from elsewhere."""
    return not settings.chroma_host


def write_snapshot(
    settings: KnowledgeSettings,
    notebook: NoteBook,
    *,
    embedding: str,
    fingerprint: str,
    stored: Mapping[str, Any],
) -> None:
    """Write the snapshot of an index from what its collection holds (``collection.get`` with
    ids, documents, metadatas and embeddings), keeping the collection's order."""
    ids = list(stored["ids"])
    rows = zip(ids, stored["documents"], stored["metadatas"], strict=True)
    chunks = [Chunk.from_stored(i, d or "", m or {}) for i, d, m in rows]
    raw = stored["embeddings"]
    vectors = np.asarray(raw if raw is not None and len(ids) else np.zeros((0, 0)), dtype=np.float32)
    meta = {
        "key": _key(settings, embedding),
        "fingerprint": fingerprint,
        "notes": len(notebook),
        "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "titles": {note.id: dict(note.title) for note in notebook},
        "chunks": [_chunk_record(chunk) for chunk in chunks],
    }
    buffer = io.BytesIO()
    encoded = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    np.savez(buffer, vectors=vectors, meta=encoded)
    path = snapshot_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buffer.getvalue())


def _chunk_record(chunk: Chunk) -> dict[str, Any]:
    return {
        "id": chunk.id,
        "note_id": chunk.note_id,
        "section": chunk.section,
        "language": chunk.language,
        "text": chunk.text,
        "words": " ".join(chunk.words),
        "rules": list(chunk.rules),
        "dimensions": list(chunk.dimensions),
    }


def _chunk(record: Mapping[str, Any]) -> Chunk:
    return Chunk(
        id=record["id"],
        note_id=record["note_id"],
        section=record["section"],
        language=record["language"],
        text=record["text"],
        words=tuple(record["words"].split()),
        rules=tuple(record["rules"]),
        dimensions=tuple(record["dimensions"]),
    )


def read_snapshot(path: Path) -> tuple[dict[str, Any], np.ndarray] | None:
    """The snapshot's fields and vectors; None when there is none or it cannot be read (it is then rewritten)."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            vectors = archive["vectors"]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # missing, truncated, or not ours
        return None
    if not isinstance(meta, dict) or len(meta.get("chunks", ())) != len(vectors):
        return None
    return meta, vectors


def snapshot_is_current(settings: KnowledgeSettings, embedding: str) -> bool:
    """Whether the snapshot on disk answers for these settings and this embedding as the index would."""
    found = read_snapshot(snapshot_path(settings))
    return found is not None and found[0].get("key") == _key(settings, embedding)


def open_snapshot(settings: KnowledgeSettings) -> QuerySnapshot | None:
    """The current snapshot of the configured index; None for a Chroma server, no index yet, or a
    stale or unreadable snapshot."""
    started = time.perf_counter()
    if not snapshot_applies(settings) or not (settings.index_dir / "chroma.sqlite3").is_file():
        return None
    if not settings.knowledge_dir.is_dir():
        return None
    found = read_snapshot(snapshot_path(settings))
    if found is None:
        return None
    meta, vectors = found
    embedder = make_embedder(settings)
    if meta.get("key") != _key(settings, embedder.id):
        return None
    return QuerySnapshot(settings, embedder, meta, vectors, started)


class QuerySnapshot:
    """The index as the retriever sees it (chunks, vector search, titles), read from the snapshot."""

    def __init__(
        self,
        settings: KnowledgeSettings,
        embedder: Embedder,
        meta: Mapping[str, Any],
        vectors: np.ndarray,
        started: float,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self._meta = meta
        self._chunks = [_chunk(record) for record in meta["chunks"]]
        self._titles: Mapping[str, Mapping[str, str]] = meta["titles"]
        norms = np.linalg.norm(vectors, axis=1) if len(vectors) else np.zeros(0, dtype=np.float32)
        self._unit = vectors / np.where(norms == 0, 1, norms)[:, None] if len(vectors) else vectors
        self._notebook: NoteBook | None = None
        self._seconds = time.perf_counter() - started

    @property
    def notes(self) -> int:
        """How many notes the index was built from."""
        return int(self._meta["notes"])

    @property
    def seconds(self) -> float:
        """How long reading the snapshot took."""
        return self._seconds

    @property
    def notebook(self) -> NoteBook:
        """The notes themselves, parsed on first use (a search needs only their titles)."""
        if self._notebook is None:
            from .notes import load_notes

            self._notebook = load_notes(self.settings.knowledge_dir)
        return self._notebook

    def chunks(self) -> list[Chunk]:
        return self._chunks

    def title(self, note_id: str, language: str) -> str:
        titles = self._titles.get(note_id)
        if not titles:
            return note_id
        return titles.get(language) or titles["zh"]

    def vector_search(
        self, vector: Sequence[float], n: int, rules: Collection[str] = (), dimensions: Collection[str] = ()
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the nearest chunks with any of the rules and any of the
        dimensions (when given), nearest first; equal similarities in the index's order."""
        if not self._chunks:
            return []
        query = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        similarity = self._unit @ (query / norm if norm else query)
        wanted_rules, wanted_dimensions = set(rules), set(dimensions)
        order = np.argsort(-similarity, kind="stable")
        hits: list[tuple[str, float]] = []
        for position in order:
            chunk = self._chunks[position]
            if wanted_rules and not wanted_rules & set(chunk.rules):
                continue
            if wanted_dimensions and not wanted_dimensions & set(chunk.dimensions):
                continue
            hits.append((chunk.id, float(similarity[position])))
            if len(hits) == n:
                break
        return hits
