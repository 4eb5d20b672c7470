"""Importers: OKR files and pasted text → ``OKRSet`` objects, plus an ``InputProblem`` for everything unreadable.

Formats, by suffix: JSON / YAML in the model's own schema; CSV / TSV / XLSX / XLSM flat exports (one row per
key result); Markdown / plain-text outlines. Bad input never stops a run: each file, row or field that
cannot be read becomes a problem with its location, and everything else is still read. Input files are only
ever opened for reading.

Each reader is imported when a file of its kind is read (the CSV, JSON/YAML and workbook readers, PyYAML,
openpyxl), so that checking one Markdown file loads only the outline reader.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from ..findings import ImportResult, InputProblem
from ._columns import ColumnMatcher
from ._encoding import decode
from ._limits import LIMIT_NAMES, LimitExceeded, Limits, LimitsError, default_limits, limits_from
from ._outline import parse_outline
from .messages import message, problem

__all__ = [
    "LIMIT_NAMES",
    "SUPPORTED_SUFFIXES",
    "Limits",
    "LimitsError",
    "default_limits",
    "limits_from",
    "load_data",
    "load_file",
    "load_paths",
    "load_text",
]
LimitsLike = Limits | Mapping[str, int] | None  # a Limits, or overrides by TOML name ([tool.okr-review.limits])

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".json", ".yaml", ".yml", ".csv", ".tsv", ".xlsx", ".xlsm", ".md", ".markdown", ".txt"}
)
_HINTS = {".xls": "IMP005", ".numbers": "IMP006", ".docx": "IMP007", ".pdf": "IMP007"}  # what to do instead


def _unsupported(suffix: str, name: str) -> InputProblem:
    """The problem for a file whose type no importer reads, with what to do instead."""
    code = _HINTS.get(suffix)
    hint = message(code) if code else message("IMP008", suffixes=", ".join(sorted(SUPPORTED_SUFFIXES)))
    return problem(message("IMP004", suffix=suffix, hint=hint), name)


def load_paths(
    paths: Sequence[str | Path], *, column_map: Mapping[str, str] | None = None, limits: LimitsLike = None
) -> ImportResult:
    """Read files, folders (searched for supported files) and ``-`` (standard input), in the order given.

    ``column_map`` maps extra column headers of CSV / XLSX files to fields (``{"KR 名称": "key_result"}``);
    ``limits`` bounds what each file may cost (see ``_limits``), the shipped defaults where not given.
    """
    bounds = limits_from(limits)
    matcher = ColumnMatcher(column_map)
    result = ImportResult(problems=list(matcher.problems))
    for given in paths:
        name = str(given)
        if name == "-":
            result.extend(_load_stdin(bounds))
            continue
        path = Path(name)
        if path.is_dir():
            files = _walk(name)
            if not files:
                result.problems.append(problem(message("IMP003"), name))
            for file in files:
                result.extend(_load_file(Path(file), file, matcher, bounds))
        elif path.is_file():
            suffix = path.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                result.problems.append(_unsupported(suffix, name))
                continue
            result.extend(_load_file(path, name, matcher, bounds))
        else:
            result.problems.append(problem(message("IMP002"), name))
    return result


def load_file(
    path: str | Path, name: str, *, column_map: Mapping[str, str] | None = None, limits: LimitsLike = None
) -> ImportResult:
    """Read one file under another name: ``name`` is the ``file`` of its source references and problems.

    For uploads, which sit in a temporary folder under a path that means nothing to the person who sent them.
    """
    matcher = ColumnMatcher(column_map)
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return ImportResult(problems=[_unsupported(suffix, name)])
    result = ImportResult(problems=list(matcher.problems))
    result.extend(_load_file(Path(path), name, matcher, limits_from(limits)))
    return result


def load_data(data: object, name: str = "<data>", *, limits: LimitsLike = None) -> ImportResult:
    """Read OKR sets already parsed from JSON or YAML (one set, a list, or ``{"sets": [...]}``); ids may be left out."""
    from ._structured import load_document

    return _bounded(name, lambda: load_document(data, name, limits=limits_from(limits)))


def load_text(text: str, name: str = "<text>", *, limits: LimitsLike = None) -> ImportResult:
    """Read pasted text: a JSON or YAML OKR document if it is one, else an outline.

    ``name`` is the ``file`` of every source reference and problem, and the team of text with no heading.
    """
    bounds = limits_from(limits)
    return _bounded(name, lambda: _read_text(text, name, bounds))


def _read_text(text: str, name: str, limits: Limits) -> ImportResult:
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("{", "[")) or ":" in stripped:
        return _read_structured_text(text, stripped, name, limits)
    return parse_outline(text, name, limits=limits)


def _read_structured_text(text: str, stripped: str, name: str, limits: Limits) -> ImportResult:
    """Pasted text that may be a JSON or YAML document; an outline when it is not one."""
    import yaml

    from ._structured import load_document, load_json, looks_structured, parse_json, parse_yaml

    if stripped.startswith("{"):
        return load_json(stripped, name, limits)
    if stripped.startswith("["):
        try:
            return load_document(parse_json(stripped, limits), name, limits=limits)
        except json.JSONDecodeError:
            pass  # "[ ] KR1 …": a Markdown checkbox, not JSON
    if ":" in stripped:
        try:
            data, lines = parse_yaml(stripped, limits)
        except yaml.YAMLError:
            pass
        else:
            if looks_structured(data):
                return load_document(data, name, lines, limits=limits)
    return parse_outline(text, name, limits=limits)


def _bounded(file: str, read: Callable[[], ImportResult]) -> ImportResult:
    """``read()``, with a limit crossed, or input too deep or too large for this process, as one problem."""
    try:
        return read()
    except LimitExceeded as exc:
        return ImportResult(problems=[exc.problem(file)])
    except RecursionError:
        return ImportResult(problems=[problem(message("IMP013"), file)])
    except MemoryError:
        return ImportResult(problems=[problem(message("IMP014"), file)])


def _walk(folder: str) -> list[str]:
    """Supported files under a folder, sorted, skipping hidden entries and Office lock files (``~$x.xlsx``)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if file.startswith((".", "~$")) or Path(file).suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            found.append(os.path.join(root, file))
    return found


def _load_stdin(limits: Limits) -> ImportResult:
    """Standard input, decoded like a file (pipes from Chinese Windows tools are often GBK)."""
    stream = getattr(sys.stdin, "buffer", None)
    raw = stream.read(limits.file_bytes + 1) if stream is not None else sys.stdin.read(limits.file_bytes + 1)
    if len(raw) > limits.file_bytes:
        exceeded = LimitExceeded("file-bytes", limits.file_bytes, message("IMP117"))
        return ImportResult(problems=[exceeded.problem("<stdin>")])
    if isinstance(raw, str):
        return load_text(raw, "<stdin>", limits=limits)
    decoded = decode(raw)
    if decoded is None:
        return ImportResult(problems=[problem(message("IMP012"), "<stdin>")])
    return load_text(decoded[0], "<stdin>", limits=limits)


def _load_file(path: Path, file: str, matcher: ColumnMatcher, limits: Limits) -> ImportResult:
    """One file by its suffix; a file that cannot be opened, or crosses a limit, is one problem."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return ImportResult(problems=[problem(message("IMP009", detail=str(exc.strerror or exc)), file)])
    if size > limits.file_bytes:
        exceeded = LimitExceeded("file-bytes", limits.file_bytes, message("IMP103", size=size))
        return ImportResult(problems=[exceeded.problem(file)])
    return _bounded(file, lambda: _read_file(path, file, matcher, limits))


def _read_file(path: Path, file: str, matcher: ColumnMatcher, limits: Limits) -> ImportResult:
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            from ._tabular import load_csv

            return load_csv(path, file, matcher, limits)
        if suffix in (".xlsx", ".xlsm"):
            from ._workbook import load_xlsx  # openpyxl (and numpy) cost ~130 ms to import: only for workbooks

            return load_xlsx(path, file, matcher, limits)
        with path.open("rb") as handle:  # at most one byte over the limit, should the file grow meanwhile
            raw = handle.read(limits.file_bytes + 1)
    except OSError as exc:
        return ImportResult(problems=[problem(message("IMP009", detail=str(exc.strerror or exc)), file)])
    if len(raw) > limits.file_bytes:
        raise LimitExceeded("file-bytes", limits.file_bytes, message("IMP104"))
    if not raw.strip():
        return ImportResult(problems=[problem(message("IMP001"), file)])
    decoded = decode(raw)
    if decoded is None:
        return ImportResult(problems=[problem(message("IMP010"), file)])
    text = decoded[0].lstrip("\ufeff")
    if suffix == ".json":
        from ._structured import load_json

        return load_json(text, file, limits)
    if suffix in (".yaml", ".yml"):
        from ._structured import load_yaml

        return load_yaml(text, file, limits)
    return parse_outline(text, file, limits=limits)
