"""Cell and attribute values → the model's types, with a reason when a value cannot be read.

Shared by the tabular and outline importers, which check every value here once and then build model
objects without re-validating them. Each converter raises ``ValueError`` with a short reason.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from ..model import (
    _ALIGNMENT_ALIASES,
    _LEVEL_ALIASES,
    _STATUS_ALIASES,
    AlignmentType,
    DependencyStatus,
    Level,
    parse_percent,
)

__all__ = [
    "NAME_LIMIT",
    "TEXT_LIMIT",
    "MissingYear",
    "alignment",
    "cell_text",
    "cycle_year",
    "due_date",
    "find_cycle",
    "level",
    "names",
    "normalise_cycle",
    "number",
    "percent",
    "refs",
    "score",
    "status",
]

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
_CYCLES = [
    (re.compile(r"((?:19|20)\d{2})\s*年?\s*[-/ ]?\s*[Qq]\s*([1-4])(?!\d)"), "{0}Q{1}"),
    (re.compile(r"(?<![A-Za-z])[Qq]([1-4])\s*[-/ ]?\s*((?:19|20)\d{2})(?!\d)"), "{1}Q{0}"),
    (re.compile(r"((?:19|20)\d{2})\s*年?\s*[-/ ]?\s*[Hh]\s*([12])(?!\d)"), "{0}H{1}"),
    (re.compile(r"((?:19|20)\d{2})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度?"), "{0}Q{1}"),
    (re.compile(r"((?:19|20)\d{2})\s*年\s*([上下])半年"), "{0}H{1}"),
    (re.compile(r"((?:19|20)\d{2})\s*(?:年度?|财年)"), "{0}"),
    (re.compile(r"(?<![\dA-Za-z])((?:19|20)\d{2})(?![\dA-Za-z])"), "{0}"),
]


class MissingYear(ValueError):
    """A date such as ``9月30日`` whose year the cycle does not give: worth a warning, not an error."""


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
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _figure(value: Any, pattern: re.Pattern[str], what: str) -> float | None:
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
        raise ValueError(f"not a {what}: {text!r}")
    return float(match.group(1).replace(",", ""))


def score(value: Any) -> float | None:
    """A final score as entered: ``3.5``, ``"3.5分"``, ``"70%"`` → 70.0, ``0.7`` stays 0.7."""
    return _figure(value, _SCORE, "score")


def number(value: Any) -> float | None:
    """A plain figure for a baseline or target: ``40``, ``"1,200"``, ``"40%"`` → 40.0."""
    return _figure(value, _NUMBER, "number")


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
        raise ValueError(f"not a date: {value!r}")
    text = _DUE_SUFFIX.sub("", unicodedata.normalize("NFKC", str(value)).strip())
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        return _valid_date(int(match.group(1)), int(match.group(2)), int(match.group(3)), text)
    match = _MONTH_DAY.match(text)
    if match:
        if year is None:
            raise MissingYear(f"date {text!r} has no year and the cycle gives none")
        return _valid_date(year, int(match.group(1)), int(match.group(2)), text)
    raise ValueError(f"not a date: {text!r} (write it as 2025-09-30)")


def _valid_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"not a valid date: {text!r}") from None


def names(value: Any) -> list[str]:
    """People or teams listed in one cell: ``"张三、李四"``, ``"Ann Lee, Bo Chen"``."""
    text = cell_text(value)
    return [part.strip() for part in _NAME_SPLIT.split(text) if part.strip()] if text else []


def refs(value: Any) -> list[str]:
    """Parent KR references in one cell, split on list punctuation or whitespace: ``"O1.KR2、O2.KR1"``."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    return [part for part in _REF_SPLIT.split(text) if part] if text else []


def _enum(value: Any, aliases: dict[str, str], kind: type, what: str) -> Any:
    text = cell_text(value)
    if not text:
        return None
    key = unicodedata.normalize("NFKC", text).strip().lower()
    key = aliases.get(key, key.replace(" ", "_"))
    try:
        return kind(key)
    except ValueError:
        known = ", ".join(member.value for member in kind)
        raise ValueError(f"unknown {what} {text!r} (expected one of: {known})") from None


def level(value: Any) -> Level | None:
    """An organisational level: 公司 / 部门 / 团队 / 个人, or the English names."""
    return _enum(value, _LEVEL_ALIASES, Level, "level")


def alignment(value: Any) -> AlignmentType | None:
    """An alignment type: 分解式 / 等式 / 多项式, or the English names."""
    return _enum(value, _ALIGNMENT_ALIASES, AlignmentType, "alignment type")


def status(value: Any) -> DependencyStatus | None:
    """A handshake status: 认同 / 有疑问 / 不认同, or accepted / questioned / rejected."""
    return _enum(value, _STATUS_ALIASES, DependencyStatus, "handshake status")


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
