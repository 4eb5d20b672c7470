"""Excel workbooks (.xlsx, .xlsm): every sheet with a recognisable header is a flat export of its own.

openpyxl reads the saved values in read-only (streaming) mode, which keeps memory flat on large files
but knows nothing of merged cells or of formulas that were never calculated. Both are in the sheet's XML,
so when a quick byte scan finds any, one extra streaming pass over that XML collects the merged ranges
(filled from their top-left value, as a reader of the sheet sees them) and the formula cells without a
saved value (reported instead of being read as blank, which would mean "same as above").

A workbook is a zip of XML parts, so a few KB can stand for gigabytes: the sizes in the zip directory and the
number of shared strings are checked before openpyxl opens it, merged areas are counted before they are
filled, and rows are read only as wide as the columns that matter.
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

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .._gc import paused_gc
from ..findings import ImportResult, InputProblem, ProblemLevel
from ._columns import ColumnMatcher
from ._limits import LimitExceeded, Limits, check_counts, default_limits
from ._tabular import HEADER_SCAN_ROWS, Layout, TableReader, confidence_scale, count_items, find_layout, no_header
from .messages import Message, message, problem

__all__ = ["load_xlsx"]

_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_QUICK = re.compile(rb"<(?:\w+:)?(?:f|mergeCell)[\s>/]")
_STRING_ITEM = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")  # one shared string: <si>…</si>
_CHUNK = 1 << 20
_HIDDEN = {"hidden": "IMP023", "veryHidden": "IMP024"}  # a sheet's state → its notice


def _check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Raise ``LimitExceeded`` for a workbook too large once unzipped, or with too many shared strings.

    Reads only the zip directory and, streaming, the shared-strings part: openpyxl loads every shared string
    into memory when it opens a workbook, so this has to come first. zipfile stops at each part's declared
    size (a part that claims less than it holds fails its checksum), so the directory can be trusted.
    """
    members = archive.infolist()
    unpacked = sum(info.file_size for info in members)
    if unpacked > limits.unpacked_bytes:
        raise LimitExceeded("unpacked-bytes", limits.unpacked_bytes, message("IMP105", size=unpacked))
    for info in members:
        if posixpath.basename(info.filename).lower() != "sharedstrings.xml":
            continue
        if info.file_size > limits.shared_string_bytes:
            reason = message("IMP106", size=info.file_size)
            raise LimitExceeded("shared-string-bytes", limits.shared_string_bytes, reason)
        count = _count_items(archive, info)
        if count > limits.shared_strings:
            reason = message("IMP107", count=count)
            raise LimitExceeded("shared-strings", limits.shared_strings, reason)


def _count_items(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """Shared strings (``<si>`` elements) in a part, by a streaming byte search."""
    count = 0
    pending = b""  # the last bytes of a chunk, where a tag may be cut: searched again with the next chunk
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            data = pending + chunk
            cut = max(len(data) - 64, 0)
            count += sum(1 for match in _STRING_ITEM.finditer(data) if match.start() < cut)
            pending = data[cut:]
    return count + len(_STRING_ITEM.findall(pending))


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


Box = tuple[int, int, int, int]  # a merged range: first and last 0-based column, first and last 1-based row


def _scan(
    archive: zipfile.ZipFile, part: str, width: int, limits: Limits, sheet: str
) -> tuple[list[Box], dict[int, set[int]]]:
    """Merged ranges and, per row, the 0-based columns (under ``width``) of formulas without a saved value.

    Merged ranges are clipped to ``width`` and their cells counted as they are met: past the merged-cells
    limit the sheet is refused before any range is expanded.
    """
    merges: list[Box] = []
    formulas: dict[int, set[int]] = {}
    area = 0
    row = column = 0
    with archive.open(part) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            name = _local(element.tag)
            if event == "start":
                if name == "row":
                    row = int(element.get("r") or row + 1)
                    column = 0
                    if row > limits.rows:
                        break  # the sheet is refused at this row when it is read
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
                missing = formula is not None and (value is None or (not value.text and element.get("t") != "str"))
                if missing and column <= width and row <= limits.rows:
                    formulas.setdefault(row, set()).add(column - 1)
                element.clear()
            elif name == "row":
                element.clear()
            elif name == "mergeCell" and element.get("ref"):
                box = _box(element.get("ref", ""))
                if box is None:
                    continue
                area += (box[1] - box[0] + 1) * (box[3] - box[2] + 1)
                if area > limits.merged_cells:
                    reason = message("IMP108", limit=limits.merged_cells)
                    raise LimitExceeded("merged-cells", limits.merged_cells, reason, sheet=sheet)
                if box[0] < width:
                    merges.append((box[0], min(box[1], width - 1), box[2], box[3]))
    return merges, formulas


def _box(ref: str) -> Box | None:
    """A merged range such as ``"A2:B5"`` as a box; None when it is not one."""
    try:
        first_col, first_row, last_col, last_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return None
    if first_col is None or first_row is None or last_col is None or last_row is None:
        return None
    return first_col - 1, last_col - 1, first_row, last_row


class _Merges:
    """Fills the cells of merged ranges with the value of their top-left cell, row by row.

    Each row refers to the ranges over it (one shared tuple per range), so memory follows the merged area,
    which ``_scan`` has already bounded.
    """

    def __init__(self, boxes: list[Box]) -> None:
        self._anchors: dict[int, list[int]] = {}
        self._fills: dict[int, list[Box]] = {}
        self._values: dict[tuple[int, int], Any] = {}
        for box in boxes:
            first, _, first_row, last_row = box
            self._anchors.setdefault(first_row, []).append(first)
            for row in range(first_row, last_row + 1):
                self._fills.setdefault(row, []).append(box)

    def remember(self, row: int, cells: list[Any]) -> None:
        """Keep the top-left values of ranges that start on this row."""
        for column in self._anchors.get(row, ()):
            self._values[(row, column)] = cells[column] if column < len(cells) else ""

    def fill(self, row: int, cells: list[Any]) -> set[int]:
        """Fill this row's merged cells; the 0-based columns filled."""
        filled: set[int] = set()
        for first, last, anchor_row, _ in self._fills.get(row, ()):
            value = self._values.get((anchor_row, first), "")
            if len(cells) <= last:
                cells.extend([""] * (last + 1 - len(cells)))
            for column in range(first, last + 1):
                if row != anchor_row or column != first:
                    cells[column] = value
                    filled.add(column)
        return filled


def _rows(sheet: Any, width: int | None) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a read-only sheet as ``(1-based number, cells)``, ``width`` cells each, blank cells as ``""``.

    openpyxl pads every row to its last cell, so one cell at column XFD would cost 16,384 cells per row: data
    rows are cut to ``width`` as they are read. Only the few header rows are read whole (``width`` None).
    """
    for number, row in enumerate(sheet.iter_rows(max_col=width, values_only=True), 1):
        yield number, ["" if value is None else value for value in row]


def _wide_rows(first: list[tuple[int, list[Any]]], limits: Limits, file: str, sheet: str) -> list[InputProblem]:
    """Rows among the first with cells past the cells-per-row limit, which are cut off there.

    Only the header and title rows are reported: past the header, cells under no known column are never read.
    """
    limit = limits.cells_per_row
    reason = message("IMP026", column=get_column_letter(limit), limit=limit)
    problems = []
    for number, cells in first:
        if any(cell != "" for cell in cells[limit:]):
            problems.append(problem(reason, file, sheet=sheet, row=number))
        del cells[limit:]
    return problems


class _Sheet(ReadOnlyWorksheet):
    """A read-only sheet that skips openpyxl's size probe.

    Without a ``<dimension>`` element that probe parses the whole sheet when the workbook is opened (seconds
    per million rows, before any limit could be checked); the importers reset the dimensions anyway.
    """

    def _get_size(self) -> None:
        return None


class _Reader(ExcelReader):
    """openpyxl's reader in read-only mode, with ``_Sheet`` for worksheets (chartsheets hold no rows: skipped)."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def _open(path: Path) -> Any:
    """The workbook read-only, with the values as last saved: ``load_workbook`` without the size probes."""
    reader = _Reader(path, read_only=True, data_only=True, keep_links=False)
    reader.read()
    return reader.wb


def _describe(exc: Exception) -> str | Message:
    """An exception as one line for a problem: known file errors by their message, others with their type.

    A file that is no zip archive at all (an old .xls renamed, a damaged download) gets a coded text.
    """
    if isinstance(exc, zipfile.BadZipFile) and str(exc) == "File is not a zip file":
        return message("IMP021")
    if isinstance(exc, zipfile.BadZipFile | InvalidFileException | KeyError | ElementTree.ParseError | OSError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _hidden(sheet: Any, file: str) -> list[InputProblem]:
    """A notice for a hidden sheet that was read: its OKRs count though nobody opening the file sees them."""
    code = _HIDDEN.get(getattr(sheet, "sheet_state", "visible"))
    if code is None:
        return []
    return [problem(message(code), file, sheet=sheet.title, level=ProblemLevel.warning)]


def load_xlsx(path: Path, file: str, matcher: ColumnMatcher, limits: Limits | None = None) -> ImportResult:
    """Read every sheet of a workbook that has a header row; opened read-only, values as last saved.

    Raises ``LimitExceeded`` for a workbook past one of the limits.
    """
    limits = limits or default_limits()
    result = ImportResult()
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, limits)
        workbook = _open(path)
    except LimitExceeded:
        raise
    except Exception as exc:  # openpyxl raises whatever a malformed part leads it to
        result.problems.append(problem(message("IMP020", detail=_describe(exc)), file))
        return result
    try:
        found: list[tuple[Any, Layout]] = []
        skipped: list[str] = []
        for sheet in workbook.worksheets:
            sheet.reset_dimensions()  # a stale <dimension> element would cut rows off
            first = list(islice(_rows(sheet, None), HEADER_SCAN_ROWS))
            wide = _wide_rows(first, limits, file, sheet.title)
            layout = find_layout(first, matcher, file, sheet.title)
            if layout is not None:
                layout.problems[:0] = [p for p in wide if p.row is not None and p.row <= layout.header_row]
                found.append((sheet, layout))
            elif any(any(cell != "" for cell in cells) for _, cells in first):
                skipped.append(sheet.title)
        if not found:
            result.problems.append(no_header(file, skipped[0] if len(skipped) == 1 else None))
            return result
        for title in skipped:
            result.problems.append(problem(message("IMP025"), file, sheet=title, level=ProblemLevel.warning))
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
                merges: list[Box] = []
                formulas: dict[int, set[int]] = {}
                part = parts.get(sheet.title)
                if part and _needs_scan(archive, part):
                    merges, formulas = _scan(archive, part, reader.width, limits, sheet.title)
                merged = _Merges(merges)
                for number, cells in _rows(sheet, reader.width):
                    if number > limits.rows:
                        reason = message("IMP101", limit=limits.rows)
                        raise LimitExceeded("rows", limits.rows, reason, row=number, sheet=sheet.title)
                    merged.remember(number, cells)
                    if number <= layout.header_row:
                        continue
                    filled = merged.fill(number, cells) if merges else ()
                    reader.add(number, cells, filled, formulas.get(number, ()))
                result.sets.extend(reader.finish())
                check_counts(*count_items(result.sets), limits)
                result.problems.extend(_hidden(sheet, file))
                result.problems.extend(reader.problems)
            result.problems.extend(confidence_scale(readers, result.sets, file))
    except LimitExceeded:
        raise
    except Exception as exc:  # a malformed sheet fails in openpyxl in many ways
        result.problems.append(problem(message("IMP022", detail=_describe(exc)), file))
    finally:
        workbook.close()
    return result
