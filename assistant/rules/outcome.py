"""C — outcome-oriented: key results are results, not the work done to get them."""

from __future__ import annotations

import re
from functools import cache

from . import Hit, KRContext, Scope, lexicon, rule, word_hit
from .similarity import could_reach, dice

# Quantities that measure a result even when the text starts with a work verb.
_RESULT_KINDS = frozenset({"percent", "points", "multiple", "magnitude"})


def _effort(ctx: KRContext):
    """The first count of effort (召开 4 次, 6 interview sessions, 20 小时), if any."""
    text, effort = ctx.facts.text, _effort_unit_after()
    for quantity in ctx.facts.targets:
        if quantity.kind != "number":
            continue
        if (quantity.unit and effort.match(quantity.unit)) or effort.match(text, quantity.span[1]):
            return quantity
    return None


@cache
def _effort_unit_after() -> re.Pattern[str]:
    """An effort unit right after a number, or (English) within the next three words."""
    return re.compile(rf"\s*(?:[A-Za-z-]+\s+){{0,3}}?(?:{lexicon.pattern('effort_units').pattern})", re.IGNORECASE)


@rule("OUT001", Scope.key_result)
def activity_not_outcome(ctx: KRContext) -> Hit | None:
    match = ctx.facts.activity
    if match is None or _effort(ctx) is not None:
        return None
    if any(q.kind in _RESULT_KINDS or q.comparator for q in ctx.facts.targets):
        return None
    return word_hit(match)


@rule("OUT002", Scope.key_result)
def counts_effort(ctx: KRContext) -> Hit | None:
    if ctx.facts.activity is None:
        return None
    quantity = _effort(ctx)
    return Hit({"quantity": quantity.text}, evidence=quantity.text, span=quantity.span) if quantity else None


@rule("OUT003", Scope.key_result)
def repeats_objective(ctx: KRContext) -> Hit | None:
    threshold = ctx.config.threshold("repeat-similarity")
    if not could_reach(len(ctx.kr.text), len(ctx.objective.text), threshold * 0.9):
        return None  # lengths too different for the texts to match: skip the set arithmetic
    if dice(ctx.facts.shingles, ctx.objective_facts.shingles) >= threshold:
        return Hit({"kr": ctx.ref})
    return None
