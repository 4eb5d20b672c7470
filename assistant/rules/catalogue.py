"""The rule table (data/rules.toml): codes, dimensions, default severities, texts, note ids, tags, examples.

A rule's properties that other modules act on (hidden while drafting, about wording, shown on the
alignment map…) are tags in the table, and code asks ``tagged(tag)`` instead of listing codes; an
unknown tag, a "map" rule without its flag, or an example without a language or an item is an error
when the table is loaded (a misspelt item field in an example fails the model when the tests run it).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from ..findings import Dimension, Severity

LANGUAGES = ("zh", "en")
# Fields of an example besides those of the item it sets (owner, confidence, dependencies…).
EXAMPLE_KEYS = frozenset({"lang", "objective", "kr", "krs", "cycle", "set_owner"})
NONE = ""  # an empty string in an example: the field is not given (TOML has no null)


class CatalogueError(ValueError):
    """data/rules.toml says something the program cannot use: an unknown tag, a malformed example."""


@dataclass(frozen=True, slots=True)
class Example:
    """One good or bad example of a rule: a key result (O1.KR1) or an objective (O1) in a small set.

    The rest of the set comes from ``[examples.<lang>]`` of the table: the team, the owners, an
    objective and well-formed key results, so that an example states only what matters to its rule.
    ``fields`` are the item's own fields (owner, confidence, score, dependencies…), "" meaning none.
    """

    language: str
    objective: str | None = None
    kr: str | None = None
    krs: tuple[str, ...] = ()
    cycle: str | None = None  # None: the default cycle; "": no cycle
    set_owner: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> tuple[str, str | None]:
        """(objective id, KR ref or None) of the item the example is about."""
        return ("O1", "O1.KR1") if self.kr is not None else ("O1", None)

    @property
    def text(self) -> str:
        """The item's text, as shown in the rule's docs."""
        return self.kr if self.kr is not None else self.objective or ""

    def document(self) -> dict[str, Any]:
        """The example as an input document of one set, filled in from the language's defaults."""
        base = _table()["examples"][self.language]
        owners = base["owners"]  # the objective's owner, the key results' owner
        item = {name: (None if value == NONE else value) for name, value in self.fields.items()}
        cycle = base["cycle"] if self.cycle is None else (self.cycle or None)
        if self.kr is not None:
            first = {"id": "KR1", "text": self.kr, "owner": owners[1], **item}
            second = {"id": "KR2", "text": base["key_results"][0], "owner": owners[1]}
            objective = {"id": "O1", "text": self.objective or base["objective"], "owner": owners[0]}
            objective["key_results"] = [first, second]
        else:
            texts = self.krs or base["key_results"][:2]
            key_results = [{"id": f"KR{n}", "text": t, "owner": owners[1]} for n, t in enumerate(texts, 1)]
            objective = {"id": "O1", "text": self.objective, "owner": owners[0], **item, "key_results": key_results}
        return {"team": base["team"], "cycle": cycle, "owner": self.set_owner, "objectives": [objective]}


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
    tags: frozenset[str] = frozenset()
    map_flag: str | None = None  # with the "map" tag: how the alignment map marks the item
    good: tuple[Example, ...] = ()  # items the rule must leave alone
    bad: tuple[Example, ...] = ()  # items the rule must flag


@cache
def _table() -> dict:
    text = resources.files("assistant").joinpath("data/rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def rules() -> Mapping[str, RuleInfo]:
    """Every rule, by code, in table order; a tag or example the program does not know is a CatalogueError."""
    known_tags = _table()["tags"]
    table = {}
    for code, entry in _table()["rules"].items():
        tags = frozenset(entry.get("tags", ()))
        unknown = sorted(tags - set(known_tags))
        if unknown:
            raise CatalogueError(
                f"data/rules.toml: rule {code}: unknown tag {unknown[0]!r} (known: {', '.join(known_tags)})"
            )
        map_flag = entry.get("map-flag")
        if ("map" in tags) != (map_flag is not None):
            raise CatalogueError(f"data/rules.toml: rule {code}: the 'map' tag and map-flag go together")
        examples = entry.get("examples", {})
        table[code] = RuleInfo(
            code=code,
            dimension=Dimension(entry["dimension"]),
            severity=Severity(entry["severity"]),
            note=entry["note"],
            title=MappingProxyType(entry["title"]),
            message=MappingProxyType(entry["message"]),
            fix=MappingProxyType(entry["fix"]),
            tags=tags,
            map_flag=map_flag,
            good=tuple(_example(code, "good", e) for e in examples.get("good", ())),
            bad=tuple(_example(code, "bad", e) for e in examples.get("bad", ())),
        )
    return MappingProxyType(table)


def _example(code: str, kind: str, entry: Mapping[str, Any]) -> Example:
    where = f"data/rules.toml: rule {code}: {kind} example"
    if entry.get("lang") not in LANGUAGES:
        raise CatalogueError(f"{where}: lang must be zh or en, not {entry.get('lang')!r}")
    if not entry.get("kr") and not entry.get("objective"):
        raise CatalogueError(f"{where}: needs a kr or an objective")
    if entry.get("krs") and entry.get("kr"):
        raise CatalogueError(f"{where}: krs go with an objective example, not a kr example")
    return Example(
        language=entry["lang"],
        objective=entry.get("objective"),
        kr=entry.get("kr"),
        krs=tuple(entry.get("krs", ())),
        cycle=entry.get("cycle"),
        set_owner=entry.get("set_owner") or None,
        fields=MappingProxyType({k: v for k, v in entry.items() if k not in EXAMPLE_KEYS}),
    )


def tagged(tag: str) -> frozenset[str]:
    """The codes of the rules with this tag; a tag the table does not define is a CatalogueError."""
    if tag not in _table()["tags"]:
        raise CatalogueError(f"unknown rule tag {tag!r}")
    return frozenset(code for code, info in rules().items() if tag in info.tags)


def map_flags() -> Mapping[str, str]:
    """Code → how the alignment map marks an item with that finding, for the rules tagged "map"."""
    return MappingProxyType({code: rules()[code].map_flag or "" for code in tagged("map")})


def markdown_table(lang: str = "en") -> str:
    """The README's rule table: one row per rule (code, dimension, severity, title), from this catalogue."""
    lang = lang if lang in LANGUAGES else "en"
    lines = ["| code | dimension | severity | title |", "|---|---|---|---|"]
    for info in rules().values():
        lines.append(f"| {info.code} | `{info.dimension.value}` | {info.severity.value} | {info.title[lang]} |")
    return "\n".join(lines)


def dimension_label(dimension: Dimension | str, lang: str = "zh") -> str:
    """Human name of a CLASSIC dimension, e.g. 可衡量 / Measurable."""
    return _table()["dimensions"][str(dimension)][lang if lang in LANGUAGES else "en"]


def dimension_letter(dimension: Dimension | str) -> str:
    return _table()["dimensions"][str(dimension)]["letter"]
