"""What a rule is and where it is registered: scopes, contexts, hits, the registry and the ``rule`` decorator.

The rule modules import from here (never from the package's ``__init__``, which imports them to
register their rules), so the rules package has no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .catalogue import RuleInfo, rules
from .facts import TextFacts
from .lexicon import WordMatch

if TYPE_CHECKING:
    from ..config import Config
    from ..model import KeyResult, Objective, OKRSet


class Scope(StrEnum):
    key_result = "key_result"
    objective = "objective"
    set = "set"
    batch = "batch"


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule firing: the values for its message template, and what it points at.

    Item rules leave ``okr_set``/``objective``/``kr`` empty (the engine knows the item);
    set and batch rules fill in the most specific item the hit is about.
    """

    params: Mapping[str, Any] = field(default_factory=dict)
    evidence: str | None = None  # None: the item's own text
    span: tuple[int, int] | None = None
    okr_set: OKRSet | None = None
    objective: Objective | None = None
    kr: KeyResult | None = None


@dataclass(slots=True)
class KRContext:
    okr_set: OKRSet
    objective: Objective
    kr: KeyResult
    facts: TextFacts
    config: Config
    objective_facts: TextFacts

    @property
    def ref(self) -> str:
        return f"{self.objective.id}.{self.kr.id}"

    @property
    def item(self) -> KeyResult:
        return self.kr


@dataclass(slots=True)
class ObjectiveContext:
    okr_set: OKRSet
    objective: Objective
    facts: TextFacts
    config: Config

    @property
    def item(self) -> Objective:
        return self.objective


@dataclass(slots=True)
class SetContext:
    okr_set: OKRSet
    config: Config


@dataclass(slots=True)
class BatchContext:
    sets: list[OKRSet]
    config: Config
    memo: dict[str, Any] = field(default_factory=dict)  # indexes that several batch rules share


@dataclass(frozen=True, slots=True)
class Rule:
    info: RuleInfo
    scopes: tuple[Scope, ...]
    check: Callable[[Any], Hit | Iterable[Hit] | None]


REGISTRY: dict[str, Rule] = {}


def rule(code: str, *scopes: Scope):
    """Register a rule function under a code of the rule table, for one or more scopes."""

    def register(func):
        if code not in rules():
            raise KeyError(f"rule {code} is not in data/rules.toml")
        if code in REGISTRY:
            raise KeyError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(rules()[code], scopes, func)
        return func

    return register


def word_hit(match: WordMatch, written: str, param: str = "word") -> Hit:
    """A hit whose evidence, and whose message parameter ``param``, is a word found in the item's text.

    The rules read a plain copy of the text (Simplified Chinese, code blanked); ``written`` is the text
    as the user wrote it, so the evidence shows their own characters at the same span.
    """
    word = written[match.start : match.end] or match.text
    return Hit(params={param: word}, evidence=word, span=match.span)


def unregistered(codes: Iterable[str], registry: Mapping[str, Rule]) -> list[str]:
    """The codes of the table that no function checks: such a rule would never fire, silently."""
    return [code for code in codes if code not in registry]
