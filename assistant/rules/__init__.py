"""The CLASSIC rules: small pure functions registered under the stable codes of data/rules.toml.

A rule looks at one item (a key result, an objective, a set) or at the whole batch and returns
``Hit``s; the engine turns hits into findings with the texts of the rule table. Rules never
format messages or decide severities themselves. What a rule is lives in ``registry``; importing
this package imports every rule module, which registers its rules there.
"""

from __future__ import annotations

from . import aligned, challenging, focused, inspiring, measurable, outcome, owned  # noqa: F401  (registers them)
from .catalogue import CatalogueError, rules
from .registry import (
    REGISTRY,
    BatchContext,
    Hit,
    KRContext,
    ObjectiveContext,
    Rule,
    Scope,
    SetContext,
    rule,
    unregistered,
    word_hit,
)

if _missing := unregistered(rules(), REGISTRY):
    raise CatalogueError(f"data/rules.toml: no rule function is registered for {', '.join(_missing)}")

__all__ = [
    "REGISTRY",
    "BatchContext",
    "Hit",
    "KRContext",
    "ObjectiveContext",
    "Rule",
    "Scope",
    "SetContext",
    "rule",
    "unregistered",
    "word_hit",
]
