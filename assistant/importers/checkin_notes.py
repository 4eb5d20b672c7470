"""Check-in notes: what happened to each key result during the cycle, from a small CSV, YAML or JSON file.

The retrospective (``assist.retrospective``) and the app read them as text per KR ref (``O1.KR2`` or
``TEAM/O1.KR2``). A bad row or entry is reported with its file, row or line and field, and the rest is kept.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..findings import InputProblem, ProblemLevel
from ..model import OKRSet
from ._encoding import decode
from .messages import Message, message
from .messages import problem as input_problem
from .sniff import sniff_delimiter

__all__ = ["checkins_for", "parse_kr_ref", "read_checkins"]

_REF = re.compile(
    r"^\s*(?:(?P<team>[^/]*?)\s*/\s*)?[Oo]\s*(?P<o>\d+)\s*[.．。\-_ ]?\s*[Kk][Rr]\s*(?P<kr>\d+)\s*$",
)
REF_FIELDS = ("kr", "ref", "key_result", "key result", "kr ref", "kr_ref", "关键结果", "关键结果编号", "kr编号", "编号")
NOTE_FIELDS = (
    "note",
    "notes",
    "checkin",
    "checkins",
    "check-in",
    "check-ins",
    "text",
    "comment",
    "comments",
    "进展",
    "备注",
    "说明",
    "记录",
    "过程记录",
    "复盘",
)
TEAM_FIELDS = ("team", "团队", "部门")
WRAPPERS = ("checkins", "check-ins", "notes")  # a top-level key some files put their entries under


def parse_kr_ref(text: str) -> tuple[str | None, str] | None:
    """``"O1.KR2"`` → ``(None, "O1.KR2")``, ``"增长部/o1 kr2"`` → ``("增长部", "O1.KR2")``; None if not a ref."""
    match = _REF.match(str(text))
    if not match:
        return None
    team = (match["team"] or "").strip() or None
    return team, f"O{int(match['o'])}.KR{int(match['kr'])}"


@dataclass(slots=True)
class _Reader:
    """Collects check-in entries and the problems met, for one file."""

    file: str
    notes: dict[str, str] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)

    def problem(
        self,
        reason: Message,
        *,
        line: int | None = None,
        row: int | None = None,
        field: str | None = None,
        level: ProblemLevel = ProblemLevel.error,
    ) -> None:
        self.problems.append(input_problem(reason, self.file, line=line, row=row, field=field, level=level))

    def add(self, ref: Any, text: Any, *, team: Any = None, line: int | None = None, row: int | None = None) -> None:
        """One entry; a bad reference or an empty note is reported and skipped."""
        ref_text = "" if ref is None else str(ref).strip()
        if not ref_text:
            self.problem(message("IMP130"), field="kr", line=line, row=row)
            return
        parsed = parse_kr_ref(ref_text)
        if parsed is None:
            self.problem(message("IMP131", text=ref_text), field="kr", line=line, row=row)
            return
        note = "" if text is None else str(text).strip()
        if not note:
            self.problem(message("IMP132", ref=ref_text), field="note", level=ProblemLevel.warning, line=line, row=row)
            return
        own_team, kr = parsed
        team_name = (str(team).strip() if team is not None else "") or own_team
        key = f"{team_name}/{kr}" if team_name else kr
        if key in self.notes:
            self.notes[key] += "\n" + note
            self.problem(message("IMP133", key=key), level=ProblemLevel.warning, line=line, row=row)
        else:
            self.notes[key] = note


def read_checkins(path: str | Path) -> tuple[dict[str, str], list[InputProblem]]:
    """Check-in notes by KR ref (``O1.KR2`` or ``TEAM/O1.KR2``) from CSV, YAML or JSON, and the problems met.

    A bad row or entry is reported (file, row or line, field, reason) and skipped; the good ones are kept.
    CSV: a header with a KR column (kr / ref / 关键结果编号) and a note column (note / 进展 / 备注), optionally
    a team column; or two columns without header. YAML / JSON: ``{"O1.KR2": "note"}``, the same under a team
    name (``{"增长部": {"O1.KR2": "…"}}``) or ``checkins:``, or a list of ``{kr, note[, team]}`` entries.
    """
    file = str(path)
    reader = _Reader(file)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reader.problem(message("IMP134", detail=str(exc.strerror or exc)))
        return reader.notes, reader.problems
    decoded = decode(raw)
    if decoded is None:
        reader.problem(message("IMP011"))
        return reader.notes, reader.problems
    text = decoded[0].lstrip("\ufeff")
    if not text.strip():
        reader.problem(message("IMP001"))
        return reader.notes, reader.problems
    suffix = Path(file).suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        _read_csv(text, reader, "\t" if suffix == ".tsv" else None)
    elif suffix in (".yaml", ".yml"):
        _read_yaml(text, reader)
    elif suffix == ".json":
        _read_json(text, reader)
    else:
        reader.problem(message("IMP135", suffix=suffix or "(none)"))
    return reader.notes, reader.problems


def _field_index(header: Sequence[str], names: Iterable[str]) -> int | None:
    wanted = set(names)
    for index, cell in enumerate(header):
        if cell.strip().lower() in wanted:
            return index
    return None


def _read_csv(text: str, reader: _Reader, delimiter: str | None) -> None:
    delimiter = delimiter or sniff_delimiter(text)
    rows = [(number, cells) for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]
    rows = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]
    if not rows:
        reader.problem(message("IMP001"))
        return
    header_number, header = rows[0]
    ref_at, note_at = _field_index(header, REF_FIELDS), _field_index(header, NOTE_FIELDS)
    team_at = _field_index(header, TEAM_FIELDS)
    if ref_at is None and header and parse_kr_ref(header[0]) is not None:
        ref_at, note_at, body = 0, 1, rows  # two columns, no header
    elif ref_at is None or note_at is None:
        reader.problem(message("IMP136" if ref_at is None else "IMP137"), row=header_number)
        return
    else:
        body = rows[1:]
    for number, cells in body:
        ref = cells[ref_at] if ref_at < len(cells) else ""
        note = cells[note_at] if note_at is not None and note_at < len(cells) else ""
        team = cells[team_at] if team_at is not None and team_at < len(cells) else None
        reader.add(ref, note, team=team, row=number)


def _read_yaml(text: str, reader: _Reader) -> None:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc)
        reader.problem(message("IMP081", detail=reason), line=mark.line + 1 if mark else None)
        return
    _read_node(node, reader)


def _read_json(text: str, reader: _Reader) -> None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        reader.problem(message("IMP080", detail=exc.msg), line=exc.lineno)
        return
    try:  # JSON is YAML: composing it again gives every entry its line
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        node = yaml.representer.SafeRepresenter(sort_keys=False).represent_data(data)
    _read_node(node, reader)


def _line(node: yaml.Node) -> int | None:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else None


def _scalar(node: yaml.Node) -> str | None:
    """A scalar's text (None for null); a list of scalars joined by lines; None for anything else."""
    if isinstance(node, yaml.ScalarNode):
        return "" if node.tag.endswith(":null") else str(node.value)
    if isinstance(node, yaml.SequenceNode) and all(isinstance(n, yaml.ScalarNode) for n in node.value):
        return "\n".join(str(n.value) for n in node.value if str(n.value).strip())
    return None


def _read_node(node: yaml.Node | None, reader: _Reader, team: str | None = None) -> None:
    if node is None:
        reader.problem(message("IMP001"))
        return
    if isinstance(node, yaml.MappingNode):
        pairs = [(_scalar(k) or "", v, k) for k, v in node.value]
        if team is None and len(pairs) == 1 and pairs[0][0].strip().lower() in WRAPPERS:
            _read_node(pairs[0][1], reader)
            return
        for key, value, key_node in pairs:
            note = _scalar(value)
            if parse_kr_ref(key) is None and isinstance(value, yaml.MappingNode) and team is None:
                _read_node(value, reader, team=key.strip())  # a team's notes
            elif note is None:
                reader.problem(message("IMP139"), line=_line(key_node), field=key)
            else:
                reader.add(key, note, team=team, line=_line(key_node))
        return
    if isinstance(node, yaml.SequenceNode) and team is None:
        for index, item in enumerate(node.value):
            _read_entry(item, index, reader)
        return
    reader.problem(message("IMP148"), line=_line(node))


def _read_entry(item: yaml.Node, index: int, reader: _Reader) -> None:
    line = _line(item)
    if not isinstance(item, yaml.MappingNode):
        reader.problem(message("IMP149"), line=line, field=f"[{index}]")
        return
    fields: dict[str, yaml.Node] = {}
    for key, value in item.value:
        fields.setdefault((_scalar(key) or "").strip().lower(), value)
    ref_node = next((fields[n] for n in REF_FIELDS if n in fields), None)
    note_node = next((fields[n] for n in NOTE_FIELDS if n in fields), None)
    team_node = next((fields[n] for n in TEAM_FIELDS if n in fields), None)
    if ref_node is None:
        reader.problem(message("IMP130"), line=line, field=f"[{index}].kr")
        return
    note = _scalar(note_node) if note_node is not None else ""
    if note is None:
        reader.problem(message("IMP139"), line=line, field=f"[{index}].note")
        return
    team = _scalar(team_node) if team_node is not None else None
    reader.add(_scalar(ref_node), note, team=team, line=line)


def checkins_for(okr_set: OKRSet, checkins: Mapping[str, str] | None) -> tuple[dict[str, str], list[str]]:
    """The notes that belong to this set, keyed ``O1.KR2``, and the refs among them that name no KR of it.

    ``TEAM/O1.KR2`` belongs to the set whose team (or ``team cycle`` key) is TEAM; a bare ``O1.KR2`` to every
    set. A bare and a team-prefixed note on the same KR are joined.
    """
    names = {okr_set.team.strip().lower(), okr_set.key.strip().lower()}
    known = {objective.kr_ref(kr) for objective, kr in okr_set.key_results()}
    mine: dict[str, str] = {}
    unknown: list[str] = []
    for key, text in (checkins or {}).items():
        parsed = parse_kr_ref(key)
        if parsed is None or not str(text).strip():
            continue
        team, ref = parsed
        if team is not None and team.lower() not in names:
            continue
        if ref not in known:
            unknown.append(key)
            continue
        mine[ref] = f"{mine[ref]}\n{text}".strip() if ref in mine else str(text).strip()
    return mine, unknown
