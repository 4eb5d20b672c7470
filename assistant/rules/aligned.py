"""A — aligned: objectives take on parent KRs, parent KRs are covered, teams don't duplicate, handshakes close.

Batch rules see every set of one run, so a file (or several) holding a company and its
departments is checked as one picture: references resolve, and gaps (漏球) show.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator

from ..model import DependencyStatus, Level, Objective, OKRSet
from . import BatchContext, Hit, KRContext, Scope, rule
from .similarity import could_reach, dice, shingles

LEVEL_RANK = {
    Level.company: 0,
    Level.business_group: 1,
    Level.department: 2,
    Level.team: 3,
    Level.individual: 4,
}
_REF = re.compile(
    r"^\s*(?:(?P<team>[^/:：]+?)\s*[/:：]\s*)?O\s*(?P<o>\d+)\s*[.\-_·、 ]?\s*KR\s*(?P<kr>\d+)\s*$",
    re.IGNORECASE,
)
_STATUS_NAMES = {
    DependencyStatus.questioned: {"zh": "有疑问", "en": "questioned"},
    DependencyStatus.rejected: {"zh": "不认同", "en": "rejected"},
}


def parse_ref(ref: str) -> tuple[str | None, str] | None:
    """``"平台部/O1.KR2"`` → ``("平台部", "O1.KR2")``; ``"o1-kr2"`` → ``(None, "O1.KR2")``; None if unreadable."""
    match = _REF.match(ref)
    if not match:
        return None
    return match.group("team"), f"O{int(match.group('o'))}.KR{int(match.group('kr'))}"


class AlignmentIndex:
    """Sets indexed by team, with each set's parent worked out once per run (shared with the alignment map)."""

    def __init__(self, sets: list[OKRSet]) -> None:
        self.sets = sets
        self.by_team: dict[str, list[OKRSet]] = defaultdict(list)
        for okr_set in sets:
            self.by_team[okr_set.team.casefold()].append(okr_set)
        self.parent = {id(s): self._find_parent(s) for s in sets}
        self._kr_refs: dict[int, set[str]] = {}

    @classmethod
    def of(cls, ctx: BatchContext) -> AlignmentIndex:
        """The index for this run, built once and shared by the batch rules."""
        if "aligned" not in ctx.memo:
            ctx.memo["aligned"] = cls(ctx.sets)
        return ctx.memo["aligned"]

    def team(self, name: str, cycle: str | None = None) -> OKRSet | None:
        candidates = self.by_team.get(name.strip().casefold(), [])
        same_cycle = [s for s in candidates if s.cycle == cycle]
        return (same_cycle or candidates or [None])[0]

    def _find_parent(self, okr_set: OKRSet) -> OKRSet | None:
        if okr_set.parent:
            return self.team(okr_set.parent, okr_set.cycle)
        if okr_set.level is None or okr_set.level is Level.company:
            return None
        # No parent named: take the nearest higher level that has exactly one set in the batch.
        rank = LEVEL_RANK[okr_set.level]
        for level, level_rank in sorted(LEVEL_RANK.items(), key=lambda kv: -kv[1]):
            if level_rank < rank:
                above = [s for s in self.sets if s.level is level]
                if len(above) == 1:
                    return above[0]
                if above:
                    return None
        return None

    def kr_refs(self, okr_set: OKRSet) -> set[str]:
        if id(okr_set) not in self._kr_refs:
            self._kr_refs[id(okr_set)] = {o.kr_ref(kr) for o, kr in okr_set.key_results()}
        return self._kr_refs[id(okr_set)]


def _expects_parent(okr_set: OKRSet, batch: AlignmentIndex) -> bool:
    below_company = okr_set.level is not None and okr_set.level is not Level.company
    return below_company or batch.parent[id(okr_set)] is not None


def resolved_refs(
    okr_set: OKRSet, objective: Objective, batch: AlignmentIndex
) -> Iterator[tuple[str, OKRSet | None, str | None]]:
    """Each reference of an objective as (ref text, target set or None if unknown, normalised KR ref or None)."""
    for ref in objective.aligned_to:
        parsed = parse_ref(ref)
        if parsed is None:
            target = batch.parent[id(okr_set)]
            yield ref, target, None
            continue
        team, kr_ref = parsed
        target = batch.team(team, okr_set.cycle) if team else batch.parent[id(okr_set)]
        yield ref, target, kr_ref


@rule("ALI001", Scope.batch)
def objective_supports_nothing(ctx: BatchContext):
    batch = AlignmentIndex.of(ctx)
    for okr_set in ctx.sets:
        if not _expects_parent(okr_set, batch):
            continue
        for objective in okr_set.objectives:
            if not objective.aligned_to:
                yield Hit({"objective": objective.id}, evidence=objective.text, okr_set=okr_set, objective=objective)


@rule("ALI002", Scope.batch)
def reference_does_not_resolve(ctx: BatchContext):
    batch = AlignmentIndex.of(ctx)
    for okr_set in ctx.sets:
        for objective in okr_set.objectives:
            for ref, target, kr_ref in resolved_refs(okr_set, objective, batch):
                if target is None:
                    continue  # the parent set is not in this run: nothing to check against
                if kr_ref is None or kr_ref not in batch.kr_refs(target):
                    yield Hit(
                        {"objective": objective.id, "ref": ref, "parent": target.key},
                        evidence=ref,
                        okr_set=okr_set,
                        objective=objective,
                    )


@rule("ALI003", Scope.batch)
def parent_kr_unsupported(ctx: BatchContext):
    batch = AlignmentIndex.of(ctx)
    supported: dict[int, set[str]] = defaultdict(set)
    parents: dict[int, OKRSet] = {}
    for okr_set in ctx.sets:
        parent = batch.parent[id(okr_set)]
        if parent is not None:
            parents[id(parent)] = parent
        for objective in okr_set.objectives:
            for _, target, kr_ref in resolved_refs(okr_set, objective, batch):
                if target is not None and kr_ref is not None:
                    parents[id(target)] = target
                    supported[id(target)].add(kr_ref)
    for key, parent in parents.items():
        for objective, kr in parent.key_results():
            ref = objective.kr_ref(kr)
            if ref not in supported[key]:
                yield Hit(
                    {"ref": ref, "parent": parent.key},
                    evidence=kr.text,
                    okr_set=parent,
                    objective=objective,
                    kr=kr,
                )


@rule("ALI004", Scope.batch)
def duplicate_objectives(ctx: BatchContext):
    threshold = ctx.config.threshold("duplicate-similarity")
    # Group objectives by text first: exports repeat the same objective text across teams a lot.
    groups: dict[str, list[tuple[OKRSet, Objective]]] = defaultdict(list)
    for okr_set in ctx.sets:
        for objective in okr_set.objectives:
            groups[objective.text.strip().lower()].append((okr_set, objective))
    texts = list(groups)
    neighbours = similar_pairs([shingles(t) for t in texts], threshold)
    for index, text in enumerate(texts):
        members = groups[text]
        ranked = [(1.0, index), *sorted(((score, other) for other, score in neighbours[index]), reverse=True)]
        for okr_set, objective in members:
            team = okr_set.team.casefold()
            match = next(
                (
                    (score, other_set, other)
                    for score, group in ranked
                    for other_set, other in groups[texts[group]]
                    if other_set.team.casefold() != team
                ),
                None,
            )
            if match is None:
                continue
            score, other_set, other = match
            yield Hit(
                {
                    "objective": objective.id,
                    "other": other.id,
                    "other_set": other_set.key,
                    "similarity": round(score * 100),
                },
                evidence=f"{objective.text} ≈ {other.text}",
                okr_set=okr_set,
                objective=objective,
            )


def similar_pairs(sets: list[frozenset[str]], threshold: float) -> list[list[tuple[int, float]]]:
    """For each shingle set, the others with a Dice coefficient ≥ threshold (an exact similarity join).

    Prefix filtering: with each set's shingles ordered rarest first, two sets that reach the
    threshold must share a shingle within the first ``n - ceil(n·t/(2−t)) + 1`` of either; so only
    pairs meeting in those short, rare prefixes are compared.
    """
    frequency: dict[str, int] = defaultdict(int)
    for grams in sets:
        for gram in grams:
            frequency[gram] += 1
    index: dict[str, list[int]] = defaultdict(list)
    result: list[list[tuple[int, float]]] = [[] for _ in sets]
    ratio = threshold / (2 - threshold)
    for i, grams in enumerate(sets):
        if not grams:
            continue
        ordered = sorted(grams, key=lambda g: (frequency[g], g))
        prefix = ordered[: len(ordered) - math.ceil(len(ordered) * ratio) + 1]
        seen: set[int] = set()
        for gram in prefix:
            for j in index[gram]:
                if j in seen:
                    continue
                seen.add(j)
                other = sets[j]
                if could_reach(len(grams), len(other), threshold):
                    score = dice(grams, other)
                    if score >= threshold:
                        result[i].append((j, score))
                        result[j].append((i, score))
            index[gram].append(i)
    return result


@rule("ALI005", Scope.key_result)
def dependency_without_point(ctx: KRContext) -> Hit | None:
    for dependency in ctx.kr.dependencies:
        if not dependency.point:
            return Hit({"kr": ctx.ref, "team": dependency.team}, evidence=dependency.team)
    return None


@rule("ALI006", Scope.key_result)
def dependency_status_unknown(ctx: KRContext) -> Hit | None:
    for dependency in ctx.kr.dependencies:
        if dependency.status is None:
            return Hit({"kr": ctx.ref, "team": dependency.team}, evidence=dependency.team)
    return None


@rule("ALI007", Scope.key_result)
def dependency_not_agreed(ctx: KRContext) -> Hit | None:
    for dependency in ctx.kr.dependencies:
        if dependency.status in _STATUS_NAMES:
            return Hit(
                {"kr": ctx.ref, "team": dependency.team, "status": _STATUS_NAMES[dependency.status]},
                evidence=f"{dependency.team}: {dependency.point or ''}".strip(": "),
            )
    return None
