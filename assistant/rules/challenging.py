"""C — challenging: goals that take a stretch, not a sure thing or the status quo."""

from __future__ import annotations

from .. import scoring
from ..analysis.quantities import Quantity
from .registry import Hit, KRContext, ObjectiveContext, Scope, SetContext, rule, word_hit


def _figure(value: float) -> str:
    return f"{value:g}"


@rule("CHA001", Scope.objective, Scope.key_result)
def confidence_too_high(ctx: KRContext | ObjectiveContext) -> Hit | None:
    confidence = ctx.item.confidence
    limit = ctx.config.threshold("confidence-high")
    if confidence is not None and confidence >= limit:
        return Hit({"confidence": _figure(confidence), "max": _figure(limit)}, evidence=f"{_figure(confidence)}%")
    return None


@rule("CHA002", Scope.objective, Scope.key_result)
def status_quo_wording(ctx: KRContext | ObjectiveContext) -> Hit | None:
    match = ctx.facts.status_quo
    if match is None or ctx.facts.moves:
        return None  # "保持发帖的创作者从 2 万增长到 3.5 万": the word names the metric, the figure moves
    return word_hit(match, ctx.item.text)


@rule("CHA003", Scope.key_result)
def target_equals_baseline(ctx: KRContext) -> Hit | None:
    kr = ctx.kr
    baseline, target = kr.baseline, kr.target
    evidence = None
    if baseline is None or target is None:
        if len(ctx.facts.targets) < 2:
            return None  # a baseline and a target take two figures
        facts = ctx.facts.quantities
        if facts.baseline is None or facts.target is None:
            return None
        if not _same_measure(facts.baseline, facts.target):
            return None  # "从 3 天缩短到 3 小时", "from 50 元 up 50%": equal numbers, different things
        baseline, target = facts.baseline.value, facts.target.value
        evidence = ctx.facts.text[facts.baseline.span[0] : facts.target.span[1]]
    if baseline == target:
        return Hit({"baseline": _figure(baseline), "target": _figure(target)}, evidence=evidence)
    return None


def _same_measure(baseline: Quantity, target: Quantity) -> bool:
    """Whether two figures measure in the same terms: the same kind, and no two different units."""
    if baseline.kind != target.kind:
        return False
    return not (baseline.unit and target.unit and baseline.unit.lower() != target.unit.lower())


@rule("CHA004", Scope.set)
def fully_achieved(ctx: SetContext):
    marks = scoring.marks(ctx.config)
    for objective, kr, percent in scoring.scored_key_results(ctx.okr_set, ctx.config):
        if marks.band(percent) is scoring.Band.conservative:
            yield Hit(
                {"percent": _figure(percent)},
                evidence=f"{_figure(percent if kr.score is None else kr.score)}",
                objective=objective,
                kr=kr,
            )


@rule("CHA005", Scope.set)
def scored_low(ctx: SetContext):
    marks = scoring.marks(ctx.config)
    for objective, kr, percent in scoring.scored_key_results(ctx.okr_set, ctx.config):
        if marks.band(percent) is scoring.Band.analyse:
            yield Hit(
                {"percent": _figure(percent), "min": _figure(marks.low)},
                evidence=f"{_figure(percent if kr.score is None else kr.score)}",
                objective=objective,
                kr=kr,
            )
