"""A — aligned: objectives take on parent KRs, parent KRs are covered, teams don't duplicate, handshakes close.

Batch rules see every set of one run, so a file (or several) holding a company and its
departments is checked as one picture: references resolve, and gaps (漏球) show.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import Any

from ..model import DependencyStatus, Level, Objective, OKRSet
from ..shipped import data_table
from .catalogue import LANGUAGES
from .registry import BatchContext, Hit, KRContext, Scope, rule
from .similarity import dice, shingles, similar_groups

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
        return (same_cycle or candidates)[0] if candidates else None

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
    """Near-duplicate objectives of different teams: two read as a pair (both hear), more as one group finding."""
    config = ctx.config
    texts = objectives_by_text(ctx.sets)
    nodes, node_texts = shingle_nodes(texts)
    found = similar_groups(
        nodes,
        config.threshold("duplicate-similarity"),
        per_set=int(config.threshold("duplicate-max-candidates")),
        work=int(config.threshold("duplicate-max-work")),
    )
    max_names = int(config.threshold("duplicate-max-names"))
    scores: dict[int, list[float]] = defaultdict(list)
    for i, _, score in found.links:
        scores[found.root(i)].append(score)
    groups: dict[int, list[int]] = defaultdict(list)
    for node in range(len(nodes)):
        groups[found.root(node)].append(node)
    for root, group in groups.items():
        members = [member for node in group for text in node_texts[node] for member in texts[text]]
        if len(members) < 2 or len({okr_set.team.casefold() for okr_set, _ in members}) < 2:
            continue
        if len(members) == 2:
            yield from _pair_hits(members, nodes, group)
        else:
            identical = len(members) > len(group)  # some node holds two objectives: a 100% match
            yield _group_hit(members, [*scores[root], *([1.0] if identical else [])], max_names)


def objectives_by_text(sets: list[OKRSet]) -> dict[str, list[tuple[OKRSet, Objective]]]:
    """Objectives under their trimmed, lower-cased text, in input order: exports repeat one text across teams a lot."""
    texts: dict[str, list[tuple[OKRSet, Objective]]] = defaultdict(list)
    for okr_set in sets:
        for objective in okr_set.objectives:
            texts[objective.text.strip().lower()].append((okr_set, objective))
    return texts


def shingle_nodes(texts: Iterable[str]) -> tuple[list[frozenset[str]], list[list[str]]]:
    """Distinct shingle sets (texts differing only in spacing or punctuation share one) and the texts of each."""
    nodes: list[frozenset[str]] = []
    node_texts: list[list[str]] = []
    where: dict[object, int] = {}
    pool: dict[str, str] = {}  # one copy of each shingle: thousands of near-copies share most of theirs
    for text in texts:
        grams = frozenset([pool.setdefault(gram, gram) for gram in shingles(text)])
        key = grams or ("", text)  # no shingles: only the same text is the same objective
        if key not in where:
            where[key] = len(nodes)
            nodes.append(grams)
            node_texts.append([])
        node_texts[where[key]].append(text)
    return nodes, node_texts


def _pair_hits(members: list[tuple[OKRSet, Objective]], nodes: list[frozenset[str]], group: list[int]) -> Iterator[Hit]:
    """Two objectives of two teams: each names the other, as a pair."""
    score = 1.0 if len(group) == 1 else dice(nodes[group[0]], nodes[group[1]])
    for (okr_set, objective), (other_set, other) in (members, members[::-1]):
        values = {"other": other.id, "other_set": other_set.key}
        yield Hit(
            {
                "objective": objective.id,
                "other": other.id,
                "other_set": other_set.key,
                "similarity": round(score * 100),
                **_pieces("pair", {lang: values for lang in LANGUAGES}),
            },
            evidence=f"{objective.text} ≈ {other.text}",
            okr_set=okr_set,
            objective=objective,
        )


def _group_hit(members: list[tuple[OKRSet, Objective]], scores: list[float], max_names: int) -> Hit:
    """Three or more near-duplicates across teams: one finding on the first, listing the others (capped)."""
    okr_set, objective = members[0]
    team = okr_set.team.casefold()
    others = ((s, o) for s, o in members if s.team.casefold() != team)
    listed = list(islice(others, max_names))
    more = next(others, None) is not None
    teams = len({s.team.casefold() for s, _ in members}) - 1
    low, high = round(min(scores) * 100), round(max(scores) * 100)
    table = _texts()
    values = {}
    for lang in LANGUAGES:
        names = table["separator"][lang].join(table["name"][lang].format(set=s.key, objective=o.id) for s, o in listed)
        values[lang] = {"count": teams, "names": names + (table["more"][lang] if more else ""), "teams": teams + 1}
    evidence = " ≈ ".join(dict.fromkeys([objective.text, *(o.text for _, o in listed)]))
    return Hit(
        {
            "objective": objective.id,
            "similarity": str(high) if low == high else f"{low}–{high}",
            **_pieces("group", values),
        },
        evidence=evidence,
        okr_set=okr_set,
        objective=objective,
    )


def _texts() -> Mapping[str, Any]:
    return data_table("rules")["rules"]["ALI004"]


def _pieces(reading: str, values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, str]]:
    """The message pieces of a pair or group reading (rules.toml), filled in for each language."""
    return {
        key: {lang: text.format_map(values[lang]) for lang, text in piece.items()}
        for key, piece in _texts()[reading].items()
    }


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
