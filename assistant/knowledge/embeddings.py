"""Embeddings for the index: an offline default that needs no model, or an OpenAI-compatible endpoint.

The offline embedding hashes words and Chinese character pairs into a fixed-size vector (feature
hashing), weighted by log term frequency and normalised: similar wording gives near vectors,
without downloading anything. It knows no meaning beyond shared words, which is why retrieval
fuses it with BM25 and expands questions with synonyms (see ``retrieval``).

Every embedder has an ``id``: the index records the id that built it and refuses queries from
another, since vectors of two embeddings cannot be compared.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

from .settings import KnowledgeSettings, embedding_api_key
from .tokens import char_pairs, query_words, words

Vector = list[float]


class Embedder(Protocol):
    """Turns note sections and questions into vectors of one space."""

    @property
    def id(self) -> str: ...

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]: ...

    def embed_query(self, text: str) -> Vector: ...


class EmbeddingError(RuntimeError):
    """The embedding endpoint failed or answered something unusable."""


class HashingEmbedding:
    """Offline embedding: hashed words and character pairs, log-weighted, unit length."""

    PAIR_WEIGHT = 0.5  # character pairs back up word matches; they should not outweigh them

    def __init__(self, dimensions: int = 2048) -> None:
        self.dimensions = dimensions

    @property
    def id(self) -> str:
        return f"offline-hashing-v1-{self.dimensions}"

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        out = []
        for text in texts:
            counts = Counter(words(text))
            weights = {w: 1 + math.log(n) for w, n in counts.items()}
            for pair, n in Counter(char_pairs(text)).items():
                weights[f"§{pair}"] = self.PAIR_WEIGHT * (1 + math.log(n))
            out.append(self._vector(weights))
        return out

    def embed_query(self, text: str) -> Vector:
        weights = {w.word: w.weight for w in query_words(text)}
        for pair in set(char_pairs(text)):
            weights[f"§{pair}"] = self.PAIR_WEIGHT
        return self._vector(weights)

    def _vector(self, weights: dict[str, float]) -> Vector:
        vector = [0.0] * self.dimensions
        for feature, weight in weights.items():
            digest = zlib.crc32(feature.encode("utf-8"))
            # The top bit picks the sign, so that collisions cancel out rather than pile up.
            vector[digest % self.dimensions] += weight if digest & 0x80000000 else -weight
        norm = math.sqrt(sum(v * v for v in vector))
        if norm == 0:
            vector[0] = 1.0  # a text with no words: any fixed unit vector will do
            return vector
        return [v / norm for v in vector]


class OpenAIEmbedding:
    """Embeddings from an OpenAI-compatible ``/embeddings`` endpoint (OpenAI, vLLM, Ollama…)."""

    BATCH = 64

    def __init__(self, model: str, *, base_url: str | None = None, api_key: str | None = None) -> None:
        from openai import OpenAI

        self.model = model
        self.base_url = base_url
        self._secret = api_key
        # Local servers accept any key; the SDK insists on one.
        self._client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=60, max_retries=2)

    @property
    def id(self) -> str:
        return f"openai:{self.model}@{self.base_url or 'api.openai.com'}"

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        out: list[Vector] = []
        for start in range(0, len(texts), self.BATCH):
            out.extend(self._embed(list(texts[start : start + self.BATCH])))
        return out

    def embed_query(self, text: str) -> Vector:
        return self._embed([text])[0]

    def _embed(self, batch: list[str]) -> list[Vector]:
        from openai import OpenAIError

        try:
            response = self._client.embeddings.create(model=self.model, input=batch)
        except OpenAIError as exc:
            message = str(exc).replace(self._secret, "***") if self._secret else str(exc)
            raise EmbeddingError(f"embedding endpoint {self.base_url or 'OpenAI'} failed: {message}") from None
        data = sorted(response.data, key=lambda d: d.index)
        if len(data) != len(batch) or any(not d.embedding for d in data):
            raise EmbeddingError(f"embedding endpoint returned {len(data)} vectors for {len(batch)} texts")
        return [list(d.embedding) for d in data]


def make_embedder(settings: KnowledgeSettings) -> Embedder:
    """The configured embedding: the offline one unless ``embedding = "openai"``."""
    if settings.embedding == "openai":
        return OpenAIEmbedding(
            settings.embedding_model, base_url=settings.embedding_base_url, api_key=embedding_api_key()
        )
    return HashingEmbedding()
