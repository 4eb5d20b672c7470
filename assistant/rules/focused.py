"""L — focused: the five-four principle and the counts the guidance suggests per level."""

from __future__ import annotations

from .registry import Hit, ObjectiveContext, Scope, SetContext, rule

_LEVEL_NAMES = {
    "zh": {
        "company": "公司",
        "business_group": "事业群",
        "department": "部门",
        "team": "团队",
        "individual": "个人",
    },
    "en": {
        "company": "company",
        "business_group": "business group",
        "department": "department",
        "team": "team",
        "individual": "individual",
    },
}


@rule("FOC001", Scope.set)
def too_many_objectives(ctx: SetContext):
    count, limit = len(ctx.okr_set.objectives), ctx.config.threshold("max-objectives")
    if count > limit:
        extra = ctx.okr_set.objectives[int(limit) :]
        yield Hit({"count": count, "max": int(limit)}, evidence="; ".join(o.id for o in extra))


@rule("FOC002", Scope.objective)
def too_many_key_results(ctx: ObjectiveContext) -> Hit | None:
    count, limit = len(ctx.objective.key_results), ctx.config.threshold("max-key-results")
    if count > limit:
        extra = ctx.objective.key_results[int(limit) :]
        return Hit(
            {"objective": ctx.objective.id, "count": count, "max": int(limit)},
            evidence="; ".join(ctx.objective.kr_ref(kr) for kr in extra),
        )
    return None


@rule("FOC003", Scope.objective)
def objective_without_key_results(ctx: ObjectiveContext) -> Hit | None:
    return None if ctx.objective.key_results else Hit({"objective": ctx.objective.id})


@rule("FOC004", Scope.objective)
def few_key_results(ctx: ObjectiveContext) -> Hit | None:
    count = len(ctx.objective.key_results)
    if 0 < count < ctx.config.threshold("min-key-results"):
        return Hit({"objective": ctx.objective.id, "count": count})
    return None


@rule("FOC005", Scope.set)
def more_than_level_suggests(ctx: SetContext):
    level = ctx.okr_set.level
    if level is None or level.value not in ctx.config.levels:
        return
    count, suggested = len(ctx.okr_set.objectives), int(ctx.config.levels[level.value])
    # Past the absolute limit FOC001 already speaks; this rule covers the stricter per-level advice.
    if suggested < count <= ctx.config.threshold("max-objectives"):
        names = {lang: table[level.value] for lang, table in _LEVEL_NAMES.items()}
        yield Hit({"level": names, "count": count, "max": suggested})


@rule("FOC006", Scope.set)
def set_without_objectives(ctx: SetContext):
    if not ctx.okr_set.objectives:
        yield Hit({"set": ctx.okr_set.key})
