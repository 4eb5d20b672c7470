"""I — inspiring: an objective states a direction worth pursuing, not a metric, a task or a slogan."""

from __future__ import annotations

import re

from .registry import Hit, ObjectiveContext, Scope, rule, word_hit

_METRIC_KINDS = frozenset({"percent", "points", "multiple"})
_PUNCTUATION = re.compile(r"[\W_]+")


@rule("INS001", Scope.objective)
def objective_is_metric(ctx: ObjectiveContext) -> Hit | None:
    for quantity in ctx.facts.targets:
        if quantity.kind == "number" and quantity.value == 1 and not quantity.comparator:
            continue  # "一件麻烦事", "a team": one as an article, not a target
        if quantity.kind in _METRIC_KINDS or quantity.comparator or quantity.unit or quantity.value >= 100:
            return Hit(
                {"text": ctx.objective.text, "quantity": quantity.text},
                evidence=quantity.text,
                span=quantity.span,
            )
    return None


@rule("INS002", Scope.objective)
def objective_is_task(ctx: ObjectiveContext) -> Hit | None:
    # Only a work verb at the start makes an objective read like a task; a bare one ("Hiring") is INS005's.
    match = ctx.facts.activity_start
    if match is None or bare_objective(ctx) is not None:
        return None
    return word_hit(match, ctx.objective.text)


@rule("INS003", Scope.objective)
def empty_slogan(ctx: ObjectiveContext) -> Hit | None:
    text = ctx.objective.text
    remainder = ctx.facts.without_slogans
    if ctx.facts.language == "en":
        content = [w for w in _PUNCTUATION.split(remainder) if w]
        empty = not content
    else:
        empty = len(_PUNCTUATION.sub("", remainder)) < ctx.config.threshold("slogan-min-chars")
    return Hit({"text": text}) if empty and text.strip() else None


@rule("INS004", Scope.objective)
def objective_too_long(ctx: ObjectiveContext) -> Hit | None:
    text = ctx.objective.text
    if ctx.facts.language == "en":
        length, limit = len(text.split()), ctx.config.threshold("objective-max-words")
    else:
        length, limit = len(_PUNCTUATION.sub("", text)), ctx.config.threshold("objective-max-chars")
    return Hit({"length": length}, evidence=text) if length > limit else None


@rule("INS005", Scope.objective)
def bare_objective(ctx: ObjectiveContext) -> Hit | None:
    text = ctx.objective.text
    if not text.strip() or empty_slogan(ctx) is not None:
        return None  # an empty slogan is INS003's finding
    bare = ctx.facts.bare(
        int(ctx.config.threshold("bare-objective-max-chars")), int(ctx.config.threshold("bare-objective-max-words"))
    )
    return Hit({"text": text}) if bare else None
