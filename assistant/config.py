"""Configuration as a value object, read from ``[tool.okr-review]`` in pyproject.toml or ``.okr-review.toml``.

Keys (all optional)::

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

CONFIG_FILENAMES = (".okr-review.toml", "pyproject.toml")
FAIL_ON_CHOICES = ("error", "warning", "info", "never")
LANGUAGE_CHOICES = ("auto", "zh", "en")
SCALE_CHOICES = ("auto", "fraction", "percent", "five")
_KNOWN_KEYS = {
    "select",
    "ignore",
    "fail-on",
    "language",
    "score-scale",
    "severity",
    "thresholds",
    "levels",
    "columns",
    "limits",
    "knowledge",
    "llm",
}


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

    def knowledge_settings(self, environ: Mapping[str, str] | None = None):
        """Where the notes and their index live: the [knowledge] table, then the environment."""
        from .knowledge.settings import knowledge_settings

        return knowledge_settings(self.knowledge, base=self.source.parent if self.source else None, environ=environ)

    def llm_settings(self, environ: Mapping[str, str] | None = None):
        """Which LLM endpoint to use, if any: the [llm] table, then the environment."""
        from .llm.settings import llm_settings

        return llm_settings(self.llm, base=self.source.parent if self.source else None, environ=environ)

    def with_options(self, **changes: Any) -> Config:
        """A copy with CLI options applied; ``None`` values leave a setting as it is."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def find_config(start: Path) -> Path | None:
    """The nearest ``.okr-review.toml``, or pyproject.toml with a [tool.okr-review] table, from start upwards."""
    start = start.resolve()
    for folder in (start, *start.parents):
        for name in CONFIG_FILENAMES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _has_tool_table(candidate)):
                return candidate
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "okr-review" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load_config(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Read the given file, or discover one from ``start`` (default: the current folder); defaults otherwise."""
    if path is None:
        path = find_config(start or Path.cwd())
        if path is None:
            return Config()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: configuration file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    table = document.get("tool", {}).get("okr-review")
    if table is None:
        if path.name == "pyproject.toml":
            return Config(source=path)
        table = document
    return config_from_mapping(table, source=path)


def config_from_mapping(table: Mapping[str, Any], *, source: Path | None = None) -> Config:
    """Validate a settings table (as found in TOML) into a Config; every mistake names its key."""
    where = f"{source}: " if source else ""

    def fail(key: str, reason: str) -> ConfigError:
        return ConfigError(f"{where}[tool.okr-review] {key}: {reason}")

    unknown = set(table) - _KNOWN_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown setting (known: {', '.join(sorted(_KNOWN_KEYS))})")
    config = Config(source=source)
    changes: dict[str, Any] = {}
    for key in ("select", "ignore"):
        if key in table:
            changes[key] = parse_selectors(table[key], key, fail)
    if "fail-on" in table:
        changes["fail_on"] = parse_fail_on(table["fail-on"], fail)
    for key, attr, choices in (
        ("language", "language", LANGUAGE_CHOICES),
        ("score-scale", "score_scale", SCALE_CHOICES),
    ):
        if key in table:
            if table[key] not in choices:
                raise fail(key, f"must be one of {', '.join(choices)}, not {table[key]!r}")
            changes[attr] = table[key]
    if "severity" in table:
        changes["severity"] = _parse_severities(table["severity"], fail)
    if "thresholds" in table:
        changes["thresholds"] = _merge_numbers(config.thresholds, table["thresholds"], "thresholds", fail)
    if "levels" in table:
        changes["levels"] = _merge_numbers(config.levels, table["levels"], "levels", fail)
    if "columns" in table:
        columns = table["columns"]
        if not isinstance(columns, Mapping) or not all(isinstance(v, str) for v in columns.values()):
            raise fail("columns", 'must be a table of "header" = "field"')
        changes["columns"] = MappingProxyType(dict(columns))
    if "limits" in table:
        changes["limits"] = _check_limits(table["limits"], fail)
    if "knowledge" in table:
        changes["knowledge"] = _check_knowledge(table["knowledge"], source, fail)
    if "llm" in table:
        changes["llm"] = _check_llm(table["llm"], source, fail)
    return replace(config, **changes)


def _check_limits(value: Any, fail) -> Mapping[str, int]:
    from .importers import LimitsError, limits_from

    if not isinstance(value, Mapping):
        raise fail("limits", "must be a table of limits")
    try:
        limits_from(value)
    except LimitsError as exc:
        raise fail(f"limits.{exc.key}", exc.reason) from None
    return MappingProxyType(dict(value))


def _check_llm(value: Any, source: Path | None, fail) -> Mapping[str, Any]:
    from .llm.settings import LLMSettingsError, llm_settings

    if not isinstance(value, Mapping):
        raise fail("llm", "must be a table of settings")
    if "api-key" in value:
        raise fail("llm", "api-key: keys are never read from files; set OPENAI_API_KEY or OKR_REVIEW_LLM_API_KEY")
    try:
        llm_settings(value, base=source.parent if source else None, environ={})
    except LLMSettingsError as exc:
        raise fail("llm", str(exc).removeprefix("[llm] ")) from None
    return MappingProxyType(dict(value))


def _check_knowledge(value: Any, source: Path | None, fail) -> Mapping[str, Any]:
    from .knowledge.settings import SettingsError, knowledge_settings

    if not isinstance(value, Mapping):
        raise fail("knowledge", "must be a table of settings")
    try:
        knowledge_settings(value, base=source.parent if source else None, environ={})
    except SettingsError as exc:
        raise fail("knowledge", str(exc).removeprefix("[knowledge] ")) from None
    return MappingProxyType(dict(value))


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


def _parse_severities(value: Any, fail) -> Mapping[str, Severity]:
    if not isinstance(value, Mapping):
        raise fail("severity", 'must be a table of CODE = "error" | "warning" | "info"')
    out = {}
    for code, level in value.items():
        if code not in rules():
            raise fail(f"severity.{code}", "unknown rule code")
        if level not in ("error", "warning", "info"):
            raise fail(f"severity.{code}", f"must be error, warning or info, not {level!r}")
        out[code] = Severity(level)
    return MappingProxyType(out)


def _merge_numbers(base: Mapping[str, float], value: Any, key: str, fail) -> Mapping[str, float]:
    if not isinstance(value, Mapping):
        raise fail(key, "must be a table of numbers")
    merged = dict(base)
    for name, number in value.items():
        if name not in base:
            raise fail(f"{key}.{name}", f"unknown name (known: {', '.join(base)})")
        if isinstance(number, bool) or not isinstance(number, int | float) or number < 0:
            raise fail(f"{key}.{name}", f"must be a non-negative number, not {number!r}")
        merged[name] = number
    return MappingProxyType(merged)
