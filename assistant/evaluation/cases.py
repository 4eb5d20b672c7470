"""Evaluation cases from ``evals/cases/*.jsonl``: one JSON object per line, read with clear errors.

Each file holds one kind of case (rules, rewrite, questions, retrospective, adversarial). A line
that cannot be used becomes a problem naming the file, line and field; the other lines still load.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..importers import load_data
from ..model import OKRSet
from ..rules.catalogue import rules
from ..texts import LANGUAGES

KINDS = ("rules", "rewrite", "questions", "retrospective", "adversarial")
TASKS = ("rules", "rewrite", "questions", "retrospective")  # what an adversarial case attacks
ATTACKS = ("injection", "empty", "huge", "mixed-language")


class CaseFileError(ValueError):
    """A case that cannot be used: ``file:line: field: reason``."""


@dataclass(frozen=True, slots=True)
class Case:
    """One evaluation case: what to run (``task`` and its inputs) and what the output must satisfy."""

    id: str
    kind: str  # the file it came from
    task: str  # rules | rewrite | questions | retrospective
    language: str
    data: Mapping[str, Any]  # the task's fields as written
    sets: tuple[OKRSet, ...] = ()  # rules and retrospective cases, read like an input file
    attack: str | None = None
    where: str = ""  # file:line, for messages
    input_error: str | None = None  # why the sets of an ``expect_error`` case cannot be read: the refusal

    @property
    def expect(self) -> Mapping[str, Any]:
        return self.data.get("expect") or {}

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self.data.get("tags") or ())


@dataclass(slots=True)
class Suite:
    """Every case found, by kind, and the lines that could not be used."""

    cases: list[Case] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def of(self, *tasks: str) -> list[Case]:
        return [c for c in self.cases if c.task in tasks]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for case in self.cases:
            out[case.kind] = out.get(case.kind, 0) + 1
        return out


def _need(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind):
        expected = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise CaseFileError(f"{where}: {name}: expected {expected}, got {type(value).__name__}")
    return value


def _codes(data: Mapping[str, Any], name: str, where: str, known: frozenset[str]) -> None:
    values = data.get(name, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CaseFileError(f"{where}: {name}: expected a list of rule codes")
    unknown = [v for v in values if v not in known]
    if unknown:
        raise CaseFileError(f"{where}: {name}: unknown rule codes {', '.join(unknown)}")


def _read_sets(raw: Any, where: str) -> tuple[OKRSet, ...]:
    result = load_data(raw, where)
    if result.problems:
        raise CaseFileError(f"{where}: sets: {result.problems[0].describe()}")
    if not result.sets:
        raise CaseFileError(f"{where}: sets: no OKR set")
    return tuple(result.sets)


def _repeated(data: dict[str, Any], task: str) -> dict[str, Any]:
    """A "huge" case: the primary text (or the objectives) repeated ``repeat`` times."""
    times = int(data.get("repeat") or 1)
    if times <= 1:
        return data
    data = dict(data)
    if task == "rewrite":
        data["kr"] = " ".join([data.get("kr") or ""] * times)
    elif task == "questions":
        key = "kr" if data.get("kr") else "objective"
        data[key] = " ".join([data.get(key) or ""] * times)
    elif task == "rules":
        data["sets"] = [{**s, "objectives": list(s.get("objectives", [])) * times} for s in data["sets"]]
    elif task == "retrospective":
        okr_set = dict(data["set"])
        okr_set["objectives"] = [
            {**o, "key_results": list(o.get("key_results", [])) * times} for o in okr_set.get("objectives", [])
        ]
        data["set"] = okr_set
    return data


def parse_case(data: Any, kind: str, where: str, known_codes: frozenset[str]) -> Case:
    """One line's object as a Case; raises CaseFileError naming the field at fault."""
    if not isinstance(data, dict):
        raise CaseFileError(f"{where}: expected a JSON object")
    case_id = _need(data, "id", str, where)
    where = f"{where} ({case_id})"
    language = data.get("lang")
    if language not in LANGUAGES:
        raise CaseFileError(f"{where}: lang: expected zh or en, got {language!r}")
    task: str = kind
    attack = None
    if kind == "adversarial":
        named, attack = data.get("task"), data.get("attack")
        if not isinstance(named, str) or named not in TASKS:
            raise CaseFileError(f"{where}: task: expected one of {', '.join(TASKS)}, got {named!r}")
        task = named
        if attack not in ATTACKS:
            raise CaseFileError(f"{where}: attack: expected one of {', '.join(ATTACKS)}, got {attack!r}")
        data = _repeated(data, task)
    sets: tuple[OKRSet, ...] = ()
    input_error: str | None = None
    expect_error = bool(data.get("expect_error"))

    def read(raw: Any) -> tuple[OKRSet, ...]:
        # Sets that cannot be read are a broken case, unless the case expects them refused.
        nonlocal input_error
        try:
            return _read_sets(raw, where)
        except CaseFileError as exc:
            if not expect_error:
                raise
            input_error = str(exc).removeprefix(f"{where}: ")
            return ()

    if task == "rules":
        _need(data, "sets", list, where)
        _codes(data, "must", where, known_codes)
        _codes(data, "must_not", where, known_codes)
        sets = read(data["sets"])
    elif task == "rewrite":
        _need(data, "kr", str, where)
        if not expect_error:
            keep = data.get("keep", [])
            if not isinstance(keep, list) or not all(isinstance(k, str) and k for k in keep):
                raise CaseFileError(f"{where}: keep: expected a list of words")
    elif task == "questions":
        _need(data, "objective", str, where)
        expect = data.get("expect") or {}
        if not isinstance(expect, dict):
            raise CaseFileError(f"{where}: expect: expected an object")
        for group in expect.get("topics", []):
            if not isinstance(group, list) or not group:
                raise CaseFileError(f"{where}: expect.topics: each topic is a non-empty list of words")
    elif task == "retrospective":
        sets = read(_need(data, "set", dict, where))
        checkins = data.get("checkins") or {}
        if not isinstance(checkins, dict):
            raise CaseFileError(f"{where}: checkins: expected an object mapping KR refs to notes")
    for name in ("must_not_contain", "must_contain"):
        value = data.get(name, (data.get("expect") or {}).get(name, []))
        if not isinstance(value, list):
            raise CaseFileError(f"{where}: {name}: expected a list of strings")
    return Case(
        id=case_id,
        kind=kind,
        task=task,
        language=language,
        data=data,
        sets=sets,
        attack=attack,
        where=where,
        input_error=input_error,
    )


def load_suite(folder: Path, *, kinds: Sequence[str] = KINDS) -> Suite:
    """Every ``<kind>.jsonl`` in ``folder``; duplicate ids and unusable lines become problems."""
    suite = Suite()
    known = frozenset(rules())
    seen: dict[str, str] = {}
    for kind in kinds:
        path = folder / f"{kind}.jsonl"
        if not path.is_file():
            suite.problems.append(f"{path}: missing")
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{number}"
            try:
                case = parse_case(json.loads(line), kind, where, known)
            except json.JSONDecodeError as exc:
                suite.problems.append(f"{where}: not JSON ({exc.msg} at column {exc.colno})")
                continue
            except CaseFileError as exc:
                suite.problems.append(str(exc))
                continue
            if case.id in seen:
                suite.problems.append(f"{where}: id {case.id!r} already used at {seen[case.id]}")
                continue
            seen[case.id] = where
            suite.cases.append(case)
    return suite
