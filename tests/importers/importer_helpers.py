"""Small helpers shared by the importer tests: looking up problems and items by what matters."""

from __future__ import annotations

from assistant.findings import ImportResult, InputProblem, ProblemLevel
from assistant.model import KeyResult, Objective, OKRSet


def problems(result: ImportResult, level: ProblemLevel | None = None) -> list[InputProblem]:
    return [p for p in result.problems if level is None or p.level is level]


def errors(result: ImportResult) -> list[InputProblem]:
    return problems(result, ProblemLevel.error)


def warnings(result: ImportResult) -> list[InputProblem]:
    return problems(result, ProblemLevel.warning)


def one_set(result: ImportResult, team: str | None = None) -> OKRSet:
    sets = [s for s in result.sets if team is None or s.team == team]
    assert len(sets) == 1, [s.team for s in result.sets]
    return sets[0]


def objective(okr_set: OKRSet, oid: str) -> Objective:
    return next(o for o in okr_set.objectives if o.id == oid)


def kr(okr_set: OKRSet, ref: str) -> KeyResult:
    oid, kid = ref.split(".")
    return next(k for k in objective(okr_set, oid).key_results if k.id == kid)


def revalidated(okr_set: OKRSet) -> OKRSet:
    """The set validated from its own dump: what full pydantic validation would have built."""
    return OKRSet.model_validate(okr_set.model_dump())
