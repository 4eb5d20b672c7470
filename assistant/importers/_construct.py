"""Model objects from values the importers have already checked, without validating them again.

A 100,000-row export must import in well under a second, so per-row pydantic validation is out. pydantic's
own ``model_construct`` is no faster here: it inspects the signature of every ``default_factory`` on each
call. These builders set every field explicitly instead, which is what ``model_construct`` would produce.
Callers pass values of the right type (the converters in ``_values`` see to that); tests compare the result
with validated models.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from ..model import Action, CheckIn, Dependency, DependencyStatus, KeyResult, Objective, OKRSet, SourceRef

__all__ = [
    "action",
    "dependency",
    "from_values",
    "key_result",
    "objective",
    "okr_set",
    "rescale_confidence",
    "source",
]

Model = TypeVar("Model", bound=BaseModel)

_new = object.__new__
_set = object.__setattr__
# Every field is given, so the "fields set" are all of them; a model's set is shared by its instances,
# which is safe because assignment only ever adds names already in it.
_FIELDS: dict[type[BaseModel], set[str]] = {
    cls: set(cls.model_fields) for cls in (SourceRef, KeyResult, Objective, OKRSet, Dependency, Action, CheckIn)
}


def from_values(cls: type[Model], values: dict[str, Any]) -> Model:
    """An instance of ``cls`` holding ``values``, which must name every field of the model.

    The one place that builds models without validation: tests compare its results with validated models.
    """
    item = _new(cls)
    _set(item, "__dict__", values)
    _set(item, "__pydantic_fields_set__", _FIELDS[cls])
    _set(item, "__pydantic_extra__", None)
    _set(item, "__pydantic_private__", None)
    return item


def source(file: str, *, line: int | None = None, row: int | None = None, sheet: str | None = None) -> SourceRef:
    """Where an item came from."""
    return from_values(SourceRef, {"file": file, "line": line, "row": row, "sheet": sheet})


def dependency(team: str, point: str | None, status: DependencyStatus | None) -> Dependency:
    """A handshake with another team."""
    return from_values(Dependency, {"team": team, "point": point, "status": status})


def action(text: str, owner: str | None = None, due: date | None = None) -> Action:
    """A task under a key result."""
    return from_values(Action, {"text": text, "owner": owner, "due": due})


def key_result(
    id: str,
    text: str,
    *,
    owner: str | None = None,
    members: list[str] | None = None,
    due: date | None = None,
    confidence: float | None = None,
    baseline: float | None = None,
    target: float | None = None,
    unit: str | None = None,
    progress: float | None = None,
    score: float | None = None,
    dependencies: list[Dependency] | None = None,
    actions: list[Action] | None = None,
    note: str | None = None,
    source: SourceRef | None = None,
    current: float | None = None,
    status: str | None = None,
    updated: date | None = None,
    weight: float | None = None,
    checkin_note: str | None = None,
    history: list[CheckIn] | None = None,
) -> KeyResult:
    """A key result; list fields default to new empty lists."""
    return from_values(
        KeyResult,
        {
            "id": id,
            "text": text,
            "owner": owner,
            "members": [] if members is None else members,
            "due": due,
            "confidence": confidence,
            "baseline": baseline,
            "target": target,
            "unit": unit,
            "progress": progress,
            "score": score,
            "dependencies": [] if dependencies is None else dependencies,
            "actions": [] if actions is None else actions,
            "note": note,
            "source": source,
            "current": current,
            "status": status,
            "updated": updated,
            "weight": weight,
            "checkin_note": checkin_note,
            "history": [] if history is None else history,
        },
    )


def objective(
    id: str,
    text: str,
    *,
    owner: str | None = None,
    confidence: float | None = None,
    aligned_to: list[str] | None = None,
    alignment: Any = None,
    key_results: list[KeyResult] | None = None,
    note: str | None = None,
    source: SourceRef | None = None,
    weight: float | None = None,
) -> Objective:
    """An objective with its key results."""
    return from_values(
        Objective,
        {
            "id": id,
            "text": text,
            "owner": owner,
            "confidence": confidence,
            "aligned_to": [] if aligned_to is None else aligned_to,
            "alignment": alignment,
            "key_results": [] if key_results is None else key_results,
            "note": note,
            "source": source,
            "weight": weight,
        },
    )


def okr_set(
    team: str,
    *,
    level: Any = None,
    cycle: str | None = None,
    cycle_end: date | None = None,
    parent: str | None = None,
    owner: str | None = None,
    objectives: list[Objective] | None = None,
    source: SourceRef | None = None,
) -> OKRSet:
    """The OKRs of one team for one cycle."""
    return from_values(
        OKRSet,
        {
            "team": team,
            "level": level,
            "cycle": cycle,
            "cycle_end": cycle_end,
            "parent": parent,
            "owner": owner,
            "objectives": [] if objectives is None else objectives,
            "source": source,
        },
    )


def rescale_confidence(sets: Iterable[OKRSet], new: Mapping[float, float]) -> None:
    """Replace every confidence read as ``c`` with ``new[c]``: for a file found to be on another scale once read."""
    for item in sets:
        for goal in item.objectives:
            if goal.confidence is not None:
                goal.confidence = new.get(goal.confidence, goal.confidence)
            for kr in goal.key_results:
                if kr.confidence is not None:
                    kr.confidence = new.get(kr.confidence, kr.confidence)
