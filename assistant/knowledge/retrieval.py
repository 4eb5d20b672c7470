"""Search the notes: vector search fused with BM25 over the same chunks.

Three modes, measured by ``evals/retrieval/run.py``: ``vector`` (the index's embedding only),
``lexical`` (BM25 over jieba/Snowball words) and ``hybrid`` (reciprocal-rank fusion of the two,
the default). Questions are expanded with synonyms across Chinese and English before either
search. Filters by rule code or CLASSIC dimension let a finding fetch exactly its explanation.
The chunks and their vectors come from the chromadb index or from its query snapshot (``snapshot``),
which answer alike.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..shipped import data_table
from .chunks import Chunk
from .tokens import query_words

if TYPE_CHECKING:
    from .embeddings import Embedder
    from .notes import NoteBook

MODES = ("hybrid", "vector", "lexical")
CANDIDATES = 40  # how deep each search looks before fusion
RRF_K = 20  # reciprocal-rank fusion constant; small, as the index holds only a few hundred chunks
OTHER_LANGUAGE = 0.8  # a section in another language than the question's ranks a little lower
# Below this hybrid score a passage was found by one search alone, i.e. it is not about the question:
# assistant/data/retrieval.toml's [relevance]; the guidance tab uses it to say "nothing relevant".
RELEVANCE_FLOOR = float(data_table("retrieval")["relevance"]["min_score"])


@dataclass(frozen=True, slots=True)
class Passage:
    """One retrieved note section."""

    note_id: str
    title: str  # the note's title in the asked language
    section: str
    text: str
    score: float  # higher is better; comparable within one search only
    language: str


class SearchIndex(Protocol):
    """What the retriever needs of an index: ``KnowledgeIndex`` (chromadb) or ``QuerySnapshot``."""

    @property
    def embedder(self) -> Embedder: ...

    @property
    def notebook(self) -> NoteBook: ...

    def chunks(self) -> list[Chunk]: ...

    def title(self, note_id: str, language: str) -> str: ...

    def vector_search(
        self, vector: Sequence[float], n: int, rules: Collection[str] = (), dimensions: Collection[str] = ()
    ) -> list[tuple[str, float]]: ...


class Retriever:
    """Answers questions from a knowledge index; usable without any LLM."""

    def __init__(self, index: SearchIndex, *, mode: str = "hybrid", expand: bool = True) -> None:
        if mode not in MODES:
            raise ValueError(f"retrieval mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.index = index
        self.mode = mode
        self.expand = expand
        self._bm25: Any = None
        self._by_id: dict[str, Chunk] = {}
        self._order: list[str] = []

    def _lexical(self):
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            chunks = self.index.chunks()
            self._by_id = {c.id: c for c in chunks}
            self._order = [c.id for c in chunks]
            self._bm25 = BM25Okapi([list(c.words) or ["∅"] for c in chunks])
        return self._bm25

    def search(
        self,
        question: str,
        k: int = 5,
        *,
        rules: Iterable[str] = (),
        dimensions: Iterable[str] = (),
        language: str | None = None,
        min_score: float = 0.0,
    ) -> list[Passage]:
        """The ``k`` best passages for a question, optionally only from notes on some rules or dimensions.

        ``language`` ("zh" or "en") is the question's: titles come in it, and sections written in it
        are preferred. Passages scoring under ``min_score`` (e.g. :data:`RELEVANCE_FLOOR`) are left out.
        """
        rules, dimensions = list(rules), list(dimensions)  # read twice below: a generator would run dry
        bm25 = self._lexical()
        allowed = self._allowed(set(rules), set(dimensions))
        ranked: dict[str, float] = {}
        if self.mode in ("hybrid", "vector"):
            vector = self.index.embedder.embed_query(question)
            hits = self.index.vector_search(vector, CANDIDATES, rules, dimensions)
            self._fuse(ranked, [chunk_id for chunk_id, _ in hits])
        if self.mode in ("hybrid", "lexical"):
            terms = query_words(question, expand=self.expand)
            scores = [0.0] * len(self._order)
            for term in terms:
                for position, value in enumerate(bm25.get_scores([term.word])):
                    scores[position] += term.weight * value
            order = sorted(
                (i for i, chunk_id in enumerate(self._order) if scores[i] > 0 and chunk_id in allowed),
                key=lambda i: -scores[i],
            )[:CANDIDATES]
            self._fuse(ranked, [self._order[i] for i in order])
        if language:
            for chunk_id in ranked:
                if self._by_id[chunk_id].language != language:
                    ranked[chunk_id] *= OTHER_LANGUAGE
        best = sorted(ranked.items(), key=lambda item: -item[1])[:k]
        lang = language or "zh"
        top = 2 / (RRF_K + 1) if self.mode == "hybrid" else 1 / (RRF_K + 1)
        passages = [self._passage(self._by_id[chunk_id], score / top, lang) for chunk_id, score in best]
        return [p for p in passages if p.score >= min_score]

    def notes_for(self, question: str, k: int = 3, **filters: Any) -> list[str]:
        """Note ids in order of their best passage: what the retrieval evaluation scores."""
        seen: list[str] = []
        for passage in self.search(question, k=CANDIDATES, **filters):
            if passage.note_id not in seen:
                seen.append(passage.note_id)
            if len(seen) == k:
                break
        return seen

    def _allowed(self, rules: set[str], dimensions: set[str]) -> set[str]:
        return {
            c.id
            for c in self._by_id.values()
            if (not rules or rules & set(c.rules)) and (not dimensions or dimensions & set(c.dimensions))
        }

    @staticmethod
    def _fuse(ranked: dict[str, float], ids: list[str]) -> None:
        for rank, chunk_id in enumerate(ids, start=1):
            ranked[chunk_id] = ranked.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)

    def _passage(self, chunk: Chunk, score: float, lang: str) -> Passage:
        title = self.index.title(chunk.note_id, lang)
        return Passage(chunk.note_id, title, chunk.section, chunk.text, round(score, 4), chunk.language)
