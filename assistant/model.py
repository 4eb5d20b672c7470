"""The OKR data model: sets of objectives and key results, as every importer produces them.

Ids are stable and positional when the input gives none: objectives are ``O1``, ``O2``…,
key results ``KR1``… inside their objective, referred to from outside as ``O1.KR2``.
Reports, the web app and the LLM all refer to items by these ids.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from pydantic import VERSION as PYDANTIC_VERSION
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from .shipped import data_table

__all__ = [
    "Action",
    "AlignmentType",
    "CheckIn",
    "Dependency",
    "DependencyStatus",
    "KeyResult",
    "Level",
    "OKRSet",
    "Objective",
    "SourceRef",
    "level_name",
    "level_rank",
    "parse_percent",
]


class Level(StrEnum):
    """Organisational level of an OKR set (公司 / 事业群 / 部门 / 团队 / 个人)."""

    company = "company"
    business_group = "business_group"
    department = "department"
    team = "team"
    individual = "individual"


def level_name(level: Level | str | None, language: str) -> str:
    """公司 / 部门 / Team…: how a level is shown (levels.toml); empty for none, the key itself if unknown."""
    if not level:
        return ""
    names = _LEVEL_TABLE["names"]
    return names.get(language, names["en"]).get(str(level), str(level))


def level_rank(level: Level | str) -> int:
    """0 for the company, growing downwards: the order of levels.toml."""
    return list(_LEVEL_TABLE["order"]).index(str(level))


class AlignmentType(StrEnum):
    """How an objective takes on its parent KRs (承接方式), after the guidance's three types."""

    decomposed = "decomposed"  # 分解式: one parent KR split over several children
    equal = "equal"  # 等式: the parent KR *is* the child's objective
    polynomial = "polynomial"  # 多项式: one objective serves several parent KRs


class DependencyStatus(StrEnum):
    """Where a handshake (握手) with another team stands."""

    accepted = "accepted"
    questioned = "questioned"
    rejected = "rejected"


# Words people write in exports for the enum values above; the importers and the model accept them.
_LEVEL_TABLE = data_table("levels")  # names and aliases of the levels: assistant/data/levels.toml
_LEVEL_ALIASES = {
    **{name.lower(): key for names in _LEVEL_TABLE["names"].values() for key, name in names.items()},
    **{alias.lower(): key for alias, key in _LEVEL_TABLE["aliases"].items()},
}
_ALIGNMENT_ALIASES = {
    "分解式": "decomposed",
    "分解": "decomposed",
    "decomposition": "decomposed",
    "一对一部分对齐": "decomposed",
    "等式": "equal",
    "等式对齐": "equal",
    "一对一完全对齐": "equal",
    "equation": "equal",
    "多项式": "polynomial",
    "多项式对齐": "polynomial",
    "一对多": "polynomial",
    "multiple": "polynomial",
    "分解式对齐": "decomposed",
}
_STATUS_ALIASES = {
    "认同": "accepted",
    "接受": "accepted",
    "已接受": "accepted",
    "同意": "accepted",
    "已确认": "accepted",
    "确认": "accepted",
    "ok": "accepted",
    "agreed": "accepted",
    "accept": "accepted",
    "疑问": "questioned",
    "有疑问": "questioned",
    "待澄清": "questioned",
    "待确认": "questioned",
    "question": "questioned",
    "open": "questioned",
    "pending": "questioned",
    "不认同": "rejected",
    "拒绝": "rejected",
    "不接受": "rejected",
    "reject": "rejected",
    "declined": "rejected",
}


def _alias(aliases: dict[str, str]):
    def convert(value: Any) -> Any:
        if isinstance(value, str):
            key = value.strip().lower()
            if not key:
                return None
            return aliases.get(key, key.replace(" ", "_"))
        return value

    return convert


_PERCENT_RE = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(%|％)?\s*$")


def parse_percent(value: Any) -> float | None:
    """Read a 0–100 figure from ``60``, ``"60%"``, ``0.6`` or ``"0.6"``; ``None`` for blanks.

    A bare number of at most 1 is taken as a fraction (0.6 → 60), as spreadsheets store percentages.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number, explicit = float(value), False
    else:
        text = str(value).strip()
        if not text:
            return None
        match = _PERCENT_RE.match(text)
        if not match:
            raise ValueError(f"not a percentage: {text!r}")
        number, explicit = float(match.group(1)), bool(match.group(2))
    if not explicit and 0 < number <= 1:
        number *= 100
    if not 0 <= number <= 100:
        raise ValueError(f"percentage out of range 0–100: {value!r}")
    return round(number, 4)


def _to_list(value: Any) -> Any:
    """Split ``"张三、李四"`` style cells into lists; lists pass through."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[、,，;；/]", value) if part.strip()]
    return value


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Percent = Annotated[float | None, BeforeValidator(parse_percent)]
OptionalText = Annotated[str | None, BeforeValidator(_blank_to_none)]
NameList = Annotated[list[str], BeforeValidator(_to_list)]


# The importers build models without validating them (``importers._construct``), so a check never needs
# pydantic's validators: they are built on first use (validation, dumps, the JSON Schema) instead of on
# import, ~20 ms of every start-up. pydantic makes that first build thread-safe from 2.14 on; before it,
# two threads validating at once could race, so older versions build on import as they always did.
_DEFER_BUILD = tuple(int(part) for part in PYDANTIC_VERSION.split(".")[:2]) >= (2, 14)


class SourceRef(BaseModel):
    """Where an item came from, so errors and annotated reports can point back to it."""

    model_config = ConfigDict(frozen=True, defer_build=_DEFER_BUILD)

    file: str = Field(description="The input file as given on the command line")
    line: int | None = Field(default=None, description="1-based line in a text file")
    row: int | None = Field(default=None, description="1-based row in a CSV or spreadsheet, header included")
    sheet: str | None = Field(default=None, description="Worksheet name, for XLSX input")

    def describe(self) -> str:
        return describe_location(self.file, sheet=self.sheet, row=self.row, line=self.line)


def describe_location(file: str, *, sheet: str | None = None, row: int | None = None, line: int | None = None) -> str:
    """``okrs.xlsx [Q3]:row 12`` or ``team.md:7``: how every message points into an input file."""
    where = file
    if sheet:
        where += f" [{sheet}]"
    if row is not None:
        where += f":row {row}"
    elif line is not None:
        where += f":{line}"
    return where


class _Item(BaseModel):
    model_config = ConfigDict(
        extra="forbid", validate_assignment=False, str_strip_whitespace=True, defer_build=_DEFER_BUILD
    )


class Dependency(_Item):
    """A handshake with another team (握手方 / 握手点 / status)."""

    team: str = Field(description="The team depended on (握手方)")
    point: OptionalText = Field(default=None, description="What is asked of the other team (握手点)")
    status: Annotated[DependencyStatus | None, BeforeValidator(_alias(_STATUS_ALIASES))] = Field(
        default=None, description="The other team's answer: accepted (认同), questioned (有疑问), rejected (不认同)"
    )


class Action(_Item):
    """A task under a key result: the work, as opposed to the result it should produce."""

    text: str = Field(description="The work to do")
    owner: OptionalText = Field(default=None, description="Who does it")
    due: date | None = Field(default=None, description="When it is due")


_Date = date  # the field below is named "date", which would hide the type inside the class


class CheckIn(_Item):
    """One earlier check-in (进展更新) of a key result: where it stood on a date, for trends."""

    date: _Date = Field(description="When the check-in was made (更新日期)")
    progress: Percent = Field(default=None, description="Progress then, 0–100")
    current: float | None = Field(default=None, description="The KR's metric then (当前值)")
    confidence: Percent = Field(default=None, description="信心指数 then, 0–100")
    status: OptionalText = Field(default=None, description="Status as the owner or the OKR tool reported it then")
    note: OptionalText = Field(default=None, description="What the owner wrote then (进展说明)")


class KeyResult(_Item):
    """A key result under an objective."""

    id: str = Field(description="Local id inside its objective, e.g. 'KR2'")
    text: str = Field(description="The key result as written (关键结果)")
    owner: OptionalText = Field(default=None, description="The one person answerable for it (负责人)")
    members: NameList = Field(default_factory=list, description="People who work on it with the owner (成员)")
    due: date | None = Field(default=None, description="Deadline (完成日期); the cycle's end when absent")
    confidence: Percent = Field(default=None, description="信心指数, 0–100")
    baseline: float | None = Field(default=None, description="Value at the start of the cycle (基线)")
    target: float | None = Field(default=None, description="Value to reach (目标值)")
    unit: OptionalText = Field(default=None, description="Unit of baseline and target, e.g. '%', 'ms', '家'")
    progress: Percent = Field(default=None, description="Progress so far, 0–100")
    score: float | None = Field(
        default=None, description="Final score as entered: 0–1, 0–100 or the 1–5 scale; see scoring"
    )
    dependencies: list[Dependency] = Field(default_factory=list, description="Handshakes with other teams")
    actions: list[Action] = Field(default_factory=list, description="The work planned to move it (行动)")
    note: OptionalText = Field(default=None, description="Free note; may hold 'okr-review: ignore CODE'")
    source: SourceRef | None = Field(default=None, description="Where it was read from; filled by importers")
    current: float | None = Field(default=None, description="The KR's metric at the last check-in (当前值)")
    status: OptionalText = Field(
        default=None, description="Status as the owner or the OKR tool reported it (状态: 正常 / 有风险 / 已完成…)"
    )
    updated: date | None = Field(default=None, description="Date of the last check-in (更新日期)")
    weight: Percent = Field(
        default=None, description="Weight inside its objective, 0–100 (权重); all should sum to 100"
    )
    checkin_note: OptionalText = Field(default=None, description="What the owner wrote at the last check-in (进展说明)")
    history: list[CheckIn] = Field(default_factory=list, description="Earlier check-ins, oldest first")


class Objective(_Item):
    """An objective with its key results."""

    id: str = Field(description="Id inside its set, e.g. 'O1'")
    text: str = Field(description="The objective as written (目标)")
    owner: OptionalText = Field(
        default=None, description="The one person answerable for it; the set's owner when absent"
    )
    confidence: Percent = Field(default=None, description="信心指数 for the objective as a whole, 0–100")
    aligned_to: NameList = Field(
        default_factory=list,
        description="Parent KRs this objective takes on (承接), as 'O1.KR2' in the parent set or 'TEAM/O1.KR2'",
    )
    alignment: Annotated[AlignmentType | None, BeforeValidator(_alias(_ALIGNMENT_ALIASES))] = Field(
        default=None, description="How the parent KRs are taken on: 分解式, 等式 or 多项式"
    )
    key_results: list[KeyResult] = Field(default_factory=list, description="Its key results, in order")
    note: OptionalText = Field(default=None, description="Free note; may hold 'okr-review: ignore CODE'")
    source: SourceRef | None = Field(default=None, description="Where it was read from; filled by importers")
    weight: Percent = Field(default=None, description="Weight inside its set, 0–100 (O权重); all should sum to 100")

    def kr_ref(self, kr: KeyResult) -> str:
        return f"{self.id}.{kr.id}"


class OKRSet(_Item):
    """The OKRs of one team (or person, or company) for one cycle."""

    team: str = Field(description="Team, department, company or person whose OKRs these are")
    level: Annotated[Level | None, BeforeValidator(_alias(_LEVEL_ALIASES))] = Field(
        default=None, description="company, business_group, department, team or individual (公司/事业群/部门/团队/个人)"
    )
    cycle: OptionalText = Field(default=None, description="e.g. '2025Q3', '2025H2', '2025'")
    cycle_end: date | None = Field(default=None, description="Last day of the cycle, when known")
    parent: OptionalText = Field(default=None, description="Team name of the parent set")
    owner: OptionalText = Field(default=None, description="Who leads the set; stands in for objectives without owner")
    objectives: list[Objective] = Field(default_factory=list, description="Its objectives, in order")
    source: SourceRef | None = Field(default=None, description="Where it was read from; filled by importers")

    @field_validator("cycle", mode="before")
    @classmethod
    def _cycle_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int | float) else value

    @property
    def key(self) -> str:
        """Stable name of the set in reports: ``team`` or ``team cycle``."""
        return f"{self.team} {self.cycle}" if self.cycle else self.team

    def key_results(self):
        """Yield ``(objective, key_result)`` pairs in order."""
        for objective in self.objectives:
            for kr in objective.key_results:
                yield objective, kr


def okr_json_schema() -> dict[str, Any]:
    """JSON Schema of an input document (JSON or YAML): one set, a list of sets, or ``{"sets": [...]}``."""
    one_set = OKRSet.model_json_schema(ref_template="#/$defs/{model}")
    definitions = one_set.pop("$defs", {})
    definitions["OKRSet"] = one_set
    ref = {"$ref": "#/$defs/OKRSet"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://okr-review.invalid/schemas/input-v1.json",
        "title": "okr-review input",
        "description": 'OKR sets for okr-review: one set, a list of sets, or an object {"sets": [...]}.',
        "oneOf": [
            ref,
            {"type": "array", "items": ref},
            {
                "type": "object",
                "properties": {"sets": {"type": "array", "items": ref}},
                "required": ["sets"],
                "additionalProperties": False,
            },
        ],
        "$defs": definitions,
    }
