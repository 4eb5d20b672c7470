"""JSON and YAML documents in the model's own schema: one set, a list of sets, or ``{"sets": [...]}``.

The whole document is validated with the pydantic models in one go. When that fails, each set, objective
and key result is validated on its own, so one bad field costs only that field (reset to its default) and
an item without a required field (``team``, ``text``) costs only that item. Every problem names the
dotted path of the field (``sets[0].objectives[1].key_results[2].confidence``) and, for YAML, its line.
"""

from __future__ import annotations

import json
import re
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..findings import ImportResult, InputProblem, ProblemLevel
from ..model import KeyResult, Objective, OKRSet, SourceRef
from . import _values as values
from ._ids import assign_ids, kr_label, objective_label
from ._limits import LimitExceeded, Limits, check_counts, default_limits
from .messages import Message, message, problem

__all__ = ["check_json_depth", "load_document", "load_json", "load_yaml", "looks_structured", "parse_json"]

_YamlBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _line_of(event: yaml.Event) -> int | None:
    """The 1-based line an event starts on, when the parser gave one."""
    return event.start_mark.line + 1 if event.start_mark is not None else None


class _LineLoader(_YamlBase):
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


def _set_like(data: Any) -> bool:
    """A mapping with a team or a list of objectives, and no key the set schema lacks."""
    if not isinstance(data, dict) or not ("team" in data or isinstance(data.get("objectives"), list)):
        return False
    return all(isinstance(key, str) and key in OKRSet.model_fields for key in data)


def looks_structured(data: Any) -> bool:
    """Whether parsed YAML is an OKR document rather than an outline that happens to parse as YAML.

    Pasted text is read as a document only when its shape is unmistakable; an outline such as
    ``team: 增长部`` over ``O1: …`` lines also parses as YAML, and must stay an outline.
    """
    if isinstance(data, dict):
        return isinstance(data.get("sets"), list) or _set_like(data)
    if isinstance(data, list):
        return bool(data) and all(_set_like(item) for item in data)
    return False


# A JSON string (brackets inside it do not nest) or a bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def check_json_depth(text: str, limit: int) -> None:
    """Raise ``LimitExceeded`` when JSON text nests deeper than ``limit``, before the parser recurses into it."""
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                raise LimitExceeded("depth", limit, message("IMP113", limit=limit), line=line)
        elif token in "]}":
            depth -= 1


def parse_json(text: str, limits: Limits | None = None) -> Any:
    """The JSON document, its depth checked first; raises ``json.JSONDecodeError`` or ``LimitExceeded``."""
    check_json_depth(text, (limits or default_limits()).depth)
    return json.loads(text)


def load_json(text: str, file: str, limits: Limits | None = None) -> ImportResult:
    """Read a JSON document; a syntax error is one problem with its line."""
    try:
        data = parse_json(text, limits)
    except json.JSONDecodeError as exc:
        return ImportResult(problems=[problem(message("IMP080", detail=exc.msg), file, line=exc.lineno)])
    return load_document(data, file, limits=limits)


def check_yaml_events(text: str, limits: Limits) -> None:
    """Raise ``LimitExceeded`` for YAML nested too deeply or whose aliases would add too many nodes.

    Runs over the parser's flat event stream (no recursion, nothing built), so a depth that would crash the
    composer or an alias bomb that would expand to billions of nodes is refused before either happens.
    Syntax errors are left to the loader, which reports them with their line.
    """
    sizes: dict[str, int] = {}  # anchor → nodes of its finished subtree, aliases expanded
    stack: list[list[Any]] = [[None, 0]]  # [anchor, nodes so far] per open collection
    written = added = 0
    try:
        for event in yaml.parse(text, Loader=_YamlBase):
            if isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
                written += 1
                if len(stack) - 1 > limits.depth:
                    reason = message("IMP114", limit=limits.depth)
                    raise LimitExceeded("depth", limits.depth, reason, line=_line_of(event))
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                written += 1
                stack[-1][1] += 1
                if event.anchor is not None:
                    sizes[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                size = sizes.get(event.anchor) if event.anchor is not None else None
                line = _line_of(event)
                if size is None and any(anchor == event.anchor for anchor, _ in stack):
                    raise LimitExceeded("alias-nodes", limits.alias_nodes, message("IMP115"), line=line)
                added += size or 0
                stack[-1][1] += size or 0
                if added > limits.alias_nodes:
                    reason = message("IMP116", count=written)
                    raise LimitExceeded("alias-nodes", limits.alias_nodes, reason, line=line)
    except yaml.YAMLError:
        return


def parse_yaml(text: str, limits: Limits | None = None) -> tuple[Any, dict[int, int]]:
    """The YAML document and the line of each mapping in it (keyed by ``id``); raises ``yaml.YAMLError``."""
    check_yaml_events(text, limits or default_limits())
    loader = _LineLoader(text)
    try:
        return loader.get_single_data(), loader.lines
    finally:
        loader.dispose()


def load_yaml(text: str, file: str, limits: Limits | None = None) -> ImportResult:
    """Read a YAML document; a syntax error is one problem with its line."""
    try:
        data, lines = parse_yaml(text, limits)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = message("IMP081", detail=getattr(exc, "problem", None) or str(exc))
        return ImportResult(problems=[problem(reason, file, line=mark.line + 1 if mark else None)])
    return load_document(data, file, lines, limits=limits)


@dataclass(slots=True)
class _Context:
    file: str
    lines: dict[int, int]
    problems: list[InputProblem] = field(default_factory=list)

    def line(self, item: Any) -> int | None:
        return self.lines.get(id(item))

    def report(self, path: str, reason: Message, line: int | None, level: ProblemLevel = ProblemLevel.error) -> None:
        self.problems.append(problem(reason, self.file, field=path or None, line=line, level=level))

    def fresh(self) -> _Context:
        """A context for the same file with a problem list of its own."""
        return _Context(self.file, self.lines)

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


def load_document(
    data: Any, file: str, lines: dict[int, int] | None = None, *, limits: Limits | None = None
) -> ImportResult:
    """Sets from a parsed document, with a problem for everything that had to be dropped."""
    ctx = _Context(file, lines or {})
    result = ImportResult(problems=ctx.problems)
    if data is None:
        ctx.report("", message("IMP001"), None)
        return result
    if isinstance(data, dict) and "sets" in data:
        items = data["sets"]
        for key in data:
            if key != "sets":
                ctx.report(str(key), message("IMP082", key=key), ctx.line(data), ProblemLevel.warning)
        if not isinstance(items, list):
            ctx.report("sets", message("IMP083"), ctx.line(data))
            return result
        paths = [f"sets[{i}]" for i in range(len(items))]
    elif isinstance(data, dict):
        items, paths = [data], [""]
    elif isinstance(data, list):
        items = data  # a bare list of sets: paths read as in {"sets": [...]}
        paths = [f"sets[{i}]" for i in range(len(items))]
    else:
        ctx.report("", message("IMP084"), None)
        return result
    # Each set keeps its own problems, so they stay in document order though all sets are prepared first.
    prepared = []
    for item, path in zip(items, paths, strict=True):
        own = ctx.fresh()
        prepared.append((_prepare(item, path, own), path, own))
    entries = [entry for found, _, _ in prepared if found for entry in found[1]]
    check_counts(len(entries), sum(len(entry.children) for entry in entries), limits or default_limits())
    notice = _confidence_scale([entry for found, _, _ in prepared if found for entry in found[1]], ctx)
    for found, path, own in prepared:
        okr_set = _read_set(*found, path, own) if found else None
        ctx.problems.extend(own.problems)
        if okr_set is not None:
            result.sets.append(okr_set)
    ctx.problems.extend(notice)
    return result


def _confidence_scale(entries: list[_Entry], ctx: _Context) -> list[InputProblem]:
    """Read the document's confidences on the one scale they share: 1–10 values are rewritten as percentages."""
    items = [item.data for entry in entries for item in (entry, *entry.children)]
    reading = values.confidence_scale(item.get("confidence") for item in items)
    if reading.scale is values.ConfidenceScale.ten:
        for item in items:
            with suppress(ValueError):  # a value that does not read is left for validation to report
                if item.get("confidence") is not None:
                    item["confidence"] = values.confidence(item["confidence"], reading.scale)
    return values.scale_problems(reading, ctx.file)


# Validation error types whose Chinese wording says what was expected; the detail stays pydantic's own.
_ERROR_CODES = {
    "string_type": "IMP150",
    "float_parsing": "IMP151",
    "float_type": "IMP151",
    "int_parsing": "IMP151",
    "int_type": "IMP151",
    "int_from_float": "IMP151",
    "list_type": "IMP152",
    "enum": "IMP153",
    "literal_error": "IMP153",
    "date_parsing": "IMP154",
    "date_type": "IMP154",
    "date_from_datetime_parsing": "IMP154",
    "bool_parsing": "IMP155",
    "bool_type": "IMP155",
    "dict_type": "IMP156",
    "model_type": "IMP156",
    "model_attributes_type": "IMP156",
    "string_too_long": "IMP157",
}


def _message(error: Any) -> Message:
    text = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] not in ("missing", "extra_forbidden") and isinstance(value, str | int | float) and value != "":
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "...'"
        if shown not in text:
            text += f" (got {shown})"
    return message(_ERROR_CODES.get(error["type"], "IMP085"), detail=text)


def _validate(cls: type[BaseModel], data: dict[str, Any], base: str, line: int | None, ctx: _Context) -> Any:
    """``cls`` from ``data``, dropping what does not validate: a field, a list element, or the whole item."""
    what = message(
        {OKRSet: "what-set", Objective: "what-objective", KeyResult: "what-key_result"}.get(cls, "what-item")
    )
    for _ in range(len(data) + 1):
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            drops: dict[str, set[int]] = {}
            for error in exc.errors():
                loc = error["loc"]
                path = _join(base, *loc)
                top = str(loc[0]) if loc else ""
                if not loc or (top not in data and error["type"] != "missing"):
                    ctx.report(path, _message(error), line)
                    return None
                if error["type"] == "extra_forbidden" and len(loc) == 1:
                    ctx.report(path, message("IMP086", name=top), line, ProblemLevel.warning)
                    data.pop(top, None)
                elif len(loc) == 1 and cls.model_fields[top].is_required():
                    reason = message("IMP088") if error["type"] == "missing" else _message(error)
                    ctx.report(path, message("IMP087", detail=reason, what=what), line)
                    return None
                elif len(loc) >= 2 and isinstance(loc[1], int) and isinstance(data.get(top), list):
                    ctx.report(path, message("IMP089", detail=_message(error)), line)
                    drops.setdefault(top, set()).add(loc[1])
                else:
                    ctx.report(path, message("IMP090", detail=_message(error)), line)
                    data.pop(top, None)
            for top, indexes in drops.items():
                data[top] = [item for index, item in enumerate(data[top]) if index not in indexes]
    return None


def _list(data: dict[str, Any], key: str, base: str, line: int | None, ctx: _Context) -> list[Any]:
    value = data.pop(key, None)
    if value is None:
        return []
    if not isinstance(value, list):
        ctx.report(_join(base, key), message("IMP091", key=key), line)
        return []
    return value


def _label(item: dict[str, Any], parse: Any, prefix: str, path: str, line: int | None, ctx: _Context) -> str | None:
    """The item's own id normalised (``O3``), or None; the ``id`` key is blanked until ids are assigned."""
    given = item.get("id")
    item["id"] = ""
    if given in (None, ""):
        return None
    label = parse(given)
    if label is None:
        ctx.report(
            _join(path, "id"),
            message("IMP092", text=given, prefix=prefix),
            line,
            ProblemLevel.warning,
        )
    return label


def _assign(items: list[tuple[Any, str | None]], prefix: str, path: str, line: int | None, ctx: _Context) -> None:
    """Give each kept item its own label, else its position; all positional when an id repeats."""
    ids, repeated = assign_ids([label for _, label in items], prefix)
    if repeated:
        ctx.report(path, message("IMP093", ids=", ".join(repeated)), line, ProblemLevel.warning)
    for (item, _), new_id in zip(items, ids, strict=True):
        item.id = new_id


@dataclass(slots=True)
class _Entry:
    """One objective or key result of the document, prepared for validation."""

    path: str
    line: int | None
    data: dict[str, Any]
    label: str | None
    children: list[_Entry] = field(default_factory=list)


def _prepare(raw: Any, base: str, ctx: _Context) -> tuple[dict[str, Any], list[_Entry], int | None] | None:
    """A set's own fields and its objectives and key results, copied for validation; None if it is no mapping."""
    line = ctx.line(raw)
    if not isinstance(raw, dict):
        ctx.report(base, message("IMP094"), line)
        return None
    data = dict(raw)
    data["source"] = ctx.source(raw)
    entries: list[_Entry] = []
    for index, item in enumerate(_list(data, "objectives", base, line, ctx)):
        path = _join(base, "objectives", index)
        if not isinstance(item, dict):
            ctx.report(path, message("IMP095"), line)
            continue
        item_line = ctx.line(item)
        objective = {**item, "source": ctx.source(item)}
        entry = _Entry(path, item_line, objective, _label(objective, objective_label, "O", path, item_line, ctx))
        for kr_index, kr in enumerate(_list(objective, "key_results", path, item_line, ctx)):
            kr_path = _join(path, "key_results", kr_index)
            if not isinstance(kr, dict):
                ctx.report(kr_path, message("IMP096"), item_line)
                continue
            kr_line = ctx.line(kr)
            kr_data = {**kr, "source": ctx.source(kr)}
            entry.children.append(
                _Entry(kr_path, kr_line, kr_data, _label(kr_data, kr_label, "KR", kr_path, kr_line, ctx))
            )
        entries.append(entry)
    return data, entries, line


def _read_set(data: dict[str, Any], entries: list[_Entry], line: int | None, base: str, ctx: _Context) -> OKRSet | None:
    kept: list[tuple[Any, _Entry, list[tuple[Any, _Entry]]]] = []
    whole = {**data, "objectives": [{**e.data, "key_results": [k.data for k in e.children]} for e in entries]}
    try:  # fast path: the whole set is valid
        okr_set = OKRSet.model_validate(whole)
    except ValidationError:
        okr_set = None
    if okr_set is not None:
        for objective, entry in zip(okr_set.objectives, entries, strict=True):
            kept.append((objective, entry, list(zip(objective.key_results, entry.children, strict=True))))
    else:
        okr_set = _validate(OKRSet, data, base, line, ctx)
        if okr_set is None:
            return None
        for entry in entries:
            objective = _validate(Objective, entry.data, entry.path, entry.line, ctx)
            if objective is None:
                continue
            krs = [
                (kr, child)
                for child in entry.children
                if (kr := _validate(KeyResult, child.data, child.path, child.line, ctx)) is not None
            ]
            objective.key_results = [kr for kr, _ in krs]
            okr_set.objectives.append(objective)
            kept.append((objective, entry, krs))

    _assign([(objective, entry.label) for objective, entry, _ in kept], "O", _join(base, "objectives"), line, ctx)
    for _, entry, krs in kept:
        _assign([(kr, child.label) for kr, child in krs], "KR", _join(entry.path, "key_results"), entry.line, ctx)
    return okr_set
