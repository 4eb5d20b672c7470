"""The web app's words in Chinese and English, from ``assistant/data/ui.toml``."""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import Any

from ..shipped import data_table

LANGUAGES = ("zh", "en")
LANGUAGE_CHOICES = (("中文", "zh"), ("English", "en"))


@cache
def _table() -> MappingProxyType[str, MappingProxyType[str, str]]:
    raw = data_table("ui")
    missing = set(raw["zh"]) ^ set(raw["en"])
    if missing:  # a label in one language only would show up as a key in the other
        raise ValueError(f"ui.toml: labels not in both languages: {', '.join(sorted(missing))}")
    return MappingProxyType({lang: MappingProxyType(raw[lang]) for lang in LANGUAGES})


def text(language: str, key: str, **values: Any) -> str:
    """The label ``key`` in ``language`` (zh when unknown), with ``{name}`` fields filled from ``values``."""
    words = _table()["en" if language == "en" else "zh"][key]
    return words.format(**values) if values else words


def language_of(choice: str | None) -> str:
    """The language a switch value names: zh unless it is one of :data:`LANGUAGES`."""
    return choice if choice is not None and choice in LANGUAGES else "zh"


def keys() -> frozenset[str]:
    return frozenset(_table()["zh"])
