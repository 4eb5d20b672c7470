"""The web app's words in Chinese and English, from ``assistant/data/ui.toml`` (loaded by :mod:`assistant.texts`)."""

from __future__ import annotations

from typing import Any

from ..texts import LANGUAGES, language_of, words

__all__ = ["LANGUAGES", "LANGUAGE_CHOICES", "keys", "language_of", "text"]

LANGUAGE_CHOICES = (("中文", "zh"), ("English", "en"))


def text(language: str, key: str, **values: Any) -> str:
    """The label ``key`` in ``language`` (zh when unknown), with ``{name}`` fields filled from ``values``."""
    return words("ui").get(language, key, **values)


def keys() -> frozenset[str]:
    """Every key of ui.toml (the same in both languages: assistant.texts checks)."""
    return words("ui").keys()
