"""The rule table (data/rules.toml): codes, dimensions, default severities, texts, note ids."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

from ..findings import Dimension, Severity

LANGUAGES = ("zh", "en")


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What the table says about one rule; texts are keyed by language ("zh", "en")."""

    code: str
    dimension: Dimension
    severity: Severity
    note: str
    title: Mapping[str, str]
    message: Mapping[str, str]
    fix: Mapping[str, str]


@cache
def _table() -> dict:
    text = resources.files("assistant").joinpath("data/rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def rules() -> Mapping[str, RuleInfo]:
    """Every rule, by code, in table order."""
    table = {}
    for code, entry in _table()["rules"].items():
        table[code] = RuleInfo(
            code=code,
            dimension=Dimension(entry["dimension"]),
            severity=Severity(entry["severity"]),
            note=entry["note"],
            title=MappingProxyType(entry["title"]),
            message=MappingProxyType(entry["message"]),
            fix=MappingProxyType(entry["fix"]),
        )
    return MappingProxyType(table)


def dimension_label(dimension: Dimension | str, lang: str = "zh") -> str:
    """Human name of a CLASSIC dimension, e.g. 可衡量 / Measurable."""
    return _table()["dimensions"][str(dimension)][lang if lang in LANGUAGES else "en"]


def dimension_letter(dimension: Dimension | str) -> str:
    return _table()["dimensions"][str(dimension)]["letter"]
