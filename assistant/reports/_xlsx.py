"""Excel report: an annotated workbook built with openpyxl in write-only mode.

Sheets, in order:

1. OKR: one row per key result (objective columns repeated so filters work), an extra
   row for an objective that has findings of its own or no key results, and a row for
   the set when it has set-level findings; then the highest severity, the codes, the
   messages and the fixes of the findings on that item.
2. Findings: every finding with all its fields.
3. Summary: the counts of ``Review.summary()``.
4. Input problems (only when there are any).
5. One sheet per tabular input (CSV, or an XLSX sheet) that findings point to by row: the
   original rows, re-read read-only from the file, with Severity / Codes / Findings columns
   appended on the rows the findings point to.

Write-only mode streams rows to the file, so 100,000 KRs stay within modest memory;
column widths and frozen panes are therefore set before the first row is written.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..findings import Finding, Severity
from ..importers._encoding import decode
from ..importers.messages import problem_reason
from ..importers.sniff import sniff_delimiter
from ..model import OKRSet, SourceRef
from ..review import DIMENSION_ORDER, SEVERITY_ORDER, Review, Summary
from ..rules.catalogue import dimension_label, dimension_letter, rules
from ._index import ReviewIndex
from ._labels import label, language_of, level_label, problem_label, severity_label

if TYPE_CHECKING:
    from ..knowledge.notes import Note

_MAX_CELL = 32767  # Excel's limit on characters in a cell
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = str.maketrans({c: "_" for c in "[]:*?/\\"})
TABULAR_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}

SEVERITY_FILL = {
    Severity.error: PatternFill("solid", fgColor="FFC7CE"),
    Severity.warning: PatternFill("solid", fgColor="FFEB9C"),
    Severity.info: PatternFill("solid", fgColor="DDEBF7"),
}
SEVERITY_FONT = {
    Severity.error: Font(color="9C0006", bold=True),
    Severity.warning: Font(color="9C5700", bold=True),
    Severity.info: Font(color="1F4E78"),
}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
ANNOTATION_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")

# Named cell styles. Each is registered once per workbook and copied onto cells as a style
# array: setting font/fill/alignment objects on every cell hashes them each time, which was
# the largest cost in a 100,000-KR workbook.
STYLES: dict[str, dict[str, Any]] = {
    "header": {"font": HEADER_FONT, "fill": HEADER_FILL, "alignment": WRAP},
    "annotation_header": {"font": HEADER_FONT, "fill": ANNOTATION_HEADER_FILL, "alignment": WRAP},
    "title": {"font": Font(bold=True, size=14)},
    "wrap": {"alignment": WRAP},
    "top": {"alignment": TOP},
    **{
        severity.value: {"font": SEVERITY_FONT[severity], "fill": SEVERITY_FILL[severity], "alignment": TOP}
        for severity in Severity
    },
}


# ---------------------------------------------------------------- cells and sheets


# A cell starting with one of these becomes a live formula when it is edited or exported to CSV and opened
# again (OWASP, CSV injection): = + - @, tab and carriage return, and the full-width forms a CJK input method
# turns into them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: str) -> str:
    """Text that no spreadsheet reads as a formula: a single quote before a leading trigger, as OWASP advises."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _text(value: str) -> str:
    """A string Excel accepts and never evaluates: no control characters, formula triggers quoted, ≤ 32,767 chars."""
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)[:_MAX_CELL]


def _display_width(value: Any) -> int:
    """Rough column width of a value: CJK characters count double."""
    text = str(value) if value is not None else ""
    longest = 0
    for line in text.splitlines() or [""]:
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:200])
        longest = max(longest, width)
    return longest


def _sheet_name(wanted: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no ``[]:*?/\\``, at most 31 characters, unique ignoring case."""
    base = wanted.translate(_SHEET_NAME_BAD).strip().strip("'") or "Sheet"
    if base.lower() == "history":  # reserved by Excel
        base += "_"
    name = base[:_SHEET_NAME_MAX]
    counter = 2
    while name.lower() in taken:
        suffix = f" ({counter})"
        name = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
        counter += 1
    taken.add(name.lower())
    return name


class _Book:
    """The write-only workbook being built: sheet names taken so far and registered styles."""

    def __init__(self) -> None:
        self.wb = Workbook(write_only=True)
        self.taken: set[str] = set()
        self._styles: dict[str, StyleArray] = {}

    def sheet(self, title: str) -> WriteOnlyWorksheet:
        return self.wb.create_sheet(_sheet_name(title, self.taken))

    def cell(self, ws: WriteOnlyWorksheet, value: Any, style: str | None = None) -> Any:
        """A value ready for ``ws.append``: plain when possible, a styled cell when asked.

        Text that starts with a formula trigger gets a leading single quote (``'=1+1``), and text that looks
        like an Excel error (``#N/A``) is forced to be text, so neither is ever evaluated.
        """
        forced_text = False
        if isinstance(value, str):
            value = _text(value)
            forced_text = value in ERROR_CODES
        if style is None and not forced_text:
            return value
        cell = WriteOnlyCell(ws)
        if forced_text:
            cell._value = value
            cell.data_type = "s"
        else:
            cell.value = value
        if style is not None:
            template = self._styles.get(style)
            if template is None:
                probe = WriteOnlyCell(ws)
                for name, setting in STYLES[style].items():
                    setattr(probe, name, setting)
                template = self._styles[style] = probe._style
            cell._style = copy(template)
        return cell


class _Sheet:
    """A write-only sheet with a styled, frozen header row and fixed column widths."""

    def __init__(self, book: _Book, title: str, columns: Sequence[tuple[str, float]], wrap: Iterable[int] = ()) -> None:
        self.book = book
        self.ws = book.sheet(title)
        self.width = len(columns)
        self.wrap = frozenset(wrap)
        for i, (_, width) in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = "A2"
        self.ws.append([book.cell(self.ws, name, "header") for name, _ in columns])
        self.rows = 1

    def append(self, values: list[Any], severity: Severity | None = None, severity_col: int | None = None) -> None:
        """One data row; wrapped columns wrap, the severity cell gets its colour."""
        cell, ws, wrap = self.book.cell, self.ws, self.wrap
        cells = []
        for i, value in enumerate(values):
            if i == severity_col and severity is not None:
                cells.append(cell(ws, value, severity.value))
            elif value and i in wrap:
                cells.append(cell(ws, value, "wrap"))
            else:
                cells.append(cell(ws, value))
        ws.append(cells)
        self.rows += 1

    def autofilter(self) -> None:
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.width)}{max(self.rows, 2)}"


# ---------------------------------------------------------------- findings on one item


def _highest(findings: list[Finding]) -> Severity | None:
    return max((f.severity for f in findings), key=lambda s: s.rank, default=None)


def _codes(findings: list[Finding]) -> str:
    return ", ".join(dict.fromkeys(f.code for f in findings))


def _annotation(findings: list[Finding], lang: str) -> str:
    """``MEA002 · O1.KR2：message`` then ``→ fix`` for each finding, one block per finding."""
    colon = label("colon", lang)
    blocks = []
    for f in findings:
        item = f.key_result or f.objective or f.set_key
        block = f"{f.code} · {item}{colon}{f.message}"
        if f.fix:
            block += f"\n→ {f.fix}"
        blocks.append(block)
    return "\n".join(blocks)


# ---------------------------------------------------------------- sheet 1: OKR


def _okr_sheet(book: _Book, index: ReviewIndex, lang: str) -> None:
    columns = [
        (label("set", lang), 22),
        (label("objective_id", lang), 9),
        (label("objective", lang), 36),
        (label("key_result_id", lang), 9),
        (label("key_result", lang), 48),
        (label("owner", lang), 12),
        (label("source", lang), 22),
        (label("highest_severity", lang), 11),
        (label("codes", lang), 16),
        (label("findings", lang), 60),
        (label("fix", lang), 50),
    ]
    sheet = _Sheet(book, label("sheet_okr", lang), columns, wrap=(2, 4, 9, 10))
    colon = label("colon", lang)

    def write(values: list[Any], findings: list[Finding]) -> None:
        severity = _highest(findings)
        sheet.append(
            [
                *values,
                severity_label(severity, lang) if severity else None,
                _codes(findings) or None,
                "\n".join(f"{f.code}{colon}{f.message}" for f in findings) or None,
                "\n".join(f"{f.code}{colon}{f.fix}" for f in findings if f.fix) or None,
            ],
            severity,
            7,
        )

    def where(source: SourceRef | None) -> str | None:
        return source.describe() if source is not None else None

    for group in index.groups:
        pending: dict[str | None, list[Finding]] = {}
        for finding in group.findings:
            pending.setdefault(finding.key_result or finding.objective, []).append(finding)
        set_level = pending.pop(None, [])
        first: OKRSet | None = group.sets[0] if group.sets else None
        if set_level or (first is not None and not first.objectives):
            owner = first.owner if first is not None else None
            write([group.key, None, None, None, None, owner, where(group.source)], set_level)
        for okr_set in group.sets:
            for objective in okr_set.objectives:
                own = pending.pop(objective.id, [])
                head = [group.key, objective.id, objective.text]
                if own or not objective.key_results:
                    write([*head, None, None, objective.owner, where(objective.source)], own)
                for kr in objective.key_results:
                    source = kr.source or objective.source
                    write(
                        [*head, kr.id, kr.text, kr.owner, where(source)],
                        pending.pop(objective.kr_ref(kr), []),
                    )
        for findings in pending.values():  # findings on items that were not read
            orphan = findings[0]
            write([group.key, orphan.objective, None, orphan.key_result, None, None, where(orphan.source)], findings)
    sheet.autofilter()


# ---------------------------------------------------------------- sheet 2: Findings


def _findings_sheet(book: _Book, index: ReviewIndex, tops: dict[str, list[Finding]], lang: str) -> None:
    """Every finding with all its fields; ``Priority`` numbers each set's findings to fix first (1, 2, 3)."""
    priority = {id(f): rank for top in tops.values() for rank, f in enumerate(top, start=1)}
    columns = [
        (label("set", lang), 22),
        (label("objective_id", lang), 9),
        (label("key_result_id", lang), 11),
        (label("severity", lang), 10),
        (label("code", lang), 9),
        (label("rule_title", lang), 24),
        (label("priority", lang), 8),
        (label("dimension", lang), 11),
        (label("message", lang), 50),
        (label("evidence", lang), 24),
        (label("span", lang), 9),
        (label("fix", lang), 50),
        (label("note", lang), 20),
        (label("note_title", lang), 20),
        (label("note_summary", lang), 40),
        (label("file", lang), 22),
        (label("sheet", lang), 12),
        (label("row", lang), 7),
        (label("line", lang), 7),
    ]
    sheet = _Sheet(book, label("sheet_findings", lang), columns, wrap=(8, 9, 11, 14))
    table = rules()
    review = index.review
    for group in index.groups:
        for f in group.findings:
            info = table.get(f.code)
            source = f.source or index.source(f)
            sheet.append(
                [
                    f.set_key,
                    f.objective,
                    f.key_result,
                    severity_label(f.severity, lang),
                    f.code,
                    info.title[lang] if info else None,
                    priority.get(id(f)),
                    dimension_label(f.dimension, lang),
                    f.message,
                    f.evidence or None,
                    f"{f.span[0]}–{f.span[1]}" if f.span else None,
                    f.fix,
                    f.note,
                    *_note_cells(review.note(f.note), lang),
                    source.file if source else None,
                    source.sheet if source else None,
                    source.row if source else None,
                    source.line if source else None,
                ],
                f.severity,
                3,
            )
    sheet.autofilter()


def _note_cells(note: Note | None, lang: str) -> tuple[str | None, str | None]:
    return (note.title_in(lang), note.summary_in(lang)) if note else (None, None)


# ---------------------------------------------------------------- sheet 3: Summary


def _summary_sheet(book: _Book, review: Review, summary: Summary, lang: str, notes: list[str]) -> None:
    ws = book.sheet(label("sheet_summary", lang))
    cell = book.cell
    for i, width in enumerate((26, 18, 14, 12, 10, 10), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for i in range(7, 7 + len(SEVERITY_ORDER) + len(DIMENSION_ORDER)):
        ws.column_dimensions[get_column_letter(i)].width = 9

    def head(*names: str) -> None:
        ws.append([cell(ws, n, "header") for n in names])

    ws.append([cell(ws, label("title", lang), "title")])
    ws.append([label("generated_at", lang), review.generated_at.isoformat(timespec="seconds")])
    ws.append([label("tool", lang), f"okr-review {review.tool_version}"])
    ws.append([label("language", lang), lang])
    for i, name in enumerate(review.inputs):
        ws.append([cell(ws, label("inputs", lang) if i == 0 else None), cell(ws, name)])
    ws.append([])
    head(label("metric", lang), label("count", lang))
    totals = [
        (label("sets", lang), summary.sets),
        (label("objectives", lang), summary.objectives),
        (label("key_results", lang), summary.key_results),
        (label("findings", lang), summary.findings),
        *((severity_label(s, lang), summary.by_severity.get(s.value, 0)) for s in SEVERITY_ORDER),
        (label("input_errors", lang), summary.input_errors),
        (label("input_warnings", lang), summary.input_warnings),
    ]
    for name, value in totals:
        ws.append([name, value])
    ws.append([])
    head(label("dimension", lang), "key", label("letter", lang), label("count", lang))
    for d in DIMENSION_ORDER:
        ws.append([dimension_label(d, lang), d.value, dimension_letter(d), summary.by_dimension.get(d.value, 0)])
    ws.append([])
    head(
        label("set", lang),
        label("team", lang),
        label("cycle", lang),
        label("level", lang),
        label("objectives", lang),
        label("key_results", lang),
        *(severity_label(s, lang) for s in SEVERITY_ORDER),
        *(dimension_label(d, lang) for d in DIMENSION_ORDER),
    )
    for row in summary.per_set:
        ws.append(
            [
                cell(ws, row.key),
                cell(ws, row.team),
                cell(ws, row.cycle),
                level_label(row.level, lang) or None,
                row.objectives,
                row.key_results,
                *(row.by_severity.get(s.value, 0) for s in SEVERITY_ORDER),
                *(row.by_dimension.get(d.value, 0) for d in DIMENSION_ORDER),
            ]
        )
    if summary.by_code:
        ws.append([])
        head(label("code", lang), label("rule_title", lang), label("count", lang))
        table = rules()
        for code in sorted(summary.by_code):
            info = table.get(code)
            ws.append([cell(ws, code), info.title[lang] if info else None, summary.by_code[code]])
    for note in notes:
        ws.append([])
        ws.append([cell(ws, note)])


def _problems_sheet(book: _Book, review: Review, lang: str) -> None:
    columns = [
        (label("file", lang), 30),
        (label("sheet", lang), 12),
        (label("row", lang), 7),
        (label("line", lang), 7),
        (label("field", lang), 16),
        (label("severity", lang), 11),
        (label("reason", lang), 70),
    ]
    sheet = _Sheet(book, label("sheet_problems", lang), columns, wrap=(6,))
    for p in review.problems:
        severity = Severity.error if p.level.value == "error" else Severity.warning
        sheet.append(
            [p.file, p.sheet, p.row, p.line, p.field, problem_label(p.level, lang), problem_reason(p, lang)],
            severity,
            5,
        )
    sheet.autofilter()


# ---------------------------------------------------------------- sheets 5…: the annotated inputs


@dataclass(slots=True)
class _Input:
    """One tabular input (a CSV file, or one sheet of an XLSX file) and the findings per row."""

    path: Path
    kind: str  # "csv" or "xlsx"
    sheet: str | None
    rows: dict[int, list[Finding]] = field(default_factory=dict)


def _tabular_inputs(index: ReviewIndex) -> list[_Input]:
    inputs: dict[tuple[str, str | None], _Input] = {}
    for group in index.groups:
        for finding in group.findings:
            source = index.source(finding)
            if source is None or source.row is None:
                continue
            kind = TABULAR_SUFFIXES.get(Path(source.file).suffix.lower())
            if kind is None:
                continue
            key = (source.file, source.sheet if kind == "xlsx" else None)
            entry = inputs.get(key)
            if entry is None:
                path = Path(source.file)
                if not path.is_file():
                    continue
                entry = inputs[key] = _Input(path, kind, key[1])
            entry.rows.setdefault(source.row, []).append(finding)
    return list(inputs.values())


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    """The records of a CSV file, opened read-only and decoded the way the importer decodes it."""
    decoded = decode(path.read_bytes())
    if decoded is None:
        raise ValueError("cannot decode the file as UTF-8, UTF-16 or GB18030")
    text = decoded[0].lstrip("\ufeff")
    delimiter = sniff_delimiter(text, path.suffix)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[list[Any]]:
    """The rows of one sheet of a workbook, values only, opened read-only."""
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise KeyError(f"no sheet named {sheet!r}")
        ws.reset_dimensions()  # a stale <dimension> would cut rows off
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        wb.close()


def _rows_of(entry: _Input) -> Iterator[list[Any]]:
    return _csv_rows(entry.path) if entry.kind == "csv" else _xlsx_rows(entry.path, entry.sheet)


def _input_sheet(book: _Book, entry: _Input, name: str, lang: str) -> None:
    """Copy the input's rows and append Severity / Codes / Findings on the rows findings point to."""
    width = 0
    header_row = 0
    widths: dict[int, int] = {}
    for number, row in enumerate(_rows_of(entry), 1):  # pass 1: shape of the table
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
        width = max(width, len(row))
        if number <= 200:
            for i, value in enumerate(row):
                widths[i] = max(widths.get(i, 0), _display_width(value))
        if not header_row and sum(1 for v in row if v not in (None, "")) >= 2:
            header_row = number
    header_row = header_row or 1

    ws = book.sheet(name)
    cell = book.cell
    for i in range(width):
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(widths.get(i, 0) + 2, 6), 50)
    for i, w in enumerate((11, 16, 70)):
        ws.column_dimensions[get_column_letter(width + i + 1)].width = w
    ws.freeze_panes = f"A{header_row + 1}"
    titles = [label("annot_severity", lang), label("annot_codes", lang), label("annot_findings", lang)]

    for number, row in enumerate(_rows_of(entry), 1):  # pass 2: copy and annotate
        values = row[:width] + [None] * (width - len(row))
        if number == header_row:
            cells = [cell(ws, value, "header") for value in values]
            cells += [cell(ws, t, "annotation_header") for t in titles]
        else:
            cells = [cell(ws, value) for value in values]
            findings = entry.rows.get(number)
            severity = _highest(findings) if findings else None
            if findings and severity is not None:
                cells += [
                    cell(ws, severity_label(severity, lang), severity.value),
                    cell(ws, _codes(findings), "top"),
                    cell(ws, _annotation(findings, lang), "wrap"),
                ]
        ws.append(cells)
    if header_row == 1:
        ws.auto_filter.ref = f"A1:{get_column_letter(width + 3)}1"


def _input_sheet_names(entries: list[_Input]) -> list[str]:
    files: dict[Path, int] = {}
    for entry in entries:
        files[entry.path] = files.get(entry.path, 0) + 1
    names = []
    for entry in entries:
        name = entry.path.name
        if entry.sheet and files[entry.path] > 1:
            name = f"{entry.path.stem}-{entry.sheet}"
        names.append(name)
    return names


# ---------------------------------------------------------------- the workbook


def render_xlsx(review: Review) -> bytes:
    """The annotated workbook as the bytes of an .xlsx file."""
    lang = language_of(review)
    summary = review.summary()
    index = ReviewIndex(review)
    book = _Book()
    wb = book.wb
    _okr_sheet(book, index, lang)
    _findings_sheet(book, index, review.top_findings(summary), lang)
    notes: list[str] = []
    entries = _tabular_inputs(index)
    # The summary (sheet 3) also lists inputs that could not be re-read, so it is written
    # last and then moved into third place.
    summary_position = len(wb.worksheets)
    if review.problems:
        _problems_sheet(book, review, lang)
    for entry, name in zip(entries, _input_sheet_names(entries), strict=True):
        try:
            _input_sheet(book, entry, name, lang)
        except (OSError, ValueError, KeyError, csv.Error, zipfile.BadZipFile, InvalidFileException) as exc:
            notes.append(f"{entry.path}: {exc}")
    _summary_sheet(book, review, summary, lang, notes)
    wb._sheets.insert(summary_position, wb._sheets.pop())  # Summary goes third
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
