"""S — measurable: a key result someone can verify, with a target, a baseline and a deadline.

MEA001 and MEA002 follow from the key result's shape (rules/shape.py): a line that is only work
with a deliverable is verifiable (OUT001 says it is work, not a result), so it never gets them.
"""

from __future__ import annotations

from .registry import Hit, KRContext, Scope, rule, word_hit
from .shape import KRShape

_CHANGE_KINDS = frozenset({"percent", "points", "multiple"})


def _structured_target(ctx: KRContext) -> bool:
    return ctx.kr.target is not None


@rule("MEA001", Scope.key_result)
def no_verifiable_target(ctx: KRContext) -> Hit | None:
    reading = ctx.facts.kr_reading
    if _structured_target(ctx) or not reading.unverifiable or reading.vague is not None:
        return None  # a vague verb or quality is MEA002's finding
    return Hit({"text": ctx.kr.text})


@rule("MEA002", Scope.key_result)
def vague_verb_without_metric(ctx: KRContext) -> Hit | None:
    reading = ctx.facts.kr_reading
    if _structured_target(ctx) or reading.shape not in (KRShape.vague, KRShape.open_work) or reading.vague is None:
        return None
    return word_hit(reading.vague, ctx.kr.text)


@rule("MEA003", Scope.key_result)
def change_without_baseline(ctx: KRContext) -> Hit | None:
    if ctx.kr.baseline is not None or not any(q.kind in _CHANGE_KINDS for q in ctx.facts.targets):
        return None
    facts = ctx.facts.quantities
    change = facts.relative_change
    if change is None:
        return None
    target = facts.target
    if target is not None and target is not change and target.kind == "number" and not target.placeholder:
        return None  # "reach 300 subscribers (+100%)": the level to reach is stated, the change only glosses it
    return Hit({"change": change.text}, evidence=change.text, span=change.span)


@rule("MEA004", Scope.key_result)
def no_deadline(ctx: KRContext) -> Hit | None:
    okr_set = ctx.okr_set
    if ctx.kr.due or okr_set.cycle or okr_set.cycle_end or ctx.facts.timebound:
        return None
    return Hit()


@rule("MEA005", Scope.key_result)
def several_results(ctx: KRContext) -> Hit | None:
    parts = ctx.facts.measured_clauses
    if not parts:
        return None
    return Hit({"count": len(parts), "parts": " | ".join(parts)}, evidence=" | ".join(parts))
