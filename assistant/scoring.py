"""Cycle-end scores: read 0–1, percent and the 1–5 scale alike, and place them against the healthy band.

The guidance scores key results on 1–5 (1 = not achieved at all, 5 = fully achieved) and calls
60–70% completion healthy: 100% suggests a safe target, under 50% calls for analysis. This module
maps the 1–5 scale linearly onto 0–100% (1 → 0%, 5 → 100%), so 3.4–3.8 points is the 60–70% band.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Scale(StrEnum):
    fraction = "fraction"  # 0–1
    percent = "percent"  # 0–100
    five = "five"  # 1–5


class Band(StrEnum):
    analyse = "analyse"  # below the low mark: find out why
    low = "low"  # between the low mark and the healthy band
    healthy = "healthy"  # the 60–70% band
    high = "high"  # above the band, short of full marks
    conservative = "conservative"  # full marks: the target may have been too safe


HEALTHY_BAND = (60.0, 70.0)


def detect_scale(scores: Iterable[float]) -> Scale:
    """Guess the scale of a set's scores: all within 0–1 → fraction; any above 5 → percent; else 1–5."""
    values = [s for s in scores if s is not None]
    if not values or all(0 <= s <= 1 for s in values):
        return Scale.fraction
    if any(s > 5 for s in values):
        return Scale.percent
    return Scale.five


def to_percent(score: float, scale: Scale) -> float:
    """A score on the given scale as 0–100, clamped."""
    if scale is Scale.fraction:
        value = score * 100
    elif scale is Scale.five:
        value = (score - 1) / 4 * 100
    else:
        value = score
    return round(min(max(value, 0.0), 100.0), 2)


def from_percent(percent: float, scale: Scale) -> float:
    """The inverse of ``to_percent``: show a percentage on another scale."""
    if scale is Scale.fraction:
        return round(percent / 100, 4)
    if scale is Scale.five:
        return round(1 + percent / 100 * 4, 2)
    return percent


def band(percent: float, *, low: float = 50.0, full: float = 100.0) -> Band:
    """Where a 0–100 score sits against the healthy band and the guidance's two warning marks."""
    if percent >= full:
        return Band.conservative
    if percent < low:
        return Band.analyse
    if percent < HEALTHY_BAND[0]:
        return Band.low
    if percent <= HEALTHY_BAND[1]:
        return Band.healthy
    return Band.high


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """Distribution of a set's scores against the band."""

    count: int
    mean: float | None  # percent
    bands: dict[Band, int]


def summarise(percents: Iterable[float], *, low: float = 50.0, full: float = 100.0) -> ScoreSummary:
    values = list(percents)
    bands = dict.fromkeys(Band, 0)
    for value in values:
        bands[band(value, low=low, full=full)] += 1
    mean = round(sum(values) / len(values), 2) if values else None
    return ScoreSummary(count=len(values), mean=mean, bands=bands)
