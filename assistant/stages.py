"""The business stages a team's OKRs are discussed in (初创/发展/成熟/转型): one table, one resolver.

The table lives in data/suggestions.toml (``[stages]``): the names accepted in Chinese and English,
how each stage is named, and its workshop questions. The CLI, the guiding questions and the offline
suggester all resolve a stage through ``stage_key``, so a name accepted by one is accepted by all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .shipped import data_table

SUFFIXES = ("期", " stage", "-stage", "阶段")  # "初创期", "start-up stage": the stage word itself is optional


class StageError(ValueError):
    """A stage name that is not in the table."""


def stage_table() -> Mapping[str, Any]:
    """The ``[stages]`` table of data/suggestions.toml: ``aliases`` and one entry per stage key."""
    return data_table("suggestions")["stages"]


def stage_keys() -> tuple[str, ...]:
    """The stage keys in table order: startup, growth, mature, transformation."""
    return tuple(key for key in stage_table() if key != "aliases")


def stage_choices() -> str:
    """The accepted names for a help text or an error: each stage's short Chinese name, then the keys."""
    table = stage_table()
    keys = stage_keys()
    return ", ".join([*(table[key]["name"]["zh"].removesuffix("期") for key in keys), *keys])


def _lookup(name: str) -> str | None:
    aliases = stage_table()["aliases"]
    keys = stage_keys()
    candidate = " ".join(name.split()).lower()
    for suffix in ("", *SUFFIXES):
        if suffix and not candidate.endswith(suffix):
            continue
        stem = candidate.removesuffix(suffix).strip() if suffix else candidate
        key = aliases.get(stem) or (stem if stem in keys else None)
        if key is not None:
            return key
    return None


def stage_key(stage: str | None) -> str | None:
    """The stage's key for a Chinese or English name or alias, or None when no stage is given.

    Raises :class:`StageError` (a ValueError) naming the accepted names for anything else.
    """
    if stage is None or not stage.strip():
        return None
    key = _lookup(stage)
    if key is None:
        raise StageError(f"stage must be one of {stage_choices()}, not {stage!r}")
    return key


def stage_name(key: str, language: str) -> str:
    """How a stage is named in a prompt or a draft, e.g. 初创期 / start-up stage."""
    return stage_table()[key]["name"]["zh" if language == "zh" else "en"]
