"""Importers: OKR files and pasted text → ``OKRSet`` objects, plus an ``InputProblem`` for everything unreadable.

Formats, by suffix: JSON / YAML in the model's own schema; CSV / TSV / XLSX / XLSM flat exports (one row per
key result); Markdown / plain-text outlines. Bad input never stops a run: each file, row or field that
cannot be read becomes a problem with its location, and everything else is still read. Input files are only
ever opened for reading.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from ..findings import ImportResult, InputProblem
from ._columns import ColumnMatcher
from ._encoding import decode
from ._outline import parse_outline
from ._structured import load_document, load_json, load_yaml, looks_structured, parse_yaml
from ._tabular import load_csv
from ._workbook import load_xlsx

__all__ = ["SUPPORTED_SUFFIXES", "load_data", "load_file", "load_paths", "load_text"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset(
    {".json", ".yaml", ".yml", ".csv", ".tsv", ".xlsx", ".xlsm", ".md", ".markdown", ".txt"}
)
_HINTS = {
    ".xls": "save it as .xlsx or .csv",
    ".numbers": "export it as .xlsx or .csv",
    ".docx": "paste its text into a .md or .txt file",
    ".pdf": "paste its text into a .md or .txt file",
}


def load_paths(paths: Sequence[str | Path], *, column_map: Mapping[str, str] | None = None) -> ImportResult:
    """Read files, folders (searched for supported files) and ``-`` (standard input), in the order given.

    ``column_map`` maps extra column headers of CSV / XLSX files to fields (``{"KR 名称": "key_result"}``).
    """
    matcher = ColumnMatcher(column_map)
    result = ImportResult(problems=list(matcher.problems))
    for given in paths:
        name = str(given)
        if name == "-":
            result.extend(_load_stdin())
            continue
        path = Path(name)
        if path.is_dir():
            files = _walk(name)
            if not files:
                result.problems.append(InputProblem(file=name, reason="no supported files in this folder"))
            for file in files:
                result.extend(_load_file(Path(file), file, matcher))
        elif path.is_file():
            suffix = path.suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                hint = _HINTS.get(suffix, "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)))
                result.problems.append(InputProblem(file=name, reason=f"unsupported file type {suffix!r} ({hint})"))
                continue
            result.extend(_load_file(path, name, matcher))
        else:
            result.problems.append(InputProblem(file=name, reason="no such file or folder"))
    return result


def load_file(path: str | Path, name: str, *, column_map: Mapping[str, str] | None = None) -> ImportResult:
    """Read one file under another name: ``name`` is the ``file`` of its source references and problems.

    For uploads, which sit in a temporary folder under a path that means nothing to the person who sent them.
    """
    matcher = ColumnMatcher(column_map)
    suffix = Path(path).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        hint = _HINTS.get(suffix, "supported: " + ", ".join(sorted(SUPPORTED_SUFFIXES)))
        return ImportResult(problems=[InputProblem(file=name, reason=f"unsupported file type {suffix!r} ({hint})")])
    result = ImportResult(problems=list(matcher.problems))
    result.extend(_load_file(Path(path), name, matcher))
    return result


def load_data(data: object, name: str = "<data>") -> ImportResult:
    """Read OKR sets already parsed from JSON or YAML (one set, a list, or ``{"sets": [...]}``); ids may be left out."""
    return load_document(data, name)


def load_text(text: str, name: str = "<text>") -> ImportResult:
    """Read pasted text: a JSON or YAML OKR document if it is one, else an outline.

    ``name`` is the ``file`` of every source reference and problem, and the team of text with no heading.
    """
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        return load_json(stripped, name)
    if stripped.startswith("["):
        try:
            return load_document(json.loads(stripped), name)
        except json.JSONDecodeError:
            pass  # "[ ] KR1 …": a Markdown checkbox, not JSON
    if ":" in stripped:
        try:
            data, lines = parse_yaml(stripped)
        except yaml.YAMLError:
            pass
        else:
            if looks_structured(data):
                return load_document(data, name, lines)
    return parse_outline(text, name)


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


def _load_stdin() -> ImportResult:
    """Standard input, decoded like a file (pipes from Chinese Windows tools are often GBK)."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        return load_text(sys.stdin.read(), "<stdin>")
    decoded = decode(stream.read())
    if decoded is None:
        return ImportResult(problems=[InputProblem(file="<stdin>", reason="cannot decode standard input")])
    return load_text(decoded[0], "<stdin>")


def _load_file(path: Path, file: str, matcher: ColumnMatcher) -> ImportResult:
    """One file by its suffix; a file that cannot be opened is one problem."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            return load_csv(path, file, matcher)
        if suffix in (".xlsx", ".xlsm"):
            return load_xlsx(path, file, matcher)
        raw = path.read_bytes()
    except OSError as exc:
        return ImportResult(problems=[InputProblem(file=file, reason=f"cannot read: {exc.strerror or exc}")])
    if not raw.strip():
        return ImportResult(problems=[InputProblem(file=file, reason="empty file")])
    decoded = decode(raw)
    if decoded is None:
        return ImportResult(
            problems=[InputProblem(file=file, reason="cannot decode the file as UTF-8, UTF-16 or GB18030 (GBK)")]
        )
    text = decoded[0].lstrip("\ufeff")
    if suffix == ".json":
        return load_json(text, file)
    if suffix in (".yaml", ".yml"):
        return load_yaml(text, file)
    return parse_outline(text, file)
