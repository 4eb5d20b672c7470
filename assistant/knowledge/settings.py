"""Where the knowledge base lives and how it is embedded: a value object from config and environment.

Config file table ``[tool.okr-review.knowledge]`` (or ``[knowledge]`` in ``.okr-review.toml``)::

    knowledge-dir = "knowledge"          # the notes (default: the bundled notes)
    data-dir = "~/.local/share/okr-review"  # where the embedded index is kept
    chroma-host = "chroma.example.com"   # use a Chroma server instead of the embedded index
    chroma-port = 8000
    collection = "okr-notes"
    embedding = "offline"                # offline | openai
    embedding-model = "text-embedding-3-small"
    embedding-base-url = "https://api.openai.com/v1"

Environment variables win over the file: ``OKR_REVIEW_KNOWLEDGE_DIR``, ``OKR_REVIEW_DATA_DIR``,
``OKR_REVIEW_CHROMA_HOST``, ``OKR_REVIEW_CHROMA_PORT``, ``OKR_REVIEW_EMBEDDING``,
``OKR_REVIEW_EMBEDDING_MODEL``, ``OKR_REVIEW_EMBEDDING_BASE_URL`` (else ``OPENAI_BASE_URL``); the
API key is read from ``OKR_REVIEW_EMBEDDING_API_KEY`` or ``OPENAI_API_KEY`` and never stored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from platformdirs import user_data_path

from ..shipped import shipped_dir

EMBEDDINGS = ("offline", "openai")
DEFAULT_COLLECTION = "okr-notes"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
_KEYS = {
    "knowledge-dir",
    "data-dir",
    "chroma-host",
    "chroma-port",
    "collection",
    "embedding",
    "embedding-model",
    "embedding-base-url",
}
_ENV = {
    "OKR_REVIEW_KNOWLEDGE_DIR": "knowledge-dir",
    "OKR_REVIEW_DATA_DIR": "data-dir",
    "OKR_REVIEW_CHROMA_HOST": "chroma-host",
    "OKR_REVIEW_CHROMA_PORT": "chroma-port",
    "OKR_REVIEW_EMBEDDING": "embedding",
    "OKR_REVIEW_EMBEDDING_MODEL": "embedding-model",
    "OKR_REVIEW_EMBEDDING_BASE_URL": "embedding-base-url",
}


class SettingsError(ValueError):
    """A knowledge setting that cannot be used; names the key or variable."""


@dataclass(frozen=True, slots=True)
class KnowledgeSettings:
    knowledge_dir: Path
    data_dir: Path
    chroma_host: str | None = None
    chroma_port: int = 8000
    collection: str = DEFAULT_COLLECTION
    embedding: str = "offline"
    embedding_model: str = DEFAULT_EMBEDDING_MODEL
    embedding_base_url: str | None = None

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "chroma"

    def where(self) -> str:
        """Where the index is, for messages."""
        if self.chroma_host:
            return f"Chroma server {self.chroma_host}:{self.chroma_port}, collection {self.collection}"
        return f"{self.index_dir}, collection {self.collection}"

    def with_options(self, **changes: Any) -> KnowledgeSettings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def bundled_knowledge_dir() -> Path:
    """The notes shipped with okr-review."""
    return shipped_dir("knowledge")


def default_data_dir() -> Path:
    return user_data_path("okr-review", appauthor=False)


def knowledge_settings(
    table: Mapping[str, Any] | None = None,
    *,
    base: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> KnowledgeSettings:
    """Settings from a config table (paths relative to ``base``), overridden by the environment."""
    values: dict[str, Any] = dict(table or {})
    unknown = set(values) - _KEYS
    if unknown:
        raise SettingsError(f"[knowledge] {sorted(unknown)[0]}: unknown setting (known: {', '.join(sorted(_KEYS))})")
    env = os.environ if environ is None else environ
    for variable, key in _ENV.items():
        if env.get(variable):
            values[key] = env[variable]
    if "embedding-base-url" not in values and env.get("OPENAI_BASE_URL"):
        values["embedding-base-url"] = env["OPENAI_BASE_URL"]

    def path(key: str, default: Path) -> Path:
        if key not in values:
            return default
        raw = Path(str(values[key])).expanduser()
        return raw if raw.is_absolute() or base is None else base / raw

    embedding = str(values.get("embedding", "offline"))
    if embedding not in EMBEDDINGS:
        raise SettingsError(f"[knowledge] embedding: must be one of {', '.join(EMBEDDINGS)}, not {embedding!r}")
    try:
        port = int(values.get("chroma-port", 8000))
    except (TypeError, ValueError):
        raise SettingsError(f"[knowledge] chroma-port: not a port number: {values['chroma-port']!r}") from None
    collection = str(values.get("collection", DEFAULT_COLLECTION))
    if len(collection) < 3:
        raise SettingsError(f"[knowledge] collection: Chroma needs a name of 3 or more characters, not {collection!r}")
    return KnowledgeSettings(
        knowledge_dir=path("knowledge-dir", bundled_knowledge_dir()),
        data_dir=path("data-dir", default_data_dir()),
        chroma_host=str(values["chroma-host"]) if values.get("chroma-host") else None,
        chroma_port=port,
        collection=collection,
        embedding=embedding,
        embedding_model=str(values.get("embedding-model") or DEFAULT_EMBEDDING_MODEL),
        embedding_base_url=str(values["embedding-base-url"]) if values.get("embedding-base-url") else None,
    )


def embedding_api_key(environ: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if environ is None else environ
    return env.get("OKR_REVIEW_EMBEDDING_API_KEY") or env.get("OPENAI_API_KEY") or None
