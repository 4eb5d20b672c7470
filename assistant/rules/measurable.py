"""S — measurable: a key result someone can verify, with a target, a baseline and a deadline."""

from __future__ import annotations

from . import Hit, KRContext, Scope, rule, word_hit

_CHANGE_KINDS = frozenset({"percent", "points", "multiple"})


@rule("MEA001", Scope.key_result)
def no_verifiable_target(ctx: KRContext) -> Hit | None:
    facts = ctx.facts
    if facts.has_target or ctx.kr.target is not None or facts.vague_verb or facts.activity:
        return None  # a vague verb is MEA002's finding; a deliverable is verifiable (OUT001 asks for more)
    return Hit({"text": ctx.kr.text})


@rule("MEA002", Scope.key_result)
def vague_verb_without_metric(ctx: KRContext) -> Hit | None:
    facts = ctx.facts
    if facts.has_target or ctx.kr.target is not None or facts.activity:
        return None
    match = facts.vague_verb
    return word_hit(match) if match else None


@rule("MEA003", Scope.key_result)
def change_without_baseline(ctx: KRContext) -> Hit | None:
    if ctx.kr.baseline is not None or not any(q.kind in _CHANGE_KINDS for q in ctx.facts.targets):
        return None
    change = ctx.facts.quantities.relative_change
    if change is None:
        return None
    return Hit({"change": change.text}, evidence=change.text, span=change.span)


@rule("MEA004", Scope.key_result)
def no_deadline(ctx: KRContext) -> Hit | None:
    okr_set = ctx.okr_set
    if ctx.kr.due or okr_set.cycle or okr_set.cycle_end or ctx.facts.timebound:
        return None
    return Hit()


@rule("MEA005", Scope.key_result)
def several_results(ctx: KRContext) -> Hit | None:
    parts = ctx.facts.measured_clauses()
    if not parts:
        return None
    return Hit({"count": len(parts), "parts": " | ".join(parts)}, evidence=" | ".join(parts))
