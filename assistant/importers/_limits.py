"""Limits on what one input file may make the importers do: bytes, rows, cells, items, nesting, expansion.

The values are data (``[limits]`` of assistant/data/importers.toml), overridable per project in
``[tool.okr-review.limits]``. Readers check them while reading, before anything is expanded, and raise
``LimitExceeded``; the file is then one clear input problem naming the limit, and the other files are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

from ..findings import InputProblem
from ..shipped import data_table
from .messages import Message, message, problem

__all__ = ["LIMIT_NAMES", "LimitExceeded", "Limits", "LimitsError", "check_counts", "default_limits", "limits_from"]


@dataclass(frozen=True, slots=True)
class Limits:
    """One value per limit; the field names are the TOML keys with ``-`` read as ``_``."""

    file_bytes: int
    unpacked_bytes: int
    rows: int
    cells_per_row: int
    row_lines: int
    objectives: int
    key_results: int
    depth: int
    alias_nodes: int
    merged_cells: int
    shared_string_bytes: int
    shared_strings: int


LIMIT_NAMES: tuple[str, ...] = tuple(f.name.replace("_", "-") for f in fields(Limits))


class LimitsError(ValueError):
    """A limit setting that cannot be used: ``key`` names it, ``reason`` says why."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key, self.reason = key, reason


class LimitExceeded(Exception):
    """A file crossed one of the limits; ``problem`` turns it into the input problem reported for the file."""

    def __init__(
        self, name: str, limit: int, reason: Message, *, row: int | None = None, line: int | None = None,
        sheet: str | None = None, field: str | None = None,
    ) -> None:  # fmt: skip
        super().__init__(str(reason))
        self.name, self.limit, self.reason = name, limit, reason
        self.row, self.line, self.sheet, self.field = row, line, sheet, field

    def problem(self, file: str) -> InputProblem:
        text = message("IMP100", detail=self.reason, name=self.name, limit=self.limit)
        return problem(text, file, row=self.row, line=self.line, sheet=self.sheet, field=self.field)


@cache
def default_limits() -> Limits:
    """The shipped limits; a missing key would be a packaging bug, so it fails loudly here."""
    table = data_table("importers")["limits"]
    return Limits(**{name.replace("-", "_"): int(table[name]) for name in LIMIT_NAMES})


def limits_from(overrides: Limits | Mapping[str, Any] | None) -> Limits:
    """The default limits with ``overrides`` (TOML names) applied; raises ``LimitsError`` for a bad key or value."""
    if isinstance(overrides, Limits):
        return overrides
    if not overrides:
        return default_limits()
    changes = {}
    for name, value in overrides.items():
        if name not in LIMIT_NAMES:
            raise LimitsError(name, f"unknown limit (known: {', '.join(LIMIT_NAMES)})")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise LimitsError(name, f"must be a positive whole number, not {value!r}")
        changes[name.replace("-", "_")] = value
    return replace(default_limits(), **changes)


def check_counts(objectives: int, key_results: int, limits: Limits) -> None:
    """Raise ``LimitExceeded`` when a file holds more objectives or key results than one file may."""
    if objectives > limits.objectives:
        raise LimitExceeded("objectives", limits.objectives, message("IMP109", count=objectives))
    if key_results > limits.key_results:
        raise LimitExceeded("key-results", limits.key_results, message("IMP110", count=key_results))
