"""Cycle-end scores: read 0–1, percent and the 1–5 scale alike, and place them against the healthy band.

The guidance scores key results on 1–5 (1 = not achieved at all, 5 = fully achieved) and calls
60–70% completion healthy: 100% suggests a safe target, under 50% calls for analysis. This module
maps the 1–5 scale linearly onto 0–100% (1 → 0%, 5 → 100%), so 3.4–3.8 points is the 60–70% band.

It is the one owner of that policy: the scale of a set (``set_scale``, the ``score-scale`` setting or
detection) and the two marks (``marks``, from ``score-low`` and ``score-full``) are read here by
``check`` (CHA004/CHA005), ``okr-review score``, the retrospective drafts and the web app alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config
    from .model import KeyResult, Objective, OKRSet


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


def resolve_scale(scores: Iterable[float], setting: Scale | str = "auto") -> Scale:
    """The scale of a set's scores: the setting (a scale, or the config's ``score-scale``), detected when "auto"."""
    if isinstance(setting, Scale):
        return setting
    if setting == "auto":
        return detect_scale(scores)
    return Scale(setting)


def set_scale(okr_set: OKRSet, config: Config, scale: Scale | str | None = None) -> Scale:
    """The scale of one set: ``scale`` if given, else the config's ``score-scale``, detected over its scores."""
    setting = scale if scale is not None else config.score_scale
    return resolve_scale((kr.score for _, kr in okr_set.key_results() if kr.score is not None), setting)


def scored_key_results(
    okr_set: OKRSet, config: Config, scale: Scale | str | None = None
) -> Iterator[tuple[Objective, KeyResult, float]]:
    """(objective, key result, percent) for every scored key result, on the set's scale (see ``set_scale``)."""
    used = set_scale(okr_set, config, scale)
    for objective, kr in okr_set.key_results():
        if kr.score is not None:
            yield objective, kr, to_percent(kr.score, used)


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
class Marks:
    """The guidance's two warning marks in percent, as configured: below ``low`` analyse, at ``full`` too safe."""

    low: float = 50.0
    full: float = 100.0

    def band(self, percent: float) -> Band:
        """Where a 0–100 score sits against these marks and the healthy band."""
        return band(percent, low=self.low, full=self.full)

    def summarise(self, percents: Iterable[float]) -> ScoreSummary:
        """Count, mean and band counts of 0–100 scores against these marks."""
        return summarise(percents, low=self.low, full=self.full)


def marks(config: Config) -> Marks:
    """The score marks a config sets (``score-low``, ``score-full``): the one source every score band is read from."""
    return Marks(low=float(config.threshold("score-low")), full=float(config.threshold("score-full")))


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    """Distribution of a set's scores against the band."""

    count: int
    mean: float | None  # percent
    bands: dict[Band, int]


def summarise(percents: Iterable[float], *, low: float = 50.0, full: float = 100.0) -> ScoreSummary:
    """Count, mean and band counts of a set of 0–100 scores."""
    values = list(percents)
    bands = dict.fromkeys(Band, 0)
    for value in values:
        bands[band(value, low=low, full=full)] += 1
    mean = round(sum(values) / len(values), 2) if values else None
    return ScoreSummary(count=len(values), mean=mean, bands=bands)
