"""Cell and attribute values → the model's types, with a reason when a value cannot be read.

Shared by the tabular and outline importers, which check every value here once and then build model
objects without re-validating them. Each converter raises ``ValueError`` with a short reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from ..findings import InputProblem, ProblemLevel
from ..model import (
    _ALIGNMENT_ALIASES,
    _LEVEL_ALIASES,
    _PERCENT_RE,
    _STATUS_ALIASES,
    AlignmentType,
    DependencyStatus,
    Level,
    parse_percent,
)
from ..shipped import data_table
from .messages import CodedError, Message, message, problem

__all__ = [
    "NAME_LIMIT",
    "TEXT_LIMIT",
    "ConfidenceScale",
    "MissingYear",
    "ScaleReading",
    "alignment",
    "cell_text",
    "confidence",
    "confidence_scale",
    "cycle_year",
    "due_date",
    "find_cycle",
    "level",
    "names",
    "normalise_cycle",
    "number",
    "percent",
    "reason_of",
    "refs",
    "scale_notice",
    "scale_problems",
    "score",
    "status",
]

TEN_POINT_MAX: float = data_table("importers")["confidence"]["ten_point_max"]
TEXT_LIMIT = 2000  # objective, key result, note, action, handshake point
NAME_LIMIT = 200  # team, owner, cycle, unit and other short cells

_NAME_SPLIT = re.compile(r"[、,，;；/\n]+")
_REF_SPLIT = re.compile(r"[、,，;；/\s]+")
_NUMBER = re.compile(r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*(%|％)?$")
_SCORE = re.compile(r"^([+-]?\d+(?:\.\d+)?|[+-]?\.\d+)\s*(%|分|points?|pts?)?$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:[ T].*)?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$")
_DUE_SUFFIX = re.compile(r"\s*(?:之前|以前|前|截止|止)$")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_EXCEL_EPOCH = date(1899, 12, 30)

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
_Y = r"(?<!\d)((?:19|20)\d{2})"  # a year
_FY = r"(?<![A-Za-z])FY\s*-?\s*"  # a fiscal-year mark, read as the plain year like 2025财年
# Tried in order; the first pattern found anywhere in the text wins, so longer forms come before their parts.
_CYCLES = [
    (re.compile(rf"{_FY}{_Y}\s*[-/ ]?\s*[Qq]\s*([1-4])(?!\d)", re.IGNORECASE), "{0}Q{1}"),
    (re.compile(rf"{_FY}{_Y}\s*[-/ ]?\s*[Hh]\s*([12])(?!\d)", re.IGNORECASE), "{0}H{1}"),
    (re.compile(rf"{_Y}\s*年?\s*[-/ ]?\s*[Qq]\s*([1-4])(?!\d)"), "{0}Q{1}"),
    (re.compile(rf"(?<![A-Za-z])[Qq]([1-4])\s*[-/ ]?\s*(?:FY\s*)?{_Y}(?!\d)", re.IGNORECASE), "{1}Q{0}"),
    (re.compile(rf"{_Y}\s*年?\s*[-/ ]?\s*[Hh]\s*([12])(?!\d)"), "{0}H{1}"),
    (re.compile(rf"(?<![A-Za-z])[Hh]([12])\s*[-/ ]?\s*(?:FY\s*)?{_Y}(?!\d)", re.IGNORECASE), "{1}H{0}"),
    (re.compile(rf"{_Y}\s*(?:年度?)?\s*(?:第\s*)?([一二三四1-4])\s*季度?"), "{0}Q{1}"),
    (re.compile(rf"{_Y}\s*(?:年度?)?\s*([上下])半年"), "{0}H{1}"),
    (re.compile(rf"{_FY}{_Y}(?!\d)", re.IGNORECASE), "{0}"),
    (re.compile(rf"{_Y}\s*(?:年度?|财年)"), "{0}"),
    (re.compile(r"(?<![\dA-Za-z])((?:19|20)\d{2})(?![\dA-Za-z])"), "{0}"),
    # Without a year: kept as the quarter or half alone (the year then comes from nowhere).
    (re.compile(r"(?<![\dA-Za-z])[Qq]([1-4])(?![\dA-Za-z])"), "Q{0}"),
    (re.compile(r"第\s*([一二三四1-4])\s*季度"), "Q{0}"),
    (re.compile(r"(?<![\dA-Za-z])[Hh]([12])(?![\dA-Za-z])"), "H{0}"),
    (re.compile(r"([上下])半年"), "H{0}"),
]


class MissingYear(CodedError):
    """A date such as ``9月30日`` whose year the cycle does not give: worth a warning, not an error."""


def reason_of(error: ValueError) -> Message:
    """The coded reason of a conversion failure; a plain ``ValueError`` keeps its English text as the detail."""
    return error.text if isinstance(error, CodedError) else message("IMP085", detail=str(error))


def cell_text(value: Any) -> str:
    """A cell as text: integral floats without ``.0``, dates as ISO, everything stripped."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def percent(value: Any) -> float | None:
    """A 0–100 figure from ``60``, ``"60%"``, ``0.6`` (the model's own rule)."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
    try:
        return parse_percent(value)
    except ValueError:
        if isinstance(value, str) and _PERCENT_RE.match(value):
            raise CodedError(message("IMP060", value=repr(value))) from None
        if isinstance(value, int | float):
            raise CodedError(message("IMP060", value=repr(value))) from None
        raise CodedError(message("IMP059", text=str(value).strip())) from None


class ConfidenceScale(StrEnum):
    """How a file writes its confidences (信心指数); detected once per file from all its values."""

    percent = "percent"  # 0–100; bare fractions up to 1 still read as 0–1 (the model's own rule)
    fraction = "fraction"  # 0–1
    ten = "ten"  # 1–10, as some OKR tools export 信心指数: 9 → 90%
    mixed = "mixed"  # percentages beside bare numbers up to 10: read as percentages, and reported
    unclear = "unclear"  # fractions beside numbers up to 10: read value by value, and reported


@dataclass(frozen=True, slots=True)
class ScaleReading:
    """The scale assumed for a file's confidences, and the bare values that make it worth a notice."""

    scale: ConfidenceScale
    examples: tuple[float, ...] = ()


def _reading(value: Any) -> tuple[float, bool] | None:
    """A confidence cell as (number, written with %); None for a blank or a value that does not read."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value), False
    match = _PERCENT_RE.match(unicodedata.normalize("NFKC", str(value)))
    return (float(match.group(1)), bool(match.group(2))) if match else None


def confidence_scale(cells: Iterable[Any]) -> ScaleReading:
    """The scale of one file's confidence cells: any % or value above 10 → percent; all 0–1 → fraction; else 1–10.

    Bare values between 0 and 1 beside values above 1 (0.8 and 8) fit no one scale: ``unclear``.
    """
    readings = [r for r in map(_reading, cells) if r is not None and 0 <= r[0] <= 100]
    bare = sorted({number for number, explicit in readings if not explicit})
    small = tuple(n for n in bare if 1 < n <= TEN_POINT_MAX)
    if any(explicit for _, explicit in readings) or any(n > TEN_POINT_MAX for n in bare):
        return ScaleReading(ConfidenceScale.mixed, small) if small else ScaleReading(ConfidenceScale.percent)
    if not small:
        return ScaleReading(ConfidenceScale.fraction if bare else ConfidenceScale.percent)
    fractions = tuple(n for n in bare if 0 < n < 1)
    if fractions:
        return ScaleReading(ConfidenceScale.unclear, fractions[:3] + small[-3:])
    return ScaleReading(ConfidenceScale.ten, small)


def confidence(value: Any, scale: ConfidenceScale) -> float | None:
    """A 0–100 confidence from a cell read on its file's scale: on the 1–10 scale ``9`` → 90.0, else ``percent``."""
    if scale is ConfidenceScale.ten:
        reading = _reading(value)
        if reading is not None and not reading[1] and 0 <= reading[0] <= TEN_POINT_MAX:
            return round(reading[0] * 10, 4)
    return percent(value)


def scale_notice(reading: ScaleReading) -> Message | None:
    """The notice that says which confidence scale a file was read on, when that was a guess worth telling."""
    top = f"{TEN_POINT_MAX:g}"
    if reading.scale is ConfidenceScale.ten:
        last = reading.examples[-1]
        return message("IMP061", top=top, last=f"{last:g}", percent=f"{last * 10:g}")
    if reading.scale is ConfidenceScale.mixed:
        last = reading.examples[-1]
        return message("IMP062", top=top, last=f"{last:g}", percent=f"{last * 10:g}")
    if reading.scale is ConfidenceScale.unclear:
        first, last = reading.examples[0], reading.examples[-1]
        return message("IMP063", top=top, first=f"{first:g}", last=f"{last:g}", first_percent=f"{first * 100:g}")
    return None


def scale_problems(reading: ScaleReading, file: str) -> list[InputProblem]:
    """The file's notice about its confidence scale, as an input warning (the lowest level shown), if any."""
    notice = scale_notice(reading)
    return [problem(notice, file, field="confidence", level=ProblemLevel.warning)] if notice else []


def _figure(value: Any, pattern: re.Pattern[str], code: str) -> float | None:
    """A cell read as one float through ``pattern`` (its first group); blanks are None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    match = pattern.match(text)
    if not match:
        raise CodedError(message(code, text=text))
    return float(match.group(1).replace(",", ""))


def score(value: Any) -> float | None:
    """A final score as entered: ``3.5``, ``"3.5分"``, ``"70%"`` → 70.0, ``0.7`` stays 0.7."""
    return _figure(value, _SCORE, "IMP051")


def number(value: Any) -> float | None:
    """A plain figure for a baseline or target: ``40``, ``"1,200"``, ``"40%"`` → 40.0."""
    return _figure(value, _NUMBER, "IMP050")


def cycle_year(cycle: str | None) -> int | None:
    """The year a cycle such as ``2025Q3`` or ``2025年下半年`` falls in, if it names one."""
    if not cycle:
        return None
    match = _YEAR.search(cycle)
    return int(match.group(1)) if match else None


def due_date(value: Any, year: int | None = None) -> date | None:
    """A due date from a date cell, an Excel serial number or text.

    Text may be ``2025-09-30``, ``2025/9/30``, ``2025年9月30日`` or, with the cycle's ``year``,
    ``9月30日`` / ``9/30``. A trailing 前 / 之前 is allowed.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        if 20000 <= value <= 80000:  # an Excel serial date left unformatted (1954–2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise CodedError(message("IMP052", value=value))
    text = _DUE_SUFFIX.sub("", unicodedata.normalize("NFKC", str(value)).strip())
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        return _valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    match = _MONTH_DAY.match(text)
    if match:
        if year is None:
            raise MissingYear(message("IMP054", text=text))
        return _valid_date(year, int(match.group(1)), int(match.group(2)), text)
    raise CodedError(message("IMP053", text=text))


def _valid_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CodedError(message("IMP055", text=text)) from None


def names(value: Any) -> list[str]:
    """People or teams listed in one cell: ``"张三、李四"``, ``"Ann Lee, Bo Chen"``."""
    text = cell_text(value)
    return [part.strip() for part in _NAME_SPLIT.split(text) if part.strip()] if text else []


def refs(value: Any) -> list[str]:
    """Parent KR references in one cell, split on list punctuation or whitespace: ``"O1.KR2、O2.KR1"``."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    return [part for part in _REF_SPLIT.split(text) if part] if text else []


def _enum(value: Any, aliases: dict[str, str], kind: type[StrEnum], code: str) -> Any:
    text = cell_text(value)
    if not text:
        return None
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = aliases.get(key, key.replace(" ", "_"))
    try:
        return kind(key)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise CodedError(message(code, text=text, known=known)) from None


def level(value: Any) -> Level | None:
    """An organisational level: 公司 / 部门 / 团队 / 个人, or the English names."""
    return _enum(value, _LEVEL_ALIASES, Level, "IMP056")


def alignment(value: Any) -> AlignmentType | None:
    """An alignment type: 分解式 / 等式 / 多项式, or the English names."""
    return _enum(value, _ALIGNMENT_ALIASES, AlignmentType, "IMP057")


def status(value: Any) -> DependencyStatus | None:
    """A handshake status: 认同 / 有疑问 / 不认同, or accepted / questioned / rejected."""
    return _enum(value, _STATUS_ALIASES, DependencyStatus, "IMP058")


def normalise_cycle(text: str) -> str:
    """``2025 Q3``, ``Q3 2025``, ``2025年第三季度`` → ``2025Q3``; ``2025年下半年`` → ``2025H2``; else as given."""
    whole = text.strip()
    cycle, span = find_cycle(whole)
    if cycle and span == (0, len(whole)):
        return cycle
    return whole


def find_cycle(text: str) -> tuple[str | None, tuple[int, int]]:
    """The first cycle named in ``text`` in canonical form, and where it stands in the text."""
    for pattern, template in _CYCLES:
        match = pattern.search(text)
        if match:
            groups = [_cycle_part(g) for g in match.groups()]
            return template.format(*groups), match.span()
    return None, (0, 0)


def _cycle_part(part: str) -> str:
    if part in _CN_DIGITS:
        return str(_CN_DIGITS[part])
    return {"上": "1", "下": "2"}.get(part, part)
