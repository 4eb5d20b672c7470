"""Flat exports — CSV, TSV, XLSX — as OKR sets: one row per key result, the objective repeated or merged above.

OKR tools (飞书OKR, Tita…) and Excel trackers export one row per key result, repeating the team and the
objective on every row, or leaving them blank under a merged cell. This module finds the header row (it may
sit under a title row), maps the columns to fields (``_columns``), groups rows into sets by (team, cycle)
and into objectives, checks each value once (``_values``) and builds the model without re-validating it.
Confidences are read on the one scale a whole file uses (percent, 0–1 or 1–10; see ``confidence_scale``).

Speed matters: a 100,000-row CSV is read in one streaming pass; conversions are cached per distinct cell
value, and every problem names its file, row and field.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from .._gc import paused_gc
from ..findings import ImportResult, InputProblem, ProblemLevel
from ..model import Action, AlignmentType, Dependency, DependencyStatus, KeyResult, Level, SourceRef
from . import _construct as build
from . import _values as values
from ._columns import IGNORE, ColumnMatcher
from ._encoding import HEAD_BYTES, candidates, decode_head
from ._ids import assign_ids, kr_label, objective_label
from ._limits import LimitExceeded, Limits, check_counts, default_limits
from ._values import TEXT_LIMIT
from .messages import Message, message
from .messages import problem as input_problem
from .sniff import SNIFF_ROWS, sniff_delimiter

__all__ = [
    "HEADER_SCAN_ROWS",
    "Layout",
    "TableReader",
    "confidence_scale",
    "count_items",
    "find_layout",
    "load_csv",
    "no_header",
]

HEADER_SCAN_ROWS = SNIFF_ROWS  # the header row must be among the first rows of a file or sheet

# The order in which a row's cells are unpacked; every field of columns.toml, once.
ROW_FIELDS = (
    "team", "level", "cycle", "cycle_end", "parent", "set_owner",
    "objective_id", "objective", "objective_owner", "objective_confidence", "aligned_to", "alignment",
    "kr_id", "key_result", "owner", "members", "confidence", "due", "baseline", "target", "unit",
    "progress", "score", "dependency", "handshake", "dependency_status", "actions", "note",
    "objective_weight", "current", "status", "updated", "weight", "checkin_note",
)  # fmt: skip

# When a header appears twice, its first column before the key result reads as the objective's own field
# ("目标, 负责人, 关键结果, 负责人").
_OBJECTIVE_TWIN = {"owner": "objective_owner", "confidence": "objective_confidence", "kr_id": "objective_id"}
_ACTION_SPLIT = re.compile(r"\s*(?:\r?\n|；|;)\s*")
_ACTION_MARK = re.compile(r"^(?:[-*•·]\s*|\d{1,2}\s*[.、)）]\s*|[（(]\d{1,2}[)）]\s*)")

# csv's default 128 KiB field limit would abort a file on one huge cell; huge cells are truncated instead. Past
# 4 Mi characters (16 MiB in csv's buffer) a cell is an unclosed quote swallowing the file, reported as such.
csv.field_size_limit(max(csv.field_size_limit(), 4 * 1024 * 1024))
_SURROGATE = re.compile("[\udc80-\udcff]+")  # bytes that did not decode, under errors="surrogateescape"
Row = tuple[int, list[Any]]


@dataclass(slots=True)
class Layout:
    """Where each field sits in a table, read from its header row."""

    header_row: int
    columns: dict[str, int]  # field → 0-based column
    headers: dict[str, str]  # field → the header as written
    problems: list[InputProblem] = field(default_factory=list)
    cycle: str = ""  # a cycle named in a title row above the header ("Engineering OKRs, 2025Q3")


def find_layout(
    rows: list[tuple[int, list[Any]]], matcher: ColumnMatcher, file: str, sheet: str | None
) -> Layout | None:
    """The layout of the first row that has an objective and a key result column, if any."""
    titles: list[str] = []
    for number, cells in rows:
        found: dict[str, list[int]] = {}
        texts: dict[int, str] = {}
        unknown: list[int] = []
        for index, cell in enumerate(cells):
            text = values.cell_text(cell)
            if not text:
                continue
            texts[index] = text
            name = matcher.field_of(text)
            if name is None:
                unknown.append(index)
            elif name != IGNORE:
                found.setdefault(name, []).append(index)
        if "objective" in found and "key_result" in found:
            layout = _layout(number, found, texts, unknown, file, sheet)
            layout.cycle = next((c for c in map(_title_cycle, titles) if c), "")
            return layout
        titles.extend(texts.values())
    return None


def _title_cycle(title: str) -> str | None:
    """The cycle a title row names, when it names one: "运维部 2025Q3 OKR" → 2025Q3."""
    return values.find_cycle(title)[0]


def _layout(
    number: int, found: dict[str, list[int]], texts: dict[int, str], unknown: list[int], file: str, sheet: str | None
) -> Layout:
    """Columns per field of a header row; repeated and unknown columns are reported and ignored."""
    layout = Layout(number, {}, {})
    reasons: list[Message] = []
    kr_column = found["key_result"][0]
    for name, columns in found.items():
        twin = _OBJECTIVE_TWIN.get(name)
        if len(columns) > 1 and twin and twin not in found and columns[0] < kr_column:
            layout.columns[twin], layout.headers[twin] = columns[0], texts[columns[0]]
            columns = columns[1:]
        layout.columns[name], layout.headers[name] = columns[0], texts[columns[0]]
        reasons += [
            message("IMP031", column=texts[extra], first=texts[columns[0]], field=name) for extra in columns[1:]
        ]
    reasons += [message("IMP032", column=texts[index]) for index in unknown]
    layout.problems = [
        input_problem(reason, file, sheet=sheet, row=number, level=ProblemLevel.warning) for reason in reasons
    ]
    return layout


_MISSING = object()
_KR_IDS = tuple(f"KR{position}" for position in range(1, 101))  # shared strings for the usual ids


class _Bad:
    """A cached conversion failure, reported again on every row that has the value."""

    __slots__ = ("level", "reason")

    def __init__(self, error: ValueError) -> None:
        self.reason = values.reason_of(error)
        self.level = ProblemLevel.warning if isinstance(error, values.MissingYear) else ProblemLevel.error


@dataclass(slots=True, eq=False)
class _Objective:
    label: str  # the objective id normalised ("O3"), "" if none or not understood
    oid: str  # the objective id cell as written, "" if blank
    text: str
    row: int
    raw: tuple[Any, ...] = ()  # the last objective-level cells applied, to skip repeats cheaply
    owner: str | None = None
    confidence: float | None = None
    aligned_to: list[str] = field(default_factory=list)
    alignment: AlignmentType | None = None
    weight: float | None = None
    key_results: list[KeyResult] = field(default_factory=list)
    kr_ids: set[str] = field(default_factory=set)  # ids given so far, to spot a repeat as it comes
    kr_repeated: list[str] = field(default_factory=list)
    warned: set[str] = field(default_factory=set)


@dataclass(slots=True, eq=False)
class _Set:
    team: str
    cycle: str | None
    row: int
    raw: tuple[Any, ...] = ()
    level: Level | None = None
    parent: str | None = None
    owner: str | None = None
    cycle_end: date | None = None
    objectives: dict[tuple[str, str], _Objective] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)
    year: int | None = None  # for dates without a year: from the cycle, else the cycle end
    dues: dict[Any, Any] = field(default_factory=dict)  # due cell → date, shared by sets of the same year


class TableReader:
    """Turns the data rows of one table (a CSV file or one sheet) into OKR sets.

    Feed rows with ``add`` in order, then call ``finish``. Cells may be text (CSV) or typed values (XLSX).
    """

    def __init__(self, file: str, sheet: str | None, default_team: str, layout: Layout) -> None:
        self.file = file
        self.sheet = sheet
        self.default_team = default_team
        self.layout = layout
        self.problems: list[InputProblem] = list(layout.problems)
        columns = layout.columns
        self.width = max(columns.values()) + 1
        # A missing field reads the "" appended to every row.
        self._cells: Callable[[list[Any]], tuple[Any, ...]] = itemgetter(*(columns.get(f, -1) for f in ROW_FIELDS))
        self._field_of_column = {index: name for name, index in columns.items()}
        self._kr_column = columns["key_result"]
        self.sets: dict[tuple[str, str | None], _Set] = {}
        self._set: _Set | None = None
        self._objective: _Objective | None = None
        self._set_key: tuple[Any, Any] | None = None  # the team and cycle cells that led to self._set
        self._team = ""  # the last team and cycle given, filled down into blank cells below them
        self._cycle = layout.cycle  # a cycle in the title row is the default for rows that name none
        # Caches keyed by the cell as read: exports repeat the same few names, ids, figures and dates.
        self._names: dict[Any, str | None] = {}
        self._caches: dict[str, dict[Any, Any]] = {}
        self._percents = self._caches["confidence"] = {}
        self._dues: dict[int | None, dict[Any, Any]] = {}
        self._labels: dict[str, dict[Any, str]] = {"objective_id": {}, "kr_id": {}}
        self._kr_labels: dict[Any, str] = {}

    # ---------------------------------------------------------------- problems

    def problem(self, row: int, name: str | None, reason: Message, level: ProblemLevel = ProblemLevel.error) -> None:
        self.problems.append(input_problem(reason, self.file, sheet=self.sheet, row=row, field=name, level=level))

    def field_of_column(self, column: int) -> str | None:
        """The field a 0-based column is read as, if any."""
        return self._field_of_column.get(column)

    def _bad_value(self, row: int, name: str, reason: Message) -> None:
        self.problem(row, name, message("IMP033", column=self.layout.headers.get(name, name), detail=reason))

    # ---------------------------------------------------------------- cell conversions

    def _text(self, value: Any, row: int, name: str, limit: int = values.TEXT_LIMIT) -> str:
        text = value.strip() if type(value) is str else values.cell_text(value)
        if len(text) > limit:
            self.problem(row, name, message("IMP034", length=len(text), limit=limit), ProblemLevel.warning)
            text = text[:limit]
        return text

    def _name(self, value: Any, row: int, name: str) -> str | None:
        """A short cell (owner, unit, parent…), cached: exports repeat the same few names."""
        try:
            return self._names[value]
        except KeyError:
            pass
        text = self._text(value, row, name, values.NAME_LIMIT) or None
        if text is None or len(text) < values.NAME_LIMIT:
            self._names[value] = text
        return text

    def _convert(self, value: Any, row: int, name: str, convert: Callable[[Any], Any]) -> Any:
        """``convert(value)``, cached per field and value; a failure is reported and reads as empty."""
        cache = self._caches.get(name)
        if cache is None:
            cache = self._caches[name] = {}
        try:
            result = cache[value]
        except KeyError:
            try:
                result = convert(value)
            except ValueError as exc:
                result = _Bad(exc)
            cache[value] = result
        if type(result) is _Bad:
            self._bad_value(row, name, result.reason)
            return None
        return result

    def _due(self, value: Any, row: int, okr_set: _Set) -> date | None:
        cache = okr_set.dues
        try:
            result = cache[value]
        except KeyError:
            try:
                result = values.due_date(value, okr_set.year)
            except ValueError as exc:
                result = _Bad(exc)
            cache[value] = result
        if type(result) is _Bad:
            if result.level is ProblemLevel.warning:
                self.problem(row, "due", message("IMP035", detail=result.reason), ProblemLevel.warning)
            else:
                self._bad_value(row, "due", result.reason)
            return None
        return result

    def _label(self, text: str, parse: Callable[[Any], str | None], row: int, name: str) -> str:
        """The normalised id label of a cell; "" when blank, or when not understood (reported once)."""
        cache = self._labels[name]
        try:
            return cache[text]
        except KeyError:
            pass
        label = parse(text) or ""
        if not label:
            self.problem(row, name, message("IMP036", text=text), ProblemLevel.warning)
        cache[text] = label
        return label

    # ---------------------------------------------------------------- rows

    def add(self, row: int, cells: list[Any], merged: Iterable[int] = (), formulas: Iterable[int] = ()) -> None:
        """Read one data row.

        ``merged``: columns filled from a merged cell; ``formulas``: columns whose formula has no saved value.
        This is the hot loop of a large import: caches are read inline and model objects built directly.
        """
        if len(cells) < self.width:
            cells.extend([""] * (self.width - len(cells)))
        cells.append("")
        if formulas and not self._formulas(row, formulas):
            return
        (team, level, cycle, cycle_end, parent, set_owner,
         oid, otext, oowner, oconf, aligned, alignment,
         kid, ktext, owner, members, conf, due, baseline, target, unit,
         progress, score, dep, hand, dstatus, actions, note,
         oweight, current, status, updated, weight, cnote) = self._cells(cells)  # fmt: skip

        otext = otext.strip() if otext.__class__ is str else values.cell_text(otext)
        if len(otext) > TEXT_LIMIT:
            otext = self._truncate(otext, row, "objective")
        ktext = ktext.strip() if ktext.__class__ is str else values.cell_text(ktext)
        if len(ktext) > TEXT_LIMIT:
            ktext = self._truncate(ktext, row, "key_result")
        names = self._names
        if oid != "":
            found = names.get(oid, _MISSING)
            oid = found if found is not _MISSING else self._name(oid, row, "objective_id")
        objective = self._objective
        if otext or oid:
            okr_set = self._set
            if okr_set is None or (team, cycle) != self._set_key:  # the same cells as the row above: same set
                okr_set = self._set_of(team, cycle, row)
            objective = self._objective
            if objective is None or objective.text != otext or objective.oid != (oid or ""):
                objective = self._objective_of(okr_set, oid or "", otext, row)
                if objective is None:
                    return
        elif ktext or actions or dep:
            if objective is None or (team != "" and self._name(team, row, "team") != self._team):
                self.problem(row, "objective", message("IMP037"))
                return
            okr_set = self._set
        else:
            return  # a blank row
        assert okr_set is not None
        if set_owner or level or parent or cycle_end:
            set_raw = (level, parent, set_owner, cycle_end)
            if set_raw != okr_set.raw:
                okr_set.raw = set_raw
                self._set_fields(okr_set, row, level, parent, set_owner, cycle_end)
        if oowner or oconf or aligned or alignment or oweight:
            raw = (oowner, oconf, aligned, alignment, oweight)
            if raw != objective.raw:
                self._objective_fields(objective, row, raw)

        if not ktext:
            if objective.key_results and (actions or dep):  # more actions or handshakes of the KR above
                self._continue_kr(objective.key_results[-1], row, actions, dep, hand, dstatus)
            elif owner or conf or due or score or progress:
                self.problem(row, "key_result", message("IMP038"), ProblemLevel.warning)
            return
        if merged and self._kr_column in merged and objective.key_results:  # a KR cell merged over rows
            self._continue_kr(objective.key_results[-1], row, actions, dep, hand, dstatus)
            return

        # The KR's id: its own label, else its position; finish() renumbers an objective with a repeat.
        key_results = objective.key_results
        kr_id = self._kr_labels.get(kid) or self._kr_label(kid, row) if kid != "" else ""
        if not kr_id:
            kr_id = _KR_IDS[len(key_results)] if len(key_results) < len(_KR_IDS) else f"KR{len(key_results) + 1}"
        if kr_id in objective.kr_ids:
            objective.kr_repeated.append(kr_id)
        else:
            objective.kr_ids.add(kr_id)
        if owner != "":
            found = names.get(owner, _MISSING)
            owner = found if found is not _MISSING else self._name(owner, row, "owner")
        else:
            owner = None
        if conf != "":
            found = self._percents.get(conf)
            conf = found if found.__class__ is float else self._convert(conf, row, "confidence", values.percent)
        else:
            conf = None
        if due != "":
            found = okr_set.dues.get(due)
            due = found if found.__class__ is date else self._due(due, row, okr_set)
        else:
            due = None
        kr = build.from_values(
            KeyResult,
            {
                "id": kr_id,
                "text": ktext,
                "owner": owner,
                "members": values.names(self._text(members, row, "members")) if members != "" else [],
                "due": due,
                "confidence": conf,
                "baseline": self._convert(baseline, row, "baseline", values.number) if baseline != "" else None,
                "target": self._convert(target, row, "target", values.number) if target != "" else None,
                "unit": self._name(unit, row, "unit") if unit != "" else None,
                "progress": self._convert(progress, row, "progress", values.percent) if progress != "" else None,
                "score": self._convert(score, row, "score", values.score) if score != "" else None,
                "dependencies": self._dependencies(row, dep, hand, dstatus) if dep or hand or dstatus else [],
                "actions": self._actions(row, actions) if actions != "" else [],
                "note": (self._text(note, row, "note") or None) if note != "" else None,
                "source": build.from_values(
                    SourceRef, {"file": self.file, "line": None, "row": row, "sheet": self.sheet}
                ),
                "current": self._convert(current, row, "current", values.number) if current != "" else None,
                "status": self._name(status, row, "status") if status != "" else None,
                "updated": self._convert(updated, row, "updated", values.due_date) if updated != "" else None,
                "weight": self._convert(weight, row, "weight", values.percent) if weight != "" else None,
                "checkin_note": (self._text(cnote, row, "checkin_note") or None) if cnote != "" else None,
                "history": [],
            },
        )
        key_results.append(kr)

    def _formulas(self, row: int, columns: Iterable[int]) -> bool:
        """Report formulas without a saved value in mapped columns; False when the row cannot be read."""
        readable = True
        for column in columns:
            name = self._field_of_column.get(column)
            if name is not None:
                self.problem(row, name, message("IMP039"))
                readable = readable and name not in ("objective", "key_result")
        return readable

    def _truncate(self, text: str, row: int, name: str, limit: int = TEXT_LIMIT) -> str:
        self.problem(row, name, message("IMP034", length=len(text), limit=limit), ProblemLevel.warning)
        return text[:limit]

    def _kr_label(self, value: Any, row: int) -> str:
        """The label of a KR id cell ("" when not understood), cached by the cell as read."""
        text = self._name(value, row, "kr_id") or ""
        label = self._label(text, kr_label, row, "kr_id") if text else ""
        self._kr_labels[value] = label
        return label

    def _set_of(self, team: Any, cycle: Any, row: int) -> _Set:
        """The set a row with an objective belongs to; blank team and cycle cells fill down."""
        key = (team, cycle)
        team = self._name(team, row, "team") or ""
        cycle = self._name(cycle, row, "cycle") or ""
        if team:
            self._team = team
        else:
            team = self._team or self.default_team
        if cycle:
            self._cycle = cycle
        else:
            cycle = self._cycle
        # Blank cells fill down from the last given ones, so the same cells always lead to the same set.
        self._set_key = key
        normal = (team, values.normalise_cycle(cycle) if cycle else None)
        okr_set = self.sets.get(normal)
        if okr_set is None:
            okr_set = self.sets[normal] = _Set(team, normal[1], row)
            okr_set.year = values.cycle_year(normal[1])
            okr_set.dues = self._dues.setdefault(okr_set.year, {})
        if okr_set is not self._set:
            self._set = okr_set
            self._objective = None
        return okr_set

    def _objective_of(self, okr_set: _Set, oid: str, text: str, row: int) -> _Objective | None:
        label = self._label(oid, objective_label, row, "objective_id") if oid else ""
        if not text:  # an id without text: an objective met earlier in this set
            for candidate in okr_set.objectives.values():
                if candidate.oid == oid:
                    self._objective = candidate
                    return candidate
            self.problem(row, "objective", message("IMP040"))
            return None
        objective = okr_set.objectives.get((label, text))
        if objective is None:
            objective = okr_set.objectives[(label, text)] = _Objective(label, oid, text, row)
        self._objective = objective
        return objective

    def _keep(self, warned: set[str], name: str, old: Any, new: Any, row: int) -> Any:
        """The first value of a field given on several rows of one item; a differing one is reported once."""
        if old is None or new is None or old == new:
            return new if old is None else old
        if name not in warned:
            warned.add(name)
            self.problem(row, name, message("IMP041", old=repr(old), new=repr(new)), ProblemLevel.warning)
        return old

    def _set_fields(self, okr_set: _Set, row: int, level: Any, parent: Any, owner: Any, cycle_end: Any) -> None:
        warned = okr_set.warned
        if level != "":
            okr_set.level = self._keep(
                warned, "level", okr_set.level, self._convert(level, row, "level", values.level), row
            )
        if parent:
            okr_set.parent = self._keep(warned, "parent", okr_set.parent, self._name(parent, row, "parent"), row)
        if owner:
            okr_set.owner = self._keep(warned, "set_owner", okr_set.owner, self._name(owner, row, "set_owner"), row)
        if cycle_end != "":
            end = self._convert(cycle_end, row, "cycle_end", values.due_date)
            okr_set.cycle_end = self._keep(warned, "cycle_end", okr_set.cycle_end, end, row)
            if okr_set.year is None and okr_set.cycle_end is not None:
                okr_set.year = okr_set.cycle_end.year
                okr_set.dues = self._dues.setdefault(okr_set.year, {})

    def _objective_fields(self, objective: _Objective, row: int, raw: tuple[Any, ...]) -> None:
        """Apply the objective-level cells of a row; cells equal to the previous row's are skipped."""
        owner, confidence, aligned, alignment, weight = raw
        previous = objective.raw or ("", "", "", "", "")
        objective.raw = raw
        warned = objective.warned
        if owner and owner != previous[0]:
            value = self._name(owner, row, "objective_owner")
            objective.owner = self._keep(warned, "objective_owner", objective.owner, value, row)
        if confidence != "" and confidence != previous[1]:
            value = self._convert(confidence, row, "objective_confidence", values.percent)
            objective.confidence = self._keep(warned, "objective_confidence", objective.confidence, value, row)
        if aligned and aligned != previous[2]:  # several rows may each name a parent KR the objective takes on
            refs = self._convert(aligned, row, "aligned_to", self._refs)
            objective.aligned_to.extend(ref for ref in refs or () if ref not in objective.aligned_to)
        if alignment != "" and alignment != previous[3]:
            value = self._convert(alignment, row, "alignment", values.alignment)
            objective.alignment = self._keep(warned, "alignment", objective.alignment, value, row)
        if weight != "" and weight != previous[4]:
            value = self._convert(weight, row, "objective_weight", values.percent)
            objective.weight = self._keep(warned, "objective_weight", objective.weight, value, row)

    @staticmethod
    def _refs(cell: Any) -> tuple[str, ...]:
        return tuple(values.refs(values.cell_text(cell)[:TEXT_LIMIT]))

    def _dependencies(self, row: int, teams: Any, point: Any, status: Any) -> list[Dependency]:
        names = values.names(self._text(teams, row, "dependency")) if teams else []
        point_text = self._text(point, row, "handshake") or None if point else None
        state: DependencyStatus | None = None
        if status != "":
            state = self._convert(status, row, "dependency_status", values.status)
        if not names:
            if point_text or state:
                self.problem(row, "dependency", message("IMP042"), ProblemLevel.warning)
            return []
        return [build.dependency(team[: values.NAME_LIMIT], point_text, state) for team in names]

    def _actions(self, row: int, cell: Any) -> list[Action]:
        text = self._text(cell, row, "actions")
        found = []
        for part in _ACTION_SPLIT.split(text):
            part = _ACTION_MARK.sub("", part).strip()
            if part:
                found.append(build.action(part))
        return found

    def _continue_kr(self, kr: KeyResult, row: int, actions: Any, dep: Any, hand: Any, dstatus: Any) -> None:
        if actions:
            kr.actions.extend(self._actions(row, actions))
        if dep or hand or dstatus:
            kr.dependencies.extend(self._dependencies(row, dep, hand, dstatus))

    # ---------------------------------------------------------------- result

    def confidence_cells(self) -> list[Any]:
        """The distinct confidence cells read (key result and objective columns), those that read as a percentage."""
        cells = []
        for name in ("confidence", "objective_confidence"):
            cells += [cell for cell, value in self._caches.get(name, {}).items() if type(value) is not _Bad]
        return cells

    def finish(self) -> list[Any]:
        """The OKR sets read, with final ids; problems are in ``self.problems``."""
        sets = []
        for okr_set in self.sets.values():
            objectives = list(okr_set.objectives.values())
            ids, repeated = assign_ids([o.label or None for o in objectives], "O")
            if repeated:
                text = message("IMP043", ids=", ".join(repeated), team=okr_set.team)
                self.problem(okr_set.row, "objective_id", text, ProblemLevel.warning)
            built = []
            for objective, oid in zip(objectives, ids, strict=True):
                if objective.kr_repeated:
                    text = message("IMP044", ids=", ".join(dict.fromkeys(objective.kr_repeated)), objective=oid)
                    self.problem(objective.row, "kr_id", text, ProblemLevel.warning)
                    for position, kr in enumerate(objective.key_results, 1):
                        kr.id = f"KR{position}"
                built.append(
                    build.objective(
                        oid,
                        objective.text,
                        owner=objective.owner,
                        confidence=objective.confidence,
                        aligned_to=objective.aligned_to,
                        alignment=objective.alignment,
                        weight=objective.weight,
                        key_results=objective.key_results,
                        source=build.source(self.file, row=objective.row, sheet=self.sheet),
                    )
                )
            sets.append(
                build.okr_set(
                    okr_set.team,
                    level=okr_set.level,
                    cycle=okr_set.cycle,
                    cycle_end=okr_set.cycle_end,
                    parent=okr_set.parent,
                    owner=okr_set.owner,
                    objectives=built,
                    source=build.source(self.file, row=okr_set.row, sheet=self.sheet),
                )
            )
        return sets


def confidence_scale(readers: Iterable[TableReader], sets: list[Any], file: str) -> list[InputProblem]:
    """Read one file's confidences on the scale all its tables share: 1–10 values in ``sets`` become percentages.

    The scale is a property of the export, so it is detected once over every table of the file; the notice
    saying which scale was assumed, when that was a guess, is returned.
    """
    cells = [cell for reader in readers for cell in reader.confidence_cells()]
    reading = values.confidence_scale(cells)
    if reading.scale is values.ConfidenceScale.ten:
        rescaled = ((values.percent(cell), values.confidence(cell, reading.scale)) for cell in cells)
        build.rescale_confidence(sets, {read: new for read, new in rescaled if read is not None and new is not None})
    return values.scale_problems(reading, file)


# ---------------------------------------------------------------- CSV


def load_csv(path: Path, file: str, matcher: ColumnMatcher, limits: Limits | None = None) -> ImportResult:
    """Read a CSV or TSV export, trying the candidate encodings in order until one reads the whole file.

    When none does, the file is read in the most likely one and each row it cannot decode is reported and
    skipped, so one bad row (a paste from another tool) costs that row, not the file.
    """
    limits = limits or default_limits()
    result = ImportResult()
    with path.open("rb") as handle:
        head = handle.read(HEAD_BYTES)
    if not head.strip() or head in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        result.problems.append(input_problem(message("IMP001"), file))
        return result
    order = candidates(head)
    utf8 = order[0] == "utf-8" and _mostly_utf8(head)
    if utf8:
        order = ["utf-8"]  # real UTF-8 text in the head: bytes that do not decode are bad rows, not GBK
    readable = [(encoding, text) for encoding in order if (text := decode_head(head, encoding)) is not None]
    for encoding, text in readable:
        delimiter = sniff_delimiter(text, path.suffix)
        try:
            return _read_csv(path, file, matcher, encoding, delimiter, limits)
        except UnicodeDecodeError:
            continue
    fallback = "utf-8" if utf8 else next((encoding for encoding, _ in readable), None)
    if fallback is not None:
        text = head.decode(fallback, "surrogateescape") if fallback == "utf-8" else readable[0][1]
        delimiter = sniff_delimiter(text, path.suffix)
        return _read_csv(path, file, matcher, fallback, delimiter, limits, strict=False)
    result.problems.append(input_problem(message("IMP011"), file))
    return result


def _mostly_utf8(head: bytes) -> bool:
    """Whether the start of a file is UTF-8 text, perhaps with a few bytes that do not decode (a pasted row)."""
    text = head.decode("utf-8", "surrogateescape")
    bad = sum(len(run) for run in _SURROGATE.findall(text))
    good = sum(1 for char in text if ord(char) > 127) - bad
    return good > bad


class _Lines:
    """The lines of a CSV text stream, checked as they pass: too many cells stop the file; quotes are counted."""

    __slots__ = ("cells", "delimiter", "done", "lines", "number", "quotes")

    def __init__(self, lines: Iterator[str], delimiter: str, cells: int) -> None:
        self.lines, self.delimiter, self.cells = lines, delimiter, cells
        self.number = self.quotes = 0
        self.done = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self.lines)
        except StopIteration:
            self.done = True
            raise
        self.number += 1
        self.quotes += line.count('"')
        if line.count(self.delimiter) >= self.cells:
            raise LimitExceeded("cells-per-row", self.cells, message("IMP102", limit=self.cells), line=self.number)
        return line


def _records(lines: _Lines, delimiter: str, limits: Limits, file: str, problems: list[InputProblem]) -> Iterator[Row]:
    """Numbered CSV records; a record that swallowed other lines through an unclosed quote is reported, not read."""
    reader = csv.reader(lines, delimiter=delimiter)
    number = 0
    while True:
        first, quotes = lines.number + 1, lines.quotes
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(input_problem(message("IMP045", detail=str(exc)), file, row=number + 1, line=first))
            return
        number += 1
        if number > limits.rows:
            raise LimitExceeded("rows", limits.rows, message("IMP101", limit=limits.rows), row=number, line=first)
        last = lines.number
        if last - first >= limits.row_lines:
            reason = message("IMP046", count=last - first + 1, first=first, last=last, limit=limits.row_lines)
            problems.append(input_problem(reason, file, row=number, line=first))
            continue
        if last > first and lines.done and (lines.quotes - quotes) % 2:
            problems.append(input_problem(message("IMP047", first=first, last=last), file, row=number, line=first))
            continue
        yield number, cells


def _undecodable(reader: TableReader, encoding: str) -> Callable[[int, list[Any]], None]:
    """``reader.add`` for text read with ``surrogateescape``: a row holding bytes that did not decode is skipped."""
    add = reader.add

    def checked(number: int, cells: list[Any]) -> None:
        bad = next((index for index, cell in enumerate(cells) if _SURROGATE.search(cell)), None)
        if bad is None:
            add(number, cells)
            return
        sample = _SURROGATE.search(cells[bad]).group().encode(encoding, "surrogateescape")  # type: ignore[union-attr]
        reason = message("IMP048", bytes=sample[:12].hex(" "), encoding=encoding)
        reader.problem(number, reader.field_of_column(bad), reason)

    return checked


def _read_csv(
    path: Path,
    file: str,
    matcher: ColumnMatcher,
    encoding: str,
    delimiter: str,
    limits: Limits,
    *,
    strict: bool = True,
) -> ImportResult:
    result = ImportResult()
    swallowed: list[InputProblem] = []
    # Not strict: bad UTF-8 bytes are kept as escapes (a row reports them); other codecs cannot escape every
    # byte (a truncated UTF-16 tail, say), so they get the replacement character instead.
    errors = "strict" if strict else "surrogateescape" if encoding == "utf-8" else "replace"
    with (
        paused_gc(),
        path.open("rb") as raw,
        io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="") as text,
    ):
        rows = _records(_Lines(text, delimiter, limits.cells_per_row), delimiter, limits, file, swallowed)
        first = list(islice(rows, HEADER_SCAN_ROWS))
        if not any(any(c.strip() for c in cells) for _, cells in first):
            result.problems.append(input_problem(message("IMP001"), file))
            result.problems.extend(swallowed)
            return result
        layout = find_layout(first, matcher, file, None)
        if layout is None:
            result.problems.append(no_header(file, None))
            result.problems.extend(swallowed)
            return result
        reader = TableReader(file, None, Path(file).stem or file, layout)
        add = reader.add if strict else _undecodable(reader, encoding)
        for number, cells in first:
            if number > layout.header_row:
                add(number, cells)
        for number, cells in rows:
            add(number, cells)
        result.sets = reader.finish()
    check_counts(*count_items(result.sets), limits)
    result.problems.extend(reader.problems)
    result.problems.extend(swallowed)
    result.problems.extend(confidence_scale([reader], result.sets, file))
    return result


def count_items(sets: list[Any]) -> tuple[int, int]:
    """Objectives and key results in ``sets``."""
    objectives = [o for s in sets for o in s.objectives]
    return len(objectives), sum(len(o.key_results) for o in objectives)


def no_header(file: str, sheet: str | None, level: ProblemLevel = ProblemLevel.error) -> InputProblem:
    return input_problem(message("IMP030", rows=HEADER_SCAN_ROWS), file, sheet=sheet, level=level)
