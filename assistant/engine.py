"""Run the CLASSIC rules over OKR sets and turn their hits into findings.

``check`` is pure: sets and a config in, findings out, in a stable order (set, then objective,
then key result, then rule code). Inline suppression: a note on an objective or key result
containing ``okr-review: ignore`` (all rules) or ``okr-review: ignore MEA001, OUT001`` silences
those rules for that item.

One language per run: the config's, or with ``auto`` the one most of the input is written in, so that
every message of a report matches its labels. A post-pass folds a notice repeated over a set for a
set-wide cause (no owners, no cycle) into one set-level finding (``assistant.triage``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._gc import paused_gc
from .config import Config
from .findings import Finding
from .model import KeyResult, Objective, OKRSet
from .rules import REGISTRY, BatchContext, Hit, KRContext, ObjectiveContext, Rule, Scope, SetContext
from .rules.facts import TextFacts
from .triage import fold_repeats, resolve_language

_SUPPRESS = re.compile(r"okr-review\s*[:：]\s*ignore\b(?P<codes>[\sA-Za-z0-9,，、]*)", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]{3}\d{3}")
_ALL = frozenset({"*"})

ProgressCallback = Callable[[int], None]


def suppressed_codes(note: str | None) -> frozenset[str]:
    """Codes an item's note silences; ``{"*"}`` for all."""
    if not note:
        return frozenset()
    codes: set[str] = set()
    for match in _SUPPRESS.finditer(note):
        found = _CODE.findall(match.group("codes").upper())
        if not found:
            return _ALL
        codes.update(found)
    return frozenset(codes)


class _Runner:
    """Holds the enabled rules of one config, split by scope, and the batch's findings."""

    def __init__(self, config: Config, lang: str) -> None:
        self.config = config
        self.lang = lang  # the language of every message of the run
        enabled = [r for r in REGISTRY.values() if config.enabled(r.info)]
        self.by_scope: dict[Scope, list[Rule]] = {
            scope: sorted((r for r in enabled if scope in r.scopes), key=lambda r: r.info.code) for scope in Scope
        }
        self.severity = {r.info.code: config.severity_of(r.info) for r in enabled}
        self.findings: list[Finding] = []

    def add(
        self,
        rule: Rule,
        hit: Hit,
        okr_set: OKRSet,
        objective: Objective | None,
        kr: KeyResult | None,
    ) -> None:
        item = kr or objective
        if item is not None and item.note:
            silenced = suppressed_codes(item.note)
            if silenced is _ALL or rule.info.code in silenced:
                return
        lang = self.lang
        params = _localise(hit.params, lang) if hit.params else hit.params
        info = rule.info
        self.findings.append(
            Finding(
                info.code,
                info.dimension,
                self.severity[info.code],
                info.message[lang].format_map(params),
                info.fix[lang].format_map(params),
                info.note,
                okr_set.key,
                objective.id if objective else None,
                f"{objective.id}.{kr.id}" if objective and kr else None,
                hit.evidence if hit.evidence is not None else (item.text if item else okr_set.key),
                hit.span,
                (item.source if item is not None else None) or okr_set.source,
            )
        )

    def run_item(self, scope: Scope, ctx: Any, okr_set: OKRSet, objective: Objective, kr: KeyResult | None) -> None:
        for rule in self.by_scope[scope]:
            hit = rule.check(ctx)
            if hit is not None:
                self.add(rule, hit, okr_set, objective, kr)

    def run_many(self, scope: Scope, ctx: Any, default_set: OKRSet | None) -> None:
        for rule in self.by_scope[scope]:
            for hit in rule.check(ctx) or ():
                okr_set = hit.okr_set or default_set
                self.add(rule, hit, okr_set, hit.objective, hit.kr)


def _localise(params: Mapping[str, Any], lang: str) -> Mapping[str, Any]:
    """Pick the language's value for params given as {"zh": …, "en": …}."""
    if not any(isinstance(v, Mapping) for v in params.values()):
        return params
    return {k: (v.get(lang, v.get("en")) if isinstance(v, Mapping) else v) for k, v in params.items()}


def check(
    sets: Sequence[OKRSet],
    config: Config | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    fold: bool = True,
) -> list[Finding]:
    """Every finding for the given sets, checked together so that cross-set rules see the whole batch.

    ``on_progress`` is called after each set with the number of key results it held. ``fold=False``
    keeps a set-wide notice as one finding per item (for callers that need every item's findings).
    """
    config = config or Config()
    with paused_gc():
        return _check(sets, _Runner(config, resolve_language(config.language, sets)), on_progress, fold)


def _check(sets: Sequence[OKRSet], runner: _Runner, on_progress: ProgressCallback | None, fold: bool) -> list[Finding]:
    cfg = runner.config
    per_set: list[list[Finding]] = []
    for okr_set in sets:
        runner.findings = []
        runner.run_many(Scope.set, SetContext(okr_set, cfg), okr_set)
        for objective in okr_set.objectives:
            facts = TextFacts(objective.text)
            runner.run_item(Scope.objective, ObjectiveContext(okr_set, objective, facts, cfg), okr_set, objective, None)
            for kr in objective.key_results:
                kr_facts = TextFacts(kr.text)
                ctx = KRContext(okr_set, objective, kr, kr_facts, cfg, facts)
                runner.run_item(Scope.key_result, ctx, okr_set, objective, kr)
        per_set.append(fold_repeats(runner.findings, okr_set, runner.lang) if fold else runner.findings)
        if on_progress:
            on_progress(sum(len(o.key_results) for o in okr_set.objectives))
    runner.findings = []
    runner.run_many(Scope.batch, BatchContext(list(sets), cfg), None)
    return _in_order(sets, per_set, runner.findings)


def _in_order(sets: Sequence[OKRSet], per_set: list[list[Finding]], batch: list[Finding]) -> list[Finding]:
    """Stable order: by set, then objective, then key result, then code; set-level findings first."""
    position: dict[tuple[str, str | None, str | None], int] = {}
    counter = 0
    for okr_set in sets:
        for key in _item_keys(okr_set):
            if key not in position:
                position[key] = counter
                counter += 1
    merged: list[Finding] = [f for findings in per_set for f in findings] + batch
    return sorted(merged, key=lambda f: (position.get((f.set_key, f.objective, f.key_result), counter), f.code))


def _item_keys(okr_set: OKRSet) -> Iterable[tuple[str, str | None, str | None]]:
    yield okr_set.key, None, None
    for objective in okr_set.objectives:
        yield okr_set.key, objective.id, None
        for kr in objective.key_results:
            yield okr_set.key, objective.id, objective.kr_ref(kr)
