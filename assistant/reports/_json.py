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
from collections.abc import Iterable, Iterator, Sequence
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


def _array(records: Iterable[str], level: int) -> Iterator[str]:
    """A JSON array with one pre-encoded record per line."""
    pad = "\n" + _INDENT * (level + 1)
    first = True
    for record in records:
        yield ("[" + pad if first else "," + pad) + record
        first = False
    yield "[]" if first else "\n" + _INDENT * level + "]"


def _key(name: str, level: int, first: bool) -> str:
    return ("\n" if first else ",\n") + _INDENT * level + encode_basestring(name) + ": "


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


def _findings(findings: list[Finding]) -> Iterator[str]:
    """One encoded line per finding, equal once parsed to ``Finding.to_dict()``.

    Short fields that repeat (codes, ids, set keys) are encoded once; texts are encoded as they come,
    so that memory does not grow with the report.
    """
    s = _Strings()
    enc = encode_basestring
    spans = _Spans()
    sources: dict[int, str] = {}
    for f in findings:
        src = f.source
        if src is None:
            source = "null"
        else:
            cached = sources.get(id(src))
            if cached is None:
                cached = sources[id(src)] = _source(src, s)
            source = cached
        try:
            span = spans[f.span]
        except TypeError:  # a list instead of a tuple
            span = _compact(list(f.span or ()))
        yield (
            f'{{"code": {s[f.code]}, "dimension": {s[f.dimension]}, "severity": {s[f.severity]}, '
            f'"set": {s[f.set_key]}, "objective": {s[f.objective]}, "key_result": {s[f.key_result]}, '
            f'"evidence": {enc(f.evidence)}, "span": {span}, "message": {enc(f.message)}, '
            f'"fix": {s[f.fix]}, "note": {s[f.note]}, "source": {source}}}'
        )


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


def _top(indexes: list[int], findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """A set's findings to fix first: index into ``findings``, code and item (null for the whole set)."""
    return [
        {"finding": i, "code": findings[i].code, "item": findings[i].key_result or findings[i].objective}
        for i in indexes
        if i < len(findings)
    ]


def summary_dict(summary: Summary, findings: Sequence[Finding] = ()) -> dict[str, Any]:
    """The ``summary`` object as plain data, keys in schema order (also used by tests).

    ``findings`` are the review's, which each set's ``top`` points into.
    """
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
                "top": _top(row.top, findings),
            }
            for row in summary.per_set
        ],
        "input_errors": summary.input_errors,
        "input_warnings": summary.input_warnings,
    }


def render_json(review: Review) -> str:
    """The whole JSON report as text (UTF-8 characters kept, not escaped)."""
    return "".join(json_chunks(review))


def json_chunks(review: Review) -> Iterator[str]:
    """The JSON report as pieces of text, in order; writing them as they come never holds the whole document."""
    summary = summary_dict(review.summary(), review.findings)
    yield "{"
    head = [
        ("schema", REPORT_SCHEMA),
        ("version", REPORT_SCHEMA_VERSION),
        ("tool", {"name": TOOL_NAME, "version": review.tool_version}),
        ("generated_at", review.generated_at.isoformat(timespec="seconds")),
        ("language", language_of(review)),
    ]
    for i, (key, value) in enumerate(head):
        yield _key(key, 1, first=i == 0) + _compact(value)
    yield _key("inputs", 1, first=False)
    yield from _array(map(_compact, review.inputs), 1)
    yield _key("summary", 1, first=False) + "{"
    for i, (key, value) in enumerate(summary.items()):
        yield _key(key, 2, first=i == 0)
        if key == "per_set":
            yield from _array(map(_compact, value), 2)
        else:
            yield _compact(value)
    yield "\n" + _INDENT + "}"
    yield _key("sets", 1, first=False)
    strings = _Strings()
    yield from _array((_set(okr_set, strings) for okr_set in review.sets), 1)
    yield _key("findings", 1, first=False)
    yield from _array(_findings(review.findings), 1)
    yield _key("notes", 1, first=False)
    yield _notes(review)
    if review.suggestions:  # only with check --suggest: absent otherwise, so plain reports are unchanged
        yield _key("suggestions", 1, first=False)
        yield from _array((_compact(entry.to_dict()) for entry in review.suggestions), 1)
    yield _key("problems", 1, first=False)
    yield from _array((_compact(p.to_dict()) for p in review.problems), 1)
    yield "\n}\n"


def notes_dict(review: Review) -> dict[str, dict[str, Any]]:
    """The knowledge notes the findings cite, by id: title and summary in the report's language."""
    lang = language_of(review)
    return {
        note.id: {
            "title": note.title_in(lang),
            "summary": note.summary_in(lang),
            "sources": [{"doc": s.doc, "section": s.section} for s in note.sources],
        }
        for note in review.cited_notes()
    }


def _notes(review: Review) -> str:
    """The ``notes`` object, one note per line."""
    notes = notes_dict(review)
    if not notes:
        return "{}"
    lines = [_key(note_id, 2, first=i == 0) + _compact(entry) for i, (note_id, entry) in enumerate(notes.items())]
    return "{" + "".join(lines) + "\n" + _INDENT + "}"
