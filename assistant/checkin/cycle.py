"""The time line of a cycle: its first and last day, and how much of it has passed on a given date.

Canonical cycles (``2025Q3``, ``2025H2``, ``2025``; the importers normalise ``2025年第三季度`` and the like)
give both ends; a set's ``cycle_end`` overrides the end. With only an end date the cycle is taken to be the
quarter that ends then, the most common rhythm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..importers._values import normalise_cycle
from ..model import OKRSet

__all__ = ["CycleSpan", "cycle_span", "parse_cycle"]

_CYCLE = re.compile(r"^(?P<year>\d{4})(?:(?P<kind>[QH])(?P<part>[1-4]))?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CycleSpan:
    """First and last day of a cycle, both included."""

    start: date
    end: date

    def elapsed(self, day: date, end: date | None = None) -> float:
        """The share (0–1) of the cycle, or of the part up to ``end`` (a KR's due date), passed on ``day``."""
        last = end if end is not None and self.start < end < self.end else self.end
        total = (last - self.start).days
        if total <= 0:
            return 1.0 if day >= last else 0.0
        return min(max((day - self.start).days / total, 0.0), 1.0)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def parse_cycle(text: str | None) -> CycleSpan | None:
    """``2025Q3`` → 1 Jul–30 Sep 2025, ``2025H2`` → 1 Jul–31 Dec, ``2025`` → the year; None if not a cycle."""
    if not text:
        return None
    match = _CYCLE.match(normalise_cycle(str(text)).replace(" ", ""))
    if not match:
        return None
    year = int(match["year"])
    kind = (match["kind"] or "").upper()
    part = int(match["part"] or 1)
    if kind == "Q":
        first, last = 3 * part - 2, 3 * part
    elif kind == "H":
        if part > 2:
            return None
        first, last = 6 * part - 5, 6 * part
    else:
        first, last = 1, 12
    return CycleSpan(_month_start(year, first), _month_end(year, last))


def cycle_span(okr_set: OKRSet) -> CycleSpan | None:
    """The set's cycle as dates: from ``cycle``, its end from ``cycle_end`` when given; None when unknown."""
    span = parse_cycle(okr_set.cycle)
    end = okr_set.cycle_end
    if span is None and end is None:
        return None
    if span is None:
        assert end is not None
        month = end.month - 2
        year = end.year if month >= 1 else end.year - 1
        return CycleSpan(_month_start(year, month if month >= 1 else month + 12), end)
    if end is not None and end > span.start:
        return CycleSpan(span.start, end)
    return span
