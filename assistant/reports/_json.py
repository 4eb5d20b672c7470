"""JSON report: stable, versioned (``okr-review/report`` v1, see docs/report.schema.json), fast.

Layout: the document is indented by two spaces down to the level of records;
each record (a set, a finding, an input problem, a per-set summary row) is one
compact line. That keeps the file readable and ``grep``-able, and lets records
be encoded by hand: ``json.dumps(indent=2)`` falls back to the pure-Python
encoder and costs about 20 µs per finding, far over the budget of 10 µs per KR.

Findings are encoded field by field with a per-render cache of encoded strings
(codes, messages, set keys repeat a lot); the result parses to exactly
``Finding.to_dict()``, which the tests check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from json.encoder import encode_basestring
from typing import Any

from ..findings import Finding
from ..model import OKRSet, SourceRef
from ..review import DIMENSION_ORDER, REPORT_SCHEMA, REPORT_SCHEMA_VERSION, SEVERITY_ORDER, Review, Summary
from ._labels import language_of

TOOL_NAME = "okr-review"
_INDENT = "  "
_compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode


class _Strings(dict):
    """Encoded JSON string literals by value; ``None`` encodes as ``null``."""

    def __init__(self) -> None:
        super().__init__()
        self[None] = "null"

    def __missing__(self, key: str) -> str:
        encoded = self[key] = encode_basestring(key)
        return encoded


class _Writer:
    """Collects the document as string pieces and joins them once: big reports are tens of MB,
    and every intermediate join would copy all of it again."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def array(self, records: Iterable[str], level: int) -> None:
        """A JSON array with one pre-encoded record per line."""
        parts = self.parts
        pad = "\n" + _INDENT * (level + 1)
        mark = len(parts)
        for record in records:
            parts.append(pad)
            parts.append(record)
            parts.append(",")
        if len(parts) == mark:
            parts.append("[]")
            return
        parts[-1] = "\n" + _INDENT * level + "]"
        parts.insert(mark, "[")

    def value(self, encoded: str) -> None:
        self.parts.append(encoded)

    def key(self, name: str, level: int, first: bool) -> None:
        self.parts.append(("\n" if first else ",\n") + _INDENT * level + encode_basestring(name) + ": ")

    def text(self) -> str:
        return "".join(self.parts)


def _source(source: SourceRef, s: _Strings) -> str:
    """Same content as ``source.model_dump(exclude_none=True)``, without pydantic in the loop."""
    line, row, sheet = source.line, source.row, source.sheet
    if line is None and sheet is None:  # the common cases: a CSV row, or a file alone
        if row is None:
            return f'{{"file": {s[source.file]}}}'
        return f'{{"file": {s[source.file]}, "row": {row}}}'
    parts = [f'"file": {s[source.file]}']
    if line is not None:
        parts.append(f'"line": {line}')
    if row is not None:
        parts.append(f'"row": {row}')
    if sheet is not None:
        parts.append(f'"sheet": {s[sheet]}')
    return "{" + ", ".join(parts) + "}"


class _Spans(dict):
    """Encoded ``span`` values by span; the same few offsets recur across findings."""

    def __init__(self) -> None:
        super().__init__()
        self[None] = "null"
        self[()] = "null"

    def __missing__(self, span: tuple[int, ...]) -> str:
        encoded = self[span] = _compact(list(span))
        return encoded


def _findings(findings: list[Finding]) -> list[str]:
    """One encoded line per finding, equal once parsed to ``Finding.to_dict()``."""
    s = _Strings()
    spans = _Spans()
    sources: dict[int, str] = {}
    lines = []
    append = lines.append
    for f in findings:
        src = f.source
        if src is None:
            source = "null"
        else:
            source = sources.get(id(src))
            if source is None:
                source = sources[id(src)] = _source(src, s)
        try:
            span = spans[f.span]
        except TypeError:  # a list instead of a tuple
            span = _compact(list(f.span))
        append(
            f'{{"code": {s[f.code]}, "dimension": {s[f.dimension]}, "severity": {s[f.severity]}, '
            f'"set": {s[f.set_key]}, "objective": {s[f.objective]}, "key_result": {s[f.key_result]}, '
            f'"evidence": {s[f.evidence]}, "span": {span}, "message": {s[f.message]}, '
            f'"fix": {s[f.fix]}, "note": {s[f.note]}, "source": {source}}}'
        )
    return lines


def _set(okr_set: OKRSet, s: _Strings) -> str:
    """One set with its outline: objective and key result ids and texts."""
    enc = encode_basestring
    objectives = []
    for objective in okr_set.objectives:
        # texts are unique: encoding them directly beats caching them
        krs = ", ".join(f'{{"id": {s[kr.id]}, "text": {enc(kr.text)}}}' for kr in objective.key_results)
        objectives.append(f'{{"id": {s[objective.id]}, "text": {enc(objective.text)}, "key_results": [{krs}]}}')
    source = _source(okr_set.source, s) if okr_set.source is not None else "null"
    level = s[okr_set.level.value] if okr_set.level is not None else "null"
    return (
        f'{{"key": {s[okr_set.key]}, "team": {s[okr_set.team]}, "cycle": {s[okr_set.cycle]}, '
        f'"level": {level}, "source": {source}, "objectives": [{", ".join(objectives)}]}}'
    )


def _severity_counts(counter: Any) -> dict[str, int]:
    return {severity.value: counter.get(severity.value, 0) for severity in SEVERITY_ORDER}


def _dimension_counts(counter: Any) -> dict[str, int]:
    return {dimension.value: counter.get(dimension.value, 0) for dimension in DIMENSION_ORDER}


def summary_dict(summary: Summary) -> dict[str, Any]:
    """The ``summary`` object as plain data, keys in schema order (also used by tests)."""
    return {
        "sets": summary.sets,
        "objectives": summary.objectives,
        "key_results": summary.key_results,
        "findings": summary.findings,
        "by_severity": _severity_counts(summary.by_severity),
        "by_dimension": _dimension_counts(summary.by_dimension),
        "by_code": {code: summary.by_code[code] for code in sorted(summary.by_code)},
        "per_set": [
            {
                "key": row.key,
                "team": row.team,
                "cycle": row.cycle,
                "level": row.level,
                "objectives": row.objectives,
                "key_results": row.key_results,
                "findings": sum(row.by_severity.values()),
                "by_severity": _severity_counts(row.by_severity),
                "by_dimension": _dimension_counts(row.by_dimension),
            }
            for row in summary.per_set
        ],
        "input_errors": summary.input_errors,
        "input_warnings": summary.input_warnings,
    }


def render_json(review: Review) -> str:
    """The whole JSON report as text (UTF-8 characters kept, not escaped)."""
    summary = summary_dict(review.summary())
    out = _Writer()
    out.value("{")
    head = [
        ("schema", REPORT_SCHEMA),
        ("version", REPORT_SCHEMA_VERSION),
        ("tool", {"name": TOOL_NAME, "version": review.tool_version}),
        ("generated_at", review.generated_at.isoformat(timespec="seconds")),
        ("language", language_of(review)),
    ]
    for i, (key, value) in enumerate(head):
        out.key(key, 1, first=i == 0)
        out.value(_compact(value))
    out.key("inputs", 1, first=False)
    out.array(map(_compact, review.inputs), 1)
    out.key("summary", 1, first=False)
    out.value("{")
    for i, (key, value) in enumerate(summary.items()):
        out.key(key, 2, first=i == 0)
        if key == "per_set":
            out.array(map(_compact, value), 2)
        else:
            out.value(_compact(value))
    out.value("\n" + _INDENT + "}")
    out.key("sets", 1, first=False)
    strings = _Strings()
    out.array((_set(okr_set, strings) for okr_set in review.sets), 1)
    out.key("findings", 1, first=False)
    out.array(_findings(review.findings), 1)
    out.key("problems", 1, first=False)
    out.array((_compact(p.to_dict()) for p in review.problems), 1)
    out.value("\n}\n")
    return out.text()
