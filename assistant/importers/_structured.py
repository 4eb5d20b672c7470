"""JSON and YAML documents in the model's own schema: one set, a list of sets, or ``{"sets": [...]}``.

The whole document is validated with the pydantic models in one go. When that fails, each set, objective
and key result is validated on its own, so one bad field costs only that field (reset to its default) and
an item without a required field (``team``, ``text``) costs only that item. Every problem names the
dotted path of the field (``sets[0].objectives[1].key_results[2].confidence``) and, for YAML, its line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..findings import ImportResult, InputProblem, ProblemLevel
from ..model import KeyResult, Objective, OKRSet, SourceRef
from ._ids import assign_ids, kr_label, objective_label

__all__ = ["load_document", "load_json", "load_yaml", "looks_structured"]

_YamlBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_YamlBase):  # type: ignore[misc, valid-type]
    """A safe YAML loader that remembers the line each mapping starts on."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.lines: dict[int, int] = {}


def _construct_map(loader: _LineLoader, node: yaml.MappingNode) -> Any:
    data: dict[Any, Any] = {}
    loader.lines[id(data)] = node.start_mark.line + 1
    yield data
    data.update(loader.construct_mapping(node))


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)

_TOP_KEYS = ("team", "sets", "objectives")


def looks_structured(data: Any) -> bool:
    """Whether parsed YAML is an OKR document rather than an outline that happens to parse as YAML."""
    if isinstance(data, dict):
        return any(key in data for key in _TOP_KEYS)
    if isinstance(data, list):
        return bool(data) and all(isinstance(item, dict) and "team" in item for item in data)
    return False


def load_json(text: str, file: str) -> ImportResult:
    """Read a JSON document; a syntax error is one problem with its line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return ImportResult(problems=[InputProblem(file=file, line=exc.lineno, reason=f"invalid JSON: {exc.msg}")])
    return load_document(data, file)


def parse_yaml(text: str) -> tuple[Any, dict[int, int]]:
    """The YAML document and the line of each mapping in it (keyed by ``id``); raises ``yaml.YAMLError``."""
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.lines
    finally:
        loader.dispose()


def load_yaml(text: str, file: str) -> ImportResult:
    """Read a YAML document; a syntax error is one problem with its line."""
    try:
        data, lines = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return ImportResult(
            problems=[
                InputProblem(file=file, line=mark.line + 1 if mark else None, reason=f"invalid YAML: {problem}")
            ]
        )
    return load_document(data, file, lines)


@dataclass(slots=True)
class _Context:
    file: str
    lines: dict[int, int]
    problems: list[InputProblem] = field(default_factory=list)

    def line(self, item: Any) -> int | None:
        return self.lines.get(id(item))

    def report(self, path: str, reason: str, line: int | None, level: ProblemLevel = ProblemLevel.error) -> None:
        self.problems.append(InputProblem(file=self.file, field=path or None, line=line, reason=reason, level=level))

    def source(self, item: Any) -> SourceRef:
        return SourceRef(file=self.file, line=self.line(item))


def _join(base: str, *loc: Any) -> str:
    path = base
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path


def load_document(data: Any, file: str, lines: dict[int, int] | None = None) -> ImportResult:
    """Sets from a parsed document, with a problem for everything that had to be dropped."""
    ctx = _Context(file, lines or {})
    result = ImportResult(problems=ctx.problems)
    if data is None:
        ctx.report("", "empty file", None)
        return result
    if isinstance(data, dict) and "sets" in data:
        items, base = data["sets"], "sets"
        for key in data:
            if key != "sets":
                ctx.report(str(key), f"unknown top-level key {key!r} ignored", ctx.line(data), ProblemLevel.warning)
        if not isinstance(items, list):
            ctx.report("sets", "'sets' must be a list of OKR sets", ctx.line(data))
            return result
        paths = [f"sets[{i}]" for i in range(len(items))]
    elif isinstance(data, dict):
        items, paths = [data], [""]
    elif isinstance(data, list):
        items, base = data, ""
        paths = [f"[{i}]" for i in range(len(items))]
    else:
        ctx.report("", "expected an OKR set, a list of sets or {\"sets\": [...]} (see 'okr-review schema')", None)
        return result
    for item, path in zip(items, paths, strict=True):
        okr_set = _read_set(item, path, ctx)
        if okr_set is not None:
            result.sets.append(okr_set)
    return result


def _message(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] not in ("missing", "extra_forbidden") and isinstance(value, str | int | float) and value != "":
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "...'"
        if shown not in message:
            message += f" (got {shown})"
    return message


def _validate(cls: type[BaseModel], data: dict[str, Any], base: str, line: int | None, ctx: _Context) -> Any:
    """``cls`` from ``data``, dropping what does not validate: a field, a list element, or the whole item."""
    what = {OKRSet: "set", Objective: "objective", KeyResult: "key result"}.get(cls, "item")
    for _ in range(len(data) + 1):
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            drops: dict[str, set[int]] = {}
            for error in exc.errors():
                loc = error["loc"]
                path = _join(base, *loc)
                top = str(loc[0]) if loc else ""
                if not loc or top not in data and error["type"] != "missing":
                    ctx.report(path, _message(error), line)
                    return None
                if error["type"] == "extra_forbidden" and len(loc) == 1:
                    ctx.report(path, f"unknown field {top!r} ignored", line, ProblemLevel.warning)
                    data.pop(top, None)
                elif len(loc) == 1 and cls.model_fields[top].is_required():
                    reason = "required field missing" if error["type"] == "missing" else _message(error)
                    ctx.report(path, f"{reason}; {what} skipped", line)
                    return None
                elif len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(top), list):
                    ctx.report(path, f"{_message(error)}; list item dropped", line)
                    drops.setdefault(top, set()).add(loc[1])
                else:
                    ctx.report(path, f"{_message(error)}; field ignored", line)
                    data.pop(top, None)
            for top, indexes in drops.items():
                data[top] = [item for index, item in enumerate(data[top]) if index not in indexes]
    return None


def _list(data: dict[str, Any], key: str, base: str, line: int | None, ctx: _Context) -> list[Any]:
    value = data.pop(key, None)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.report(_join(base, key), f"'{key}' must be a list; ignored", line)
        return []
    return value


def _ids(
    items: list[tuple[str, dict[str, Any]]], parse: Any, prefix: str, where: str, ctx: _Context
) -> None:
    """Set each item's ``id``: its own label normalised, else its position; all positional on a repeat."""
    labels = []
    for path, item in items:
        given = item.get("id")
        label = parse(given) if given not in (None, "") else None
        if given not in (None, "") and label is None:
            ctx.report(_join(path, "id"), f"id {given!r} not understood (expected e.g. {prefix}1); "
                       "numbered by position", ctx.line(item), ProblemLevel.warning)  # fmt: skip
        labels.append(label)
    ids, repeated = assign_ids(labels, prefix)
    if repeated:
        first = items[0][1]
        ctx.report(_join(items[0][0], "id"), f"id {', '.join(repeated)} used more than once in {where}; "
                   "numbered by position", ctx.line(first), ProblemLevel.warning)  # fmt: skip
    for (_, item), new_id in zip(items, ids, strict=True):
        item["id"] = new_id


def _read_set(raw: Any, base: str, ctx: _Context) -> OKRSet | None:
    line = ctx.line(raw)
    if not isinstance(raw, dict):
        ctx.report(base, "expected a mapping (an OKR set); skipped", line)
        return None
    data = dict(raw)
    data["source"] = ctx.source(raw)
    objectives: list[tuple[str, dict[str, Any]]] = []
    for index, item in enumerate(_list(data, "objectives", base, line, ctx)):
        path = _join(base, "objectives", index)
        if not isinstance(item, dict):
            ctx.report(path, "expected a mapping (an objective); skipped", line)
            continue
        objective = dict(item)
        objective["source"] = ctx.source(item)
        key_results: list[tuple[str, dict[str, Any]]] = []
        for kr_index, kr in enumerate(_list(objective, "key_results", path, ctx.line(item), ctx)):
            kr_path = _join(path, "key_results", kr_index)
            if not isinstance(kr, dict):
                ctx.report(kr_path, "expected a mapping (a key result); skipped", ctx.line(item))
                continue
            key_results.append((kr_path, {**kr, "source": ctx.source(kr)}))
        if key_results:
            _ids(key_results, kr_label, "KR", f"objective {path or 'objective'}", ctx)
        objective["key_results"] = key_results
        objectives.append((path, objective))
    if objectives:
        _ids(objectives, objective_label, "O", f"set {base or data.get('team', '')}".strip(), ctx)

    # Fast path: the whole set is valid.
    whole = {
        **data,
        "objectives": [
            {**objective, "key_results": [kr for _, kr in objective["key_results"]]} for _, objective in objectives
        ],
    }
    try:
        return OKRSet.model_validate(whole)
    except ValidationError:
        pass

    okr_set = _validate(OKRSet, data, base, line, ctx)
    if okr_set is None:
        return None
    for path, objective in objectives:
        key_results = objective.pop("key_results")
        built = _validate(Objective, objective, path, objective["source"].line, ctx)
        if built is None:
            continue
        built.key_results = [
            kr
            for kr_path, kr_data in key_results
            if (kr := _validate(KeyResult, kr_data, kr_path, kr_data["source"].line, ctx)) is not None
        ]
        okr_set.objectives.append(built)
    return okr_set
