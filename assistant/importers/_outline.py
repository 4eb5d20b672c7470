"""Markdown and plain-text outlines — files or pasted text — as OKR sets.

```
# 平台研发部 2025Q3（部门级）        a heading: team, cycle and bracketed level of a new set
层级: 部门                          set lines: level, parent, cycle, owner
O1: 让客户… (负责人: 张三, 信心 60%)  an objective, with trailing attributes
- KR1: 链路延时…（原 0.6 毫秒）       a key result; ordinary parentheses stay in the text
  - 压测演练                        indented under a KR, or "行动:" / "Action:" / "A1:": an action
```

Labels may be Chinese or English (``目标1：``, ``Objective 1:``, ``关键结果1：``, ``Key Result 1:``, ``KR1.``,
``**O1**：``); a plain bullet or numbered line under an objective is a key result. Prose that matches none
of these is ignored. Problems carry the 1-based line number. Confidences are read on the scale the whole
file uses (percent, 0–1 or 1–10), with a notice when that was a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from ..findings import ImportResult, InputProblem, ProblemLevel
from ..model import Level, OKRSet
from ..shipped import data_table
from . import _construct as build
from . import _values as values
from ._ids import assign_ids, kr_label, objective_label
from ._limits import LimitExceeded, Limits, default_limits
from .messages import Message, message
from .messages import problem as input_problem

__all__ = ["default_team", "parse_outline", "read_heading"]

_NUM = r"([0-9]{1,6}|[一二两三四五六七八九十]{1,3})"  # O1000 and beyond: large files number on
# After a label: a colon, or a number followed by a colon, a full stop (not a decimal point) or a space.
_AFTER = rf"\s*(?:{_NUM}\s*(?:[:：]|[.、．)）](?!\d)|\s)|[:：])\s*(?P<text>.+)$"
_KR_LINE = re.compile(
    rf"^(?:(?:O|目标)\s*\d{{1,6}}\s*[.\-－_/]\s*)?(?:KR|关键结果|关键成果|Key\s*Results?){_AFTER}", re.IGNORECASE
)
_OBJECTIVE_LINE = re.compile(rf"^(?:O|目标|Objective){_AFTER}", re.IGNORECASE)
_ACTION_LINE = re.compile(
    r"^(?:(?:Action|行动|举措|措施)\s*\d{0,3}|A\d{1,3})\s*(?:[:：]|[.、．](?!\d))\s*(?P<text>.+)$", re.IGNORECASE
)
_HEADING = re.compile(r"^(#{1,6})(?!#)\s*(.*?)\s*#*$")
_BULLET = re.compile(
    r"^(?:[-*+](?=\s)|[•·▪◦‣]|\d{1,3}[.)、．](?!\d)|[（(]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}[、．])\s*"
)
_CHECKBOX = re.compile(r"^\[[ xX✓]\]\s*")
_EMPHASIS = re.compile(r"\*\*|__")
_HEADING_WORDS = data_table("importers")["heading"]
# Noise words of a heading: Latin ones wherever they stand as whole words, Chinese ones filling or ending a part.
_LATIN_NOISE = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in _HEADING_WORDS["noise"] if w.isascii())
    + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_CJK_NOISE = re.compile(
    "(?:" + "|".join(re.escape(w) for w in _HEADING_WORDS["noise"] if not w.isascii()) + r")[\s的]*$"
)
_LEVEL_SUFFIX = re.compile(
    r"[\s_-]*(?:" + "|".join(map(re.escape, _HEADING_WORDS["level_suffixes"])) + r")$", re.IGNORECASE
)
# A bracketed group without brackets inside; its parts are split on list punctuation.
_GROUP = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]")
_GROUP_PARTS = re.compile(r"[,，、;；/]")
# Separators between the parts of a heading; a hyphen only with spaces around it ("R&D-Beijing" is one name).
_SEPARATOR = re.compile(r"(\s*[—–|｜:：]+\s*|\s+[-－]+\s+)")
_TEAM_TRIM = " \t-—–－:：|｜·,，的"

# Attribute keys (trailing "(key: value, …)" groups and "key: value" lines) → attribute name.
_ATTRIBUTES = {
    "owner": ["负责人", "责任人", "owner"],
    "confidence": ["信心", "信心指数", "confidence"],
    "aligned_to": ["承接", "对齐", "aligned to", "supports"],
    "alignment": ["对齐方式", "承接方式", "alignment"],
    "due": ["截止", "截止日期", "完成日期", "截止时间", "due", "deadline"],
    "dependency": ["握手方", "依赖", "依赖团队", "dependency", "depends on"],
    "handshake": ["握手点", "handshake", "handshake point"],
    "status": ["状态", "握手状态", "status"],
    "baseline": ["基线", "baseline"],
    "target": ["目标值", "target"],
    "progress": ["进度", "progress"],
    "score": ["得分", "分数", "评分", "score"],
    "members": ["成员", "参与人", "members"],
    "note": ["备注", "note", "notes"],
    "unit": ["单位", "unit"],
    "current": ["当前值", "current", "current value"],
    "weight": ["权重", "weight"],
    "updated": ["更新日期", "updated", "last update"],
    "checkin_note": ["进展说明", "progress note"],
}
# Lines that describe the set itself.
_SET_KEYS = {
    "team": ["团队", "部门", "team"],
    "level": ["层级", "级别", "level"],
    "parent": ["上级", "上级团队", "上级部门", "parent"],
    "cycle": ["周期", "季度", "cycle", "quarter"],
}
_KEY_NAMES = {alias: name for table in (_ATTRIBUTES, _SET_KEYS) for name, aliases in table.items() for alias in aliases}
_LIST_ATTRIBUTES = {"aligned_to", "dependency", "members"}
_OBJECTIVE_ATTRIBUTES = {"owner", "confidence", "aligned_to", "alignment", "note", "weight"}
_ACTION_ATTRIBUTES = {"owner", "due"}


def _alternation(keys: list[str]) -> str:
    return "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in sorted(keys, key=len, reverse=True))


_CJK_KEYS = [k for k in _KEY_NAMES if not k.isascii()]
_ASCII_KEYS = [k for k in _KEY_NAMES if k.isascii()]
# In a group: "负责人: 张三", "信心 60%", "信心60%", "owner: Ann", "confidence 60%".
_PAIR = re.compile(
    rf"^(?:(?P<cjk>{_alternation(_CJK_KEYS)})(?:\s*[:：=]\s*|\s+|(?=\d))"
    rf"|(?P<ascii>{_alternation(_ASCII_KEYS)})(?:\s*[:：=]\s*|\s+))(?P<value>.+)$",
    re.IGNORECASE,
)
# A line of its own: the colon is required, so prose such as "Owner of the plan…" stays prose.
_LINE_PAIR = re.compile(rf"^(?P<key>{_alternation(list(_KEY_NAMES))})\s*[:：]\s*(?P<value>.+)$", re.IGNORECASE)
_UNKNOWN_PAIR = re.compile(r"^(?P<key>[^\s:：]{1,20})\s*[:：]\s*(?P<value>.+)$")
_OPEN, _CLOSE = "(（【[", ")）】]"


def _key_name(key: str) -> str:
    return _KEY_NAMES[re.sub(r"\s+", " ", key.lower())]


def default_team(name: str) -> str:
    """The team of text without a heading: the file's stem, or the name given to ``load_text``."""
    stem = PurePath(name).stem if name not in ("-", "") else "stdin"
    return stem.strip("<>") or "stdin"


def _attribute_group(inner: str) -> tuple[list[list[str]], list[str]] | None:
    """``[[name, value]…]`` and unknown keys if ``inner`` is a list of known ``key: value`` pairs, else None."""
    pairs: list[list[str]] = []
    unknown: list[str] = []
    for part in re.split(r"[,，;；]", inner):
        part = part.strip()
        if not part:
            continue
        match = _PAIR.match(part)
        if match:
            pairs.append([_key_name(match.group("cjk") or match.group("ascii")), match.group("value").strip()])
            continue
        other = _UNKNOWN_PAIR.match(part)
        if other:
            unknown.append(other.group("key"))
        elif pairs and pairs[-1][0] in _LIST_ATTRIBUTES:  # "承接: O1.KR1, O2.KR3"
            pairs[-1][1] += "、" + part
        else:
            return None
    return (pairs, unknown) if pairs else None


def split_attributes(text: str) -> tuple[str, list[list[str]], list[str]]:
    """Text without its trailing attribute groups, the attributes, and unknown keys met in them."""
    text = text.rstrip()
    if not text or text[-1] not in _CLOSE:
        return text, [], []
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        char = text[index]
        if char in _CLOSE:
            depth += 1
        elif char in _OPEN:
            depth -= 1
            if depth == 0:
                break
    else:
        return text, [], []
    rest = text[:index].rstrip()
    group = _attribute_group(text[index + 1 : -1])
    if group is None or not rest:
        return text, [], []
    rest, earlier, unknown = split_attributes(rest)
    return rest, earlier + group[0], unknown + group[1]


def _indent(line: str) -> int:
    width = 0
    for char in line:
        if char == " ":
            width += 1
        elif char == "\t":
            width += 4
        elif char == "\u3000":
            width += 2
        else:
            break
    return width


def _level_word(text: str) -> Level | None:
    """The level a bracketed word names ("公司级", "Company level", "团队"), else None."""
    text = unicodedata.normalize("NFKC", text).strip()
    for word in (text, _LEVEL_SUFFIX.sub("", text)):
        try:
            found = values.level(word)
        except ValueError:
            continue
        if found is not None:
            return found
    return None


def _without_noise(text: str) -> str:
    """A part of a heading without its noise words ("OKRs", a closing "目标") and stray punctuation."""
    text = _LATIN_NOISE.sub(" ", text)
    while (shorter := _CJK_NOISE.sub("", text).strip(_TEAM_TRIM)) != text:
        text = shorter
    return re.sub(r"\s+", " ", text).strip(_TEAM_TRIM)


def _group_facts(inner: str) -> tuple[Level | None, str | None] | None:
    """The level and cycle a bracketed group gives, if every part of it is one of these or a noise word."""
    level = cycle = None
    for part in _GROUP_PARTS.split(inner):
        named, (start, end) = values.find_cycle(part)
        rest = _without_noise(part[:start] + " " + part[end:] if named else part)
        found = _level_word(rest) if rest else None
        if rest and found is None:
            return None
        level, cycle = level or found, cycle or named
    return level, cycle


def _team_of(text: str) -> str:
    """The team a heading names once its cycle and level are out: its parts without noise, outer separators dropped."""
    pieces = _SEPARATOR.split(text)
    parts = [_without_noise(piece) for piece in pieces[0::2]]
    kept = [index for index, part in enumerate(parts) if part]
    if not kept:
        return ""
    team = parts[kept[0]]
    for index in kept[1:]:
        team += pieces[2 * index - 1] + parts[index]
    return team


def read_heading(content: str) -> tuple[str, Level | None, str | None]:
    """Team, level and cycle of a set heading: "Q3 2025 OKRs — Acme (company)" → ("Acme", company, "2025Q3").

    A bracketed group is read only when it holds nothing but a level, a cycle or noise words, so "R&D (Beijing)
    team" keeps its brackets. The cycle may stand anywhere; noise words and separators at the ends are dropped.
    """
    level = cycle = None
    kept: list[str] = []
    position = 0
    for group in _GROUP.finditer(content):
        facts = _group_facts(group.group(1))
        if facts is None:
            continue
        kept.append(content[position : group.start()])
        position = group.end()
        level, cycle = level or facts[0], cycle or facts[1]
    text = " ".join([*kept, content[position:]])
    if cycle is None:
        cycle, (start, end) = values.find_cycle(text)
        if cycle:
            text = text[:start] + " " + text[end:]
    return _team_of(text)[: values.NAME_LIMIT], level, cycle


@dataclass(slots=True, eq=False)
class _KR:
    label: str | None
    text: str
    line: int
    indent: int
    attributes: list[tuple[str, str, int]] = field(default_factory=list)  # (name, value, line)
    actions: list[tuple[str, list[list[str]], int]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Objective:
    label: str | None
    text: str
    line: int
    attributes: list[tuple[str, str, int]] = field(default_factory=list)
    key_results: list[_KR] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class _Set:
    team: str
    cycle: str | None
    line: int
    heading: int  # heading level; 0 for text before any heading
    level: Level | None = None  # the level a heading gives in brackets: "（部门级）", "(company)"
    attributes: list[tuple[str, str, int]] = field(default_factory=list)
    objectives: list[_Objective] = field(default_factory=list)


class _Parser:
    """One pass over the lines; values are converted when the sets are built, once each set's cycle is known."""

    def __init__(self, file: str, team: str, limits: Limits) -> None:
        self.file = file
        self.team = team
        self.limits = limits
        self.counts = [0, 0]  # objectives and key results so far, against the per-file limits
        self.problems: list[InputProblem] = []
        self.sets: list[_Set] = []
        self.set: _Set | None = None
        self.objective: _Objective | None = None
        self.kr: _KR | None = None
        self.scale = values.ConfidenceScale.percent  # of the file's confidences, known once all lines are read

    def problem(
        self, line: int, reason: Message, name: str | None = None, level: ProblemLevel = ProblemLevel.error
    ) -> None:
        self.problems.append(input_problem(reason, self.file, line=line, field=name, level=level))

    def _current_set(self, line: int) -> _Set:
        if self.set is None:
            self.set = _Set(self.team, None, line, 0)
            self.sets.append(self.set)
        return self.set

    def _unknown(self, line: int, unknown: list[str]) -> None:
        for key in unknown:
            self.problem(line, message("IMP070", key=key), key, ProblemLevel.warning)

    # ---------------------------------------------------------------- lines

    def feed(self, number: int, raw: str) -> None:
        stripped = raw.strip()
        if not stripped:
            return
        indent = _indent(raw)
        body = _EMPHASIS.sub("", stripped).strip()
        heading = _HEADING.match(body)
        if heading:
            content = heading.group(2).strip()
            if not self._labelled(number, content, indent) and len(heading.group(1)) <= 2:
                self._heading(number, content, len(heading.group(1)))
            return
        bullet = _BULLET.match(body)
        text = _CHECKBOX.sub("", body[bullet.end() :] if bullet else body).strip()
        if not text:
            return
        kr = self.kr
        if kr is not None and indent > kr.indent and not _KR_LINE.match(text) and not _OBJECTIVE_LINE.match(text):
            pair = _LINE_PAIR.match(text)
            if pair and _key_name(pair.group("key")) in _ATTRIBUTES:
                kr.attributes.append((_key_name(pair.group("key")), pair.group("value").strip(), number))
            else:
                action = _ACTION_LINE.match(text)
                self._action(number, action.group("text") if action else text)
            return
        if self._labelled(number, text, indent):
            return
        pair = _LINE_PAIR.match(text)
        if pair:
            self._attribute_line(number, _key_name(pair.group("key")), pair.group("value").strip())
        elif bullet and self.objective is not None:
            self._key_result(number, None, text, indent)

    def _labelled(self, number: int, text: str, indent: int) -> bool:
        """Handle a KR, objective or action line; False when the text is none of these."""
        match = _KR_LINE.match(text)
        if match:
            if self.objective is None:
                self.problem(number, message("IMP071"), "key_result")
            else:
                self._key_result(number, kr_label(match.group(1)) if match.group(1) else None, match["text"], indent)
            return True
        match = _OBJECTIVE_LINE.match(text)
        if match:
            self._objective(number, objective_label(match.group(1)) if match.group(1) else None, match["text"])
            return True
        match = _ACTION_LINE.match(text)
        if match:
            self._action(number, match["text"])
            return True
        return False

    def _heading(self, number: int, content: str, level: int) -> None:
        team, tier, cycle = read_heading(content)
        self.set = _Set(team or self.team, cycle, number, level, tier)
        self.sets.append(self.set)
        self.objective = self.kr = None

    def _objective(self, number: int, label: str | None, text: str) -> None:
        okr_set = self._current_set(number)
        text, attributes, unknown = split_attributes(text)
        self._unknown(number, unknown)
        self.objective = _Objective(label, text, number, [(k, v, number) for k, v in attributes])
        self._count(0, number)
        okr_set.objectives.append(self.objective)
        self.kr = None

    def _key_result(self, number: int, label: str | None, text: str, indent: int) -> None:
        assert self.objective is not None
        text, attributes, unknown = split_attributes(text)
        self._unknown(number, unknown)
        self.kr = _KR(label, text, number, indent, [(k, v, number) for k, v in attributes])
        self._count(1, number)
        self.objective.key_results.append(self.kr)

    def _count(self, kind: int, number: int) -> None:
        """Count one more objective (0) or key result (1); past the file's limit, stop reading."""
        self.counts[kind] += 1
        name, limit = ("objectives", self.limits.objectives) if kind == 0 else ("key-results", self.limits.key_results)
        if self.counts[kind] > limit:
            raise LimitExceeded(name, limit, message("IMP111" if kind == 0 else "IMP112", limit=limit), line=number)

    def _action(self, number: int, text: str) -> None:
        if self.kr is None:
            self.problem(number, message("IMP072"), "actions", ProblemLevel.warning)
            return
        text, attributes, unknown = split_attributes(text)
        self._unknown(number, unknown)
        self.kr.actions.append((text, attributes, number))

    def _attribute_line(self, number: int, name: str, value: str) -> None:
        """A ``key: value`` line: set keys describe the set; others the KR or objective above, else the set."""
        if name in _SET_KEYS:
            self._current_set(number).attributes.append((name, value, number))
        elif self.kr is not None:
            self.kr.attributes.append((name, value, number))
        elif self.objective is not None:
            self.objective.attributes.append((name, value, number))
        elif name == "owner":
            self._current_set(number).attributes.append((name, value, number))
        # any other attribute before the first objective describes nothing: ignored like prose

    # ---------------------------------------------------------------- building

    def finish(self) -> list[OKRSet]:
        drafts = self._without_titles()
        self._detect_scale(drafts)
        return [self._build_set(draft) for draft in drafts]

    def _detect_scale(self, drafts: list[_Set]) -> None:
        """The scale of every confidence in the file (1–10 or percent), with a notice when it was a guess."""
        cells = [
            value
            for draft in drafts
            for objective in draft.objectives
            for attributes in (objective.attributes, *(kr.attributes for kr in objective.key_results))
            for name, value, _ in attributes
            if name == "confidence"
        ]
        reading = values.confidence_scale(cells)
        self.scale = reading.scale
        self.problems += values.scale_problems(reading, self.file)

    def _without_titles(self) -> list[_Set]:
        """Drop empty preambles and title headings (a "#" over "##" team headings), passing a title's cycle on."""
        kept: list[_Set] = []
        title_cycle: str | None = None
        for index, draft in enumerate(self.sets):
            following = self.sets[index + 1] if index + 1 < len(self.sets) else None
            empty = not draft.objectives and not draft.attributes
            if draft.heading == 0 and empty:
                continue
            if draft.heading == 1:
                title_cycle = None
                if empty and following is not None and following.heading > 1:
                    title_cycle = draft.cycle
                    continue
            elif draft.cycle is None and title_cycle:
                draft.cycle = title_cycle
            kept.append(draft)
        return kept

    def _percent(self, value: str, line: int, name: str) -> float | None:
        try:
            return values.confidence(value, self.scale) if name == "confidence" else values.percent(value)
        except ValueError as exc:
            self.problem(line, message("IMP073", field=name, detail=values.reason_of(exc)), name)
            return None

    def _convert(self, convert: Any, value: str, line: int, name: str) -> Any:
        try:
            return convert(value)
        except ValueError as exc:
            self.problem(line, message("IMP073", field=name, detail=values.reason_of(exc)), name)
            return None

    def _due(self, value: str, line: int, year: int | None) -> Any:
        try:
            return values.due_date(value, year)
        except ValueError as exc:
            level = ProblemLevel.warning if isinstance(exc, values.MissingYear) else ProblemLevel.error
            self.problem(line, message("IMP073", field="due", detail=values.reason_of(exc)), "due", level)
            return None

    def _build_set(self, draft: _Set) -> OKRSet:
        fields: dict[str, Any] = {"level": draft.level}
        team, cycle = draft.team, draft.cycle
        for name, value, line in draft.attributes:
            if name == "team":
                team = value[: values.NAME_LIMIT]
            elif name == "cycle":
                cycle = values.normalise_cycle(value)[: values.NAME_LIMIT]
            elif name == "level":
                fields["level"] = self._convert(values.level, value, line, "level")
            else:
                fields[name] = value[: values.NAME_LIMIT]
        year = values.cycle_year(cycle)
        ids, repeated = assign_ids([o.label for o in draft.objectives], "O")
        if repeated:
            text = message("IMP043", ids=", ".join(repeated), team=team)
            self.problem(draft.line, text, "objective_id", ProblemLevel.warning)
        objectives = [self._build_objective(o, oid, year) for o, oid in zip(draft.objectives, ids, strict=True)]
        return build.okr_set(
            team,
            level=fields.get("level"),
            cycle=cycle,
            parent=fields.get("parent"),
            owner=fields.get("owner"),
            objectives=objectives,
            source=build.source(self.file, line=draft.line),
        )

    def _build_objective(self, draft: _Objective, oid: str, year: int | None) -> Any:
        fields: dict[str, Any] = {"aligned_to": []}
        for name, value, line in draft.attributes:
            if name not in _OBJECTIVE_ATTRIBUTES:
                self.problem(line, message("IMP074", name=name), name, ProblemLevel.warning)
            elif name in ("confidence", "weight"):
                fields[name] = self._percent(value, line, name)
            elif name == "aligned_to":
                fields[name] += [ref for ref in values.refs(value) if ref not in fields[name]]
            elif name == "alignment":
                fields[name] = self._convert(values.alignment, value, line, name)
            else:
                fields[name] = value[: values.NAME_LIMIT if name == "owner" else values.TEXT_LIMIT]
        ids, repeated = assign_ids([kr.label for kr in draft.key_results], "KR")
        if repeated:
            text = message("IMP044", ids=", ".join(repeated), objective=oid)
            self.problem(draft.line, text, "kr_id", ProblemLevel.warning)
        return build.objective(
            oid,
            self._limit(draft.text, draft.line, "objective"),
            key_results=[self._build_kr(kr, kr_id, year) for kr, kr_id in zip(draft.key_results, ids, strict=True)],
            source=build.source(self.file, line=draft.line),
            **fields,
        )

    def _limit(self, text: str, line: int, name: str) -> str:
        if len(text) > values.TEXT_LIMIT:
            reason = message("IMP075", length=len(text), limit=values.TEXT_LIMIT)
            self.problem(line, reason, name, ProblemLevel.warning)
            return text[: values.TEXT_LIMIT]
        return text

    def _build_kr(self, draft: _KR, kr_id: str, year: int | None) -> Any:
        fields: dict[str, Any] = {}
        teams: list[str] = []
        point = state = None
        point_line = draft.line
        for name, value, line in draft.attributes:
            if name in ("aligned_to", "alignment"):
                self.problem(line, message("IMP076", name=name), name, ProblemLevel.warning)
            elif name in ("confidence", "progress", "weight"):
                fields[name] = self._percent(value, line, name)
            elif name in ("baseline", "target", "current"):
                fields[name] = self._convert(values.number, value, line, name)
            elif name == "score":
                fields[name] = self._convert(values.score, value, line, name)
            elif name in ("due", "updated"):
                fields[name] = self._due(value, line, year)
            elif name == "members":
                fields[name] = values.names(value)
            elif name == "dependency":
                teams += [team for team in values.names(value) if team not in teams]
            elif name == "handshake":
                point, point_line = value[: values.TEXT_LIMIT], line
            elif name == "status":
                state, point_line = self._convert(values.status, value, line, "dependency_status"), line
            elif name in ("owner", "unit"):
                fields[name] = value[: values.NAME_LIMIT]
            elif name in ("note", "checkin_note"):
                fields[name] = value[: values.TEXT_LIMIT]
        if not teams and (point or state):
            self.problem(point_line, message("IMP077"), "dependency", ProblemLevel.warning)
        actions = []
        for text, attributes, line in draft.actions:
            extra: dict[str, Any] = {}
            for name, value in attributes:
                if name == "owner":
                    extra["owner"] = value[: values.NAME_LIMIT]
                elif name == "due":
                    extra["due"] = self._due(value, line, year)
                else:
                    self.problem(line, message("IMP078", name=name), name, ProblemLevel.warning)
            actions.append(build.action(self._limit(text, line, "actions"), **extra))
        return build.key_result(
            kr_id,
            self._limit(draft.text, draft.line, "key_result"),
            dependencies=[build.dependency(team[: values.NAME_LIMIT], point, state) for team in teams],
            actions=actions,
            source=build.source(self.file, line=draft.line),
            **fields,
        )


def parse_outline(text: str, file: str, team: str | None = None, *, limits: Limits | None = None) -> ImportResult:
    """Sets from outline text; ``team`` names the set of text with no heading (default: from ``file``).

    Raises ``LimitExceeded`` past the file's limit of objectives or key results.
    """
    result = ImportResult()
    if not text.strip():
        result.problems.append(input_problem(message("IMP001"), file))
        return result
    parser = _Parser(file, team or default_team(file), limits or default_limits())
    for number, line in enumerate(unicodedata.normalize("NFC", text).lstrip("\ufeff").splitlines(), 1):
        parser.feed(number, line)
    result.sets = parser.finish()
    result.problems = parser.problems
    if not result.sets:
        result.problems.append(input_problem(message("IMP079"), file))
    return result
