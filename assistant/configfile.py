"""Reading the settings file: find it, parse it, and check each table with the layer that owns it.

:class:`~assistant.config.Config` is the value object the rules see; this module builds it from
``[tool.okr-review]`` in pyproject.toml or ``.okr-review.toml``. The [knowledge], [llm] and [limits] tables
are checked here by their owners' own parsers (knowledge, llm and importers settings), so a mistake in any
of them is reported when the file is read, naming its key, whatever the command.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .config import (
    LANGUAGE_CHOICES,
    SCALE_CHOICES,
    Config,
    ConfigError,
    parse_fail_on,
    parse_selectors,
)
from .findings import Severity
from .rules.catalogue import rules

if TYPE_CHECKING:
    from .knowledge.settings import KnowledgeSettings
    from .llm.settings import LLMSettings

# The owners' parsers are imported where a table is checked: importing the llm and knowledge packages costs
# start-up time that a plain ``check`` without those tables should not pay.

__all__ = [
    "CONFIG_FILENAMES",
    "config_from_mapping",
    "find_config",
    "knowledge_settings_of",
    "llm_settings_of",
    "load_config",
]

CONFIG_FILENAMES = (".okr-review.toml", "pyproject.toml")
KNOWN_KEYS = {
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

    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise fail(sorted(unknown)[0], f"unknown setting (known: {', '.join(sorted(KNOWN_KEYS))})")
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


def knowledge_settings_of(config: Config, environ: Mapping[str, str] | None = None) -> KnowledgeSettings:
    """Where the notes and their index live: the config's [knowledge] table, then the environment."""
    from .knowledge.settings import knowledge_settings

    return knowledge_settings(config.knowledge, base=config.source.parent if config.source else None, environ=environ)


def llm_settings_of(config: Config, environ: Mapping[str, str] | None = None) -> LLMSettings:
    """Which LLM endpoint to use, if any: the config's [llm] table, then the environment."""
    from .llm.settings import llm_settings

    return llm_settings(config.llm, base=config.source.parent if config.source else None, environ=environ)
