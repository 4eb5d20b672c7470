"""Words shown to users, in Chinese and English, kept as data: one loader for every text table.

A text table is a TOML file under ``assistant/data/`` with a ``[zh]`` and an ``[en]`` table holding the
same keys; a value is a string with optional ``{name}`` fields, or a list of such strings. Both languages
must have the same keys and the same fields, which :func:`check_symmetry` verifies (a test runs it over
every table named in :data:`TEXT_TABLES`).

    from assistant.texts import words
    words("report_labels").get("en", "top_to_fix", n=3)  # 'Top 3 to fix'
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .shipped import data_table

LANGUAGES: tuple[str, ...] = ("zh", "en")  # the languages every user-facing text exists in; zh first
DEFAULT_LANGUAGE = "zh"

# Every data file that holds user-facing words as [zh] / [en] tables. Add a file here when you add one.
TEXT_TABLES: tuple[str, ...] = (
    "ui",
    "problems",
    "report_labels",
    "cli",
    "checkin_texts",
    "doctor",
    "map",
    "drafting",
    "rewrite_texts",
    "questions_texts",
    "retrospective_texts",
)


class TextError(ValueError):
    """A text table that cannot be used: a key missing in one language, or fields that differ."""


def language_of(value: str | None) -> str:
    """``value`` when it is one of :data:`LANGUAGES`, else the default (zh)."""
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True, slots=True)
class Words:
    """One text table: ``get(language, key, **values)`` fills the ``{name}`` fields of the key's text."""

    name: str
    by_language: Mapping[str, Mapping[str, Any]]

    def get(self, language: str, key: str, **values: Any) -> str:
        text = self.by_language[language_of(language)][key]
        if not isinstance(text, str):
            raise TextError(f"{self.name}.toml: {key} is a list; use items()")
        return text.format(**values) if values else text

    def items(self, language: str, key: str) -> tuple[str, ...]:
        """A list-valued text (e.g. a set of questions), in ``language``."""
        value = self.by_language[language_of(language)][key]
        return (value,) if isinstance(value, str) else tuple(value)

    def keys(self) -> frozenset[str]:
        return frozenset(self.by_language[DEFAULT_LANGUAGE])

    def table(self, language: str) -> Mapping[str, Any]:
        """Every text of one language (for code that renders a whole set of labels)."""
        return self.by_language[language_of(language)]


@cache
def words(name: str) -> Words:
    """The text table ``assistant/data/<name>.toml``, checked for symmetry once and then cached."""
    raw = data_table(name)
    problems = check_symmetry(name, raw)
    if problems:
        raise TextError("; ".join(problems))
    return Words(name, {language: raw[language] for language in LANGUAGES})


def _fields(value: Any) -> set[str]:
    texts = [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []
    return {field for text in texts for _, field, _, _ in string.Formatter().parse(text) if field}


def check_symmetry(name: str, raw: Mapping[str, Any]) -> list[str]:
    """What is wrong with a text table: languages missing, keys in one language only, fields that differ."""
    missing = [language for language in LANGUAGES if not isinstance(raw.get(language), Mapping)]
    if missing:
        return [f"{name}.toml: no [{language}] table" for language in missing]
    zh, en = (raw[language] for language in LANGUAGES)
    return _compare(name, "", zh, en)


def _compare(name: str, prefix: str, zh: Mapping[str, Any], en: Mapping[str, Any]) -> list[str]:
    """Differences between the two languages of one table, nested tables (``levels = {…}``) included."""
    problems = [
        f"{name}.toml: {prefix}{key} only in [{'zh' if key in zh else 'en'}]" for key in sorted(set(zh) ^ set(en))
    ]
    for key in sorted(set(zh) & set(en)):
        here, there = zh[key], en[key]
        if isinstance(here, Mapping) and isinstance(there, Mapping):
            problems += _compare(name, f"{prefix}{key}.", here, there)
        elif type(here) is not type(there):
            problems.append(
                f"{name}.toml: {prefix}{key} is a {type(here).__name__} in zh, {type(there).__name__} in en"
            )
        elif _fields(here) != _fields(there):
            problems.append(
                f"{name}.toml: {prefix}{key} has fields {sorted(_fields(here))} in zh, {sorted(_fields(there))} in en"
            )
    return problems
