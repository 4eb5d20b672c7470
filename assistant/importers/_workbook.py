"""Excel workbooks (.xlsx, .xlsm): every sheet with a recognisable header is a flat export of its own.

openpyxl reads the saved values in read-only (streaming) mode, which keeps memory flat on large files
but knows nothing of merged cells or of formulas that were never calculated. Both are in the sheet's XML,
so when a quick byte scan finds any, one extra streaming pass over that XML collects the merged ranges
(filled from their top-left value, as a reader of the sheet sees them) and the formula cells without a
saved value (reported instead of being read as blank, which would mean "same as above").
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from .._gc import paused_gc
from ..findings import ImportResult, InputProblem, ProblemLevel
from ._columns import ColumnMatcher
from ._tabular import HEADER_SCAN_ROWS, Layout, TableReader, confidence_scale, find_layout, no_header

__all__ = ["load_xlsx"]

_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_QUICK = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s>/]")
_CHUNK = 1 << 20


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the path of its XML part inside the workbook archive."""
    office = "xl/workbook.xml"
    for rel in ElementTree.fromstring(archive.read("_rels/.rels")):
        if rel.get("Type", "").endswith("/officeDocument"):
            office = rel.get("Target", office).lstrip("/")
    folder = posixpath.dirname(office)
    rels_path = posixpath.join(folder, "_rels", posixpath.basename(office) + ".rels")
    targets = {rel.get("Id"): rel.get("Target", "") for rel in ElementTree.fromstring(archive.read(rels_path))}
    parts = {}
    for element in ElementTree.fromstring(archive.read(office)).iter():
        if _local(element.tag) != "sheet":
            continue
        target = targets.get(element.get(_REL_ID))
        if target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            parts[element.get("name", "")] = path
    return parts


def _needs_scan(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet XML has any formula or merged cell at all (a cheap byte search)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _QUICK.search(tail + chunk):
                return True
            tail = chunk[-32:]
    return False


def _scan(archive: zipfile.ZipFile, part: str) -> tuple[list[str], dict[int, set[int]]]:
    """Merged ranges (``"A2:A5"``) and, per row, the 0-based columns of formulas without a saved value."""
    merges: list[str] = []
    formulas: dict[int, set[int]] = {}
    row = column = 0
    with archive.open(part) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    row = int(element.get("r") or row + 1)
                    column = 0
                continue
            if name == "c":
                reference = element.get("r")
                column = column_index_from_string(coordinate_from_string(reference)[0]) if reference else column + 1
                formula = value = None
                for child in element:
                    child_name = _local(child.tag)
                    if child_name == "f":
                        formula = child
                    elif child_name == "v":
                        value = child
                if formula is not None and (value is None or (not value.text and element.get("t") != "str")):
                    formulas.setdefault(row, set()).add(column - 1)
                element.clear()
            elif name == "row":
                element.clear()
            elif name == "mergeCell" and element.get("ref"):
                merges.append(element.get("ref", ""))
    return merges, formulas


class _Merges:
    """Fills the cells of merged ranges with the value of their top-left cell, row by row."""

    def __init__(self, ranges: list[str]) -> None:
        self._anchors: dict[int, list[int]] = {}
        self._fills: dict[int, list[tuple[int, int, int, int]]] = {}
        self._values: dict[tuple[int, int], Any] = {}
        for ref in ranges:
            try:
                first_col, first_row, last_col, last_row = range_boundaries(ref)
            except ValueError:
                continue
            if first_col is None or first_row is None or last_col is None or last_row is None:
                continue
            self._anchors.setdefault(first_row, []).append(first_col - 1)
            for row in range(first_row, last_row + 1):
                self._fills.setdefault(row, []).append((first_col - 1, last_col - 1, first_row, first_col - 1))

    def remember(self, row: int, cells: list[Any]) -> None:
        """Keep the top-left values of ranges that start on this row."""
        for column in self._anchors.get(row, ()):
            self._values[(row, column)] = cells[column] if column < len(cells) else ""

    def fill(self, row: int, cells: list[Any]) -> set[int]:
        """Fill this row's merged cells; the 0-based columns filled."""
        filled: set[int] = set()
        for first, last, anchor_row, anchor_column in self._fills.get(row, ()):
            value = self._values.get((anchor_row, anchor_column), "")
            if len(cells) <= last:
                cells.extend([""] * (last + 1 - len(cells)))
            for column in range(first, last + 1):
                if row != anchor_row or column != anchor_column:
                    cells[column] = value
                    filled.add(column)
        return filled


def _rows(sheet: Any) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a read-only sheet as ``(1-based number, cells)``, blank cells as ``""``."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
        yield number, ["" if value is None else value for value in row]


def load_xlsx(path: Path, file: str, matcher: ColumnMatcher) -> ImportResult:
    """Read every sheet of a workbook that has a header row; opened read-only, values as last saved."""
    result = ImportResult()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        result.problems.append(InputProblem(file=file, reason=f"not a readable Excel workbook: {exc}"))
        return result
    try:
        found: list[tuple[Any, Layout]] = []
        skipped: list[str] = []
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # a stale <dimension> element would cut rows off
            first = list(islice(_rows(sheet), HEADER_SCAN_ROWS))
            layout = find_layout(first, matcher, file, sheet.title)
            if layout is not None:
                found.append((sheet, layout))
            elif any(any(cell != "" for cell in cells) for _, cells in first):
                skipped.append(sheet.title)
        if not found:
            result.problems.append(no_header(file, skipped[0] if len(skipped) == 1 else None))
            return result
        for title in skipped:
            result.problems.append(
                InputProblem(
                    file=file,
                    sheet=title,
                    level=ProblemLevel.warning,
                    reason="sheet skipped: no header row with an objective and a key result column",
                )
            )
        with paused_gc(), zipfile.ZipFile(path) as archive:
            try:
                parts = _sheet_parts(archive)
            except (KeyError, ElementTree.ParseError):
                parts = {}
            readers: list[TableReader] = []
            for sheet, layout in found:
                default_team = path.stem if len(found) == 1 else sheet.title
                reader = TableReader(file, sheet.title, default_team, layout)
                readers.append(reader)
                merges: list[str] = []
                formulas: dict[int, set[int]] = {}
                part = parts.get(sheet.title)
                if part and _needs_scan(archive, part):
                    merges, formulas = _scan(archive, part)
                merged = _Merges(merges)
                for number, cells in _rows(sheet):
                    merged.remember(number, cells)
                    if number <= layout.header_row:
                        continue
                    filled = merged.fill(number, cells) if merges else ()
                    reader.add(number, cells, filled, formulas.get(number, ()))
                result.sets.extend(reader.finish())
                result.problems.extend(reader.problems)
            result.problems.extend(confidence_scale(readers, result.sets, file))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as exc:
        result.problems.append(InputProblem(file=file, reason=f"workbook could not be read to the end: {exc}"))
    finally:
        workbook.close()
    return result
