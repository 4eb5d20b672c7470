"""Configuration as a value object: what a check selects, ignores and measures against.

The file it is read from (``[tool.okr-review]`` in pyproject.toml or ``.okr-review.toml``) is read by
:mod:`assistant.configfile`, which checks each table with its owner. Keys (all optional)::

    select = ["ALL"]            # rule codes, code prefixes (MEA) or dimensions (measurable)
    ignore = ["OWN002"]         # same forms; ignore wins over select
    fail-on = "error"           # error | warning | info | never
    language = "auto"           # auto | zh | en: language of messages
    score-scale = "auto"        # auto | fraction | percent | five
    [severity]                  # per-rule severity: MEA003 = "warning"
    [thresholds]                # see assistant/data/defaults.toml
    [levels]                    # suggested max objectives per level
    [columns]                   # extra column headers: "KR 名称" = "key_result"
    [limits]                    # what one input file may cost: see [limits] in assistant/data/importers.toml
    [knowledge]                 # where the notes and their index live: see assistant/knowledge/settings.py
    [llm]                       # the OpenAI-compatible endpoint, if any: see assistant/llm/settings.py
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .findings import Dimension, Severity
from .rules.catalogue import RuleInfo, rules

FAIL_ON_CHOICES = ("error", "warning", "info", "never")
LANGUAGE_CHOICES = ("auto", "zh", "en")
SCALE_CHOICES = ("auto", "fraction", "percent", "five")


class ConfigError(Exception):
    """Configuration that cannot be used; the CLI exits with status 2."""


@cache
def default_thresholds() -> Mapping[str, float]:
    return MappingProxyType(_defaults()["thresholds"])


@cache
def default_levels() -> Mapping[str, int]:
    return MappingProxyType(_defaults()["levels"])


@cache
def _defaults() -> dict[str, Any]:
    text = resources.files("assistant").joinpath("data/defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True, slots=True)
class Config:
    """Everything that changes what a check reports. Immutable; build variants with ``with_options``."""

    select: tuple[str, ...] = ("ALL",)
    ignore: tuple[str, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    thresholds: Mapping[str, float] = field(default_factory=default_thresholds)
    levels: Mapping[str, int] = field(default_factory=default_levels)
    columns: Mapping[str, str] = field(default_factory=dict)
    limits: Mapping[str, int] = field(default_factory=dict)  # the [limits] table, checked: overrides of the defaults
    fail_on: Severity | None = Severity.error  # None: never fail on findings
    language: str = "auto"
    score_scale: str = "auto"
    knowledge: Mapping[str, Any] = field(default_factory=dict)  # the [knowledge] table, checked
    llm: Mapping[str, Any] = field(default_factory=dict)  # the [llm] table, checked
    source: Path | None = None  # the file the settings came from

    def threshold(self, name: str) -> float:
        return self.thresholds[name]

    def enabled(self, info: RuleInfo) -> bool:
        def matches(selector: str) -> bool:
            return selector in ("ALL", info.dimension.value) or info.code.startswith(selector)

        return any(map(matches, self.select)) and not any(map(matches, self.ignore))

    def severity_of(self, info: RuleInfo) -> Severity:
        return self.severity.get(info.code, info.severity)

    def with_options(self, **changes: Any) -> Config:
        """A copy with CLI options applied; ``None`` values leave a setting as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def parse_selectors(value: Any, key: str = "select", fail=None) -> tuple[str, ...]:
    """Check rule selectors: ALL, a code (MEA001), a code prefix (MEA) or a dimension key (measurable)."""
    fail = fail or (lambda k, reason: ConfigError(f"{k}: {reason}"))
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise fail(key, "must be a list of rule codes or dimensions")
    known_codes = rules()
    dimensions = {d.value for d in Dimension}
    out = []
    for item in items:
        selector = str(item).strip()
        upper = selector.upper()
        if upper == "ALL" or any(code.startswith(upper) for code in known_codes):
            out.append(upper)
        elif selector.lower() in dimensions:
            out.append(selector.lower())
        else:
            raise fail(key, f"unknown rule code or dimension {selector!r}")
    return tuple(out)


def parse_fail_on(value: Any, fail=None) -> Severity | None:
    fail = fail or (lambda k, reason: ConfigError(f"{k}: {reason}"))
    if value not in FAIL_ON_CHOICES:
        raise fail("fail-on", f"must be one of {', '.join(FAIL_ON_CHOICES)}, not {value!r}")
    return None if value == "never" else Severity(value)
