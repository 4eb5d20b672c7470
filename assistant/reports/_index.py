"""Where each finding sits: its set, its place in the set's outline, its item's text and source.

Every human-readable format shows findings grouped by set and in the order of
the OKRs themselves (set-level first, then O1, O1.KR1, O1.KR2, O2…), whatever
order the engine produced them in. This module computes that layout once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from ..findings import Finding
from ..model import OKRSet, SourceRef
from ..review import Review


@dataclass(frozen=True, slots=True)
class ItemInfo:
    """What a report may show about the objective or key result a finding points to."""

    text: str
    owner: str | None
    source: SourceRef | None


@dataclass(slots=True)
class SetGroup:
    """One set key (team + cycle) with its sets (usually one) and its findings in outline order."""

    key: str
    sets: list[OKRSet] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def source(self) -> SourceRef | None:
        return next((s.source for s in self.sets if s.source is not None), None)

    def by_objective(self) -> list[tuple[str | None, list[Finding]]]:
        """Findings split by objective id; set-level findings come first under ``None``."""
        groups: dict[str | None, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(objective_of(finding), []).append(finding)
        return list(groups.items())


def objective_of(finding: Finding) -> str | None:
    """The objective a finding belongs to, also when only ``key_result`` ("O1.KR2") is given."""
    if finding.objective:
        return finding.objective
    if finding.key_result and "." in finding.key_result:
        return finding.key_result.split(".", 1)[0]
    return None


class ReviewIndex:
    """Findings grouped by set in outline order, plus item lookups by ``(set key, item id)``."""

    def __init__(self, review: Review) -> None:
        self.review = review
        self._items: dict[tuple[str, str], ItemInfo] = {}
        groups: dict[str, SetGroup] = {}
        order: dict[str, dict[str, int]] = {}
        for okr_set in review.sets:
            group = groups.get(okr_set.key)
            if group is None:
                group = groups[okr_set.key] = SetGroup(okr_set.key)
            group.sets.append(okr_set)
            positions = order.setdefault(okr_set.key, {})
            for objective in okr_set.objectives:
                positions.setdefault(objective.id, len(positions))
                self._items.setdefault(
                    (okr_set.key, objective.id),
                    ItemInfo(objective.text, objective.owner, objective.source or okr_set.source),
                )
                for kr in objective.key_results:
                    ref = objective.kr_ref(kr)
                    positions.setdefault(ref, len(positions))
                    self._items.setdefault(
                        (okr_set.key, ref),
                        ItemInfo(kr.text, kr.owner, kr.source or objective.source or okr_set.source),
                    )
        for finding in review.findings:
            group = groups.get(finding.set_key)
            if group is None:  # a finding about a set that was not read: still shown, at the end
                group = groups[finding.set_key] = SetGroup(finding.set_key)
            group.findings.append(finding)
        for group in groups.values():
            positions = order.get(group.key, {})
            group.findings.sort(key=partial(_position, positions=positions))
        self.groups: list[SetGroup] = list(groups.values())
        self._set_sources = {g.key: g.source for g in self.groups}

    def item(self, set_key: str, item_id: str | None) -> ItemInfo | None:
        """The objective or key result ``item_id`` ("O1", "O1.KR2") of a set, if it was read."""
        if item_id is None:
            return None
        return self._items.get((set_key, item_id))

    def item_of(self, finding: Finding) -> ItemInfo | None:
        """The item a finding is about (``None`` for set-level findings)."""
        if finding.key_result or finding.objective:
            return self.item(finding.set_key, finding.key_result or finding.objective)
        return None

    def source(self, finding: Finding) -> SourceRef | None:
        """The finding's own source, else its item's, else its set's."""
        if finding.source is not None:
            return finding.source
        info = self.item_of(finding)
        if info is not None and info.source is not None:
            return info.source
        return self._set_sources.get(finding.set_key)

    def location(self, finding: Finding) -> str:
        """``file:row 3``, ``file:12`` or the set key when the source is unknown."""
        source = self.source(finding)
        return source.describe() if source is not None else finding.set_key


def _position(finding: Finding, positions: dict[str, int]) -> float:
    item = finding.key_result or finding.objective
    if item is None:
        return -1
    if item in positions:
        return positions[item]
    objective = objective_of(finding)
    if objective in positions:
        return positions[objective] + 0.5
    return len(positions)
