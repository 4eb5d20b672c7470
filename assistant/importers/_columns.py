"""Column headers of flat exports → the fields of the OKR model, in Chinese and English.

The aliases live in ``assistant/data/columns.toml``; a user's ``--map "Header=field"`` entries override them.
Headers are compared in a normal form (NFKC, case-folded, without spaces, ``_``/``-`` or a trailing
bracketed unit), so "信心指数（%）", "信心指数(%)" and "信心指数" are the same header.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from functools import cache
from importlib import resources

from ..findings import InputProblem
from .messages import message, problem

__all__ = ["IGNORE", "ColumnMatcher", "fields", "normalise_header"]

IGNORE = "ignore"  # a --map target that silences a column

_TRAILING_NOTE = re.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>)\s*$")
_DROP = re.compile(r"[\s_\-:*]+")
_PARTS = re.compile(r"[/|\n]+")


@cache
def _script_runs() -> re.Pattern[str]:
    """Runs of Chinese and of other text (compiled on first use: ~2 ms, and only odd headers need it)."""
    return re.compile(r"[\u3400-\u9fff]+|[^\u3400-\u9fff]+")


def normalise_header(text: str) -> str:
    """The comparable form of a header: width- and case-folded, no spaces, no trailing unit in brackets."""
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    while True:
        stripped = _TRAILING_NOTE.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    text = _DROP.sub("", text)
    return text.rstrip("%") or text


@cache
def _aliases() -> tuple[tuple[str, ...], dict[str, str]]:
    """The fields in file order and the normalised header → field table of ``columns.toml``."""
    text = resources.files("assistant").joinpath("data/columns.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    fields = tuple(table)
    aliases: dict[str, str] = {}
    for name, headers in table.items():
        for header in (name, *headers):
            aliases.setdefault(normalise_header(header), name)
    return fields, aliases


def fields() -> tuple[str, ...]:
    """Every field a column can hold, in the order of ``columns.toml`` (read when first needed, not on import)."""
    return _aliases()[0]


class ColumnMatcher:
    """Reads header cells as fields, with the user's column map taking precedence over the built-in aliases."""

    def __init__(self, column_map: Mapping[str, str] | None = None) -> None:
        self.problems: list[InputProblem] = []
        self._user: dict[str, str] = {}
        for header, target in (column_map or {}).items():
            key = normalise_header(str(target))
            field = IGNORE if key == IGNORE else _aliases()[1].get(key)
            if field is None:
                known = ", ".join((*fields(), IGNORE))
                text = message("IMP120", target=target, header=header, known=known)
                self.problems.append(problem(text, "<column map>", field=str(header)))
                continue
            self._user[normalise_header(str(header))] = field

    def field_of(self, header: str) -> str | None:
        """The field a header names, ``IGNORE`` for a silenced column, ``None`` when unknown."""
        key = normalise_header(header)
        if not key:
            return None
        found = self._user.get(key) or _aliases()[1].get(key)
        if found:
            return found
        # Bilingual headers: "关键结果/Key Result", "目标 Objective". Every recognised part must agree.
        parts = [p for p in _PARTS.split(unicodedata.normalize("NFKC", header)) if p.strip()]
        if len(parts) == 1:
            parts = [p for p in _script_runs().findall(parts[0]) if normalise_header(p)]
        if len(parts) < 2:
            return None
        named = {self._user.get(k) or _aliases()[1].get(k) for k in map(normalise_header, parts)}
        named.discard(None)
        return named.pop() if len(named) == 1 else None
