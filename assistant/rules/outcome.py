"""C — outcome-oriented: key results are results, not the work done to get them.

OUT001 and OUT002 follow from the key result's shape (rules/shape.py): a deliverable or open-ended
work is OUT001, work counted in sessions or done to a rhythm is OUT002. A line that also states the
result the work should bring (使…不超过 5 分钟, so that…) is an outcome and gets neither.
"""

from __future__ import annotations

from .registry import Hit, KRContext, Scope, rule, word_hit
from .shape import KRShape, effort_span
from .similarity import could_reach, dice


@rule("OUT001", Scope.key_result)
def activity_not_outcome(ctx: KRContext) -> Hit | None:
    reading = ctx.facts.kr_reading
    if reading.shape not in (KRShape.output, KRShape.open_work) or reading.work is None:
        return None
    return word_hit(reading.work, ctx.kr.text)


@rule("OUT002", Scope.key_result)
def counts_effort(ctx: KRContext) -> Hit | None:
    reading = ctx.facts.kr_reading
    if reading.shape is not KRShape.effort:
        return None
    if reading.effort is not None:
        start, end = effort_span(ctx.facts.plain, reading.effort)
        text = ctx.kr.text[start:end]
        return Hit({"quantity": text}, evidence=text, span=(start, end))
    return word_hit(reading.work, ctx.kr.text, "quantity") if reading.work else None


@rule("OUT003", Scope.key_result)
def repeats_objective(ctx: KRContext) -> Hit | None:
    threshold = ctx.config.threshold("repeat-similarity")
    if not could_reach(len(ctx.kr.text), len(ctx.objective.text), threshold * 0.9):
        return None  # lengths too different for the texts to match: skip the set arithmetic
    if dice(ctx.facts.shingles, ctx.objective_facts.shingles) >= threshold:
        return Hit({"kr": ctx.ref})
    return None
