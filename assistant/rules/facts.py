"""What the rules need to know about one piece of text, worked out once and shared by all rules."""

from __future__ import annotations

import re
from functools import cache

from ..analysis.language import detect_language
from ..analysis.quantities import Quantity, QuantityFacts, analyse_quantities, find_quantities
from ..analysis.timebounds import TimeBound, find_timebound
from . import lexicon
from .lexicon import WordMatch
from .similarity import shingles

# Parenthesised asides such as "（原 0.6 毫秒）" hold context, not separate results.
_ASIDE = re.compile(r"[（(][^（()）]*[)）]")


class lazy:
    """Compute an attribute on first use and store it on the instance.

    Like functools.cached_property, without its per-access lock (Python 3.11), which costs more
    than most of the values it guards here.
    """

    def __init__(self, func) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = self.func(obj)
        obj.__dict__[self.name] = value
        return value


class TextFacts:
    """Lazily computed facts about an objective's or key result's text."""

    def __init__(self, text: str) -> None:
        self.text = text

    @lazy
    def language(self) -> str:
        return detect_language(self.text)

    @lazy
    def timebound(self) -> TimeBound | None:
        return find_timebound(self.text)

    @lazy
    def targets(self) -> tuple[Quantity, ...]:
        """The figures of the text (dates and periods are not figures)."""
        return find_quantities(self.text)

    @lazy
    def quantities(self) -> QuantityFacts:
        """The figures with their roles (baseline, target, relative change); costlier than ``targets``."""
        return analyse_quantities(self.text, self.targets)

    @lazy
    def target_word(self) -> WordMatch | None:
        return lexicon.get("target_words").find(self.text)

    @lazy
    def has_target(self) -> bool:
        """Whether the text states something a person could verify: a figure, a threshold or an end state."""
        return bool(self.targets) or self.target_word is not None

    @lazy
    def vague_verb(self) -> WordMatch | None:
        return lexicon.get("vague_verbs").find(self.text)

    @lazy
    def activity_start(self) -> WordMatch | None:
        """A work verb opening the text: 完成…, 上线…, Launch…"""
        return lexicon.get("activity_verbs").at_start(self.text)

    @lazy
    def activity(self) -> WordMatch | None:
        """A work verb at the start or the end of the text (日志模块打通, …产品化)."""
        return self.activity_start or lexicon.get("activity_verbs").at_end(self.text)

    @lazy
    def status_quo(self) -> WordMatch | None:
        return lexicon.get("status_quo").find(self.text)

    @lazy
    def shingles(self) -> frozenset[str]:
        return shingles(self.text)

    def measured_clauses(self) -> list[str]:
        """The clauses of the text that each carry a figure of their own ("A 达到 99%，B 达到 99.9%").

        Clauses split at separators; parenthesised asides ("（原 0.6 毫秒）") and the figures
        themselves ("1,000") are not split, and figures inside asides do not count, nor does the
        baseline ("1,000 merchants, up from 600": one result and its starting point), nor a clause
        that only continues the one before ("翻一番，达到 2000").
        """
        quantities = self.targets
        if len(quantities) < 2:
            return []
        text = self.text
        asides = [m.span() for m in _ASIDE.finditer(text)] if ("(" in text or "（" in text) else []
        figures = [q.span for q in quantities]
        breaks = [
            m.start()
            for m in _clause_splitter().finditer(text)
            if not any(a <= m.start() < b for a, b in asides) and not any(a <= m.start() < b for a, b in figures)
        ]
        clauses: dict[int, list[Quantity]] = {}
        for quantity in quantities:
            if any(a <= quantity.span[0] < b for a, b in asides):
                continue
            index = sum(1 for position in breaks if position < quantity.span[0])
            clauses.setdefault(index, []).append(quantity)
        if len(clauses) < 2:
            return []
        baseline = self.quantities.baseline
        clauses = {index: found for index, found in clauses.items() if found != [baseline]}
        if len(clauses) < 2:
            return []
        bounds = [0, *breaks, len(text)]
        continuing = lexicon.get("continuation_markers")
        parts = []
        for index in clauses:
            start = bounds[index] + (1 if index else 0)
            part = _ASIDE.sub("", text[start : bounds[index + 1]]).strip(" ，,；;+＋")
            if parts and continuing.at_start(part):
                continue  # "翻一番，达到 2000": the same result stated a second way
            parts.append(part)
        return parts if len(parts) >= 2 else []


@cache
def _clause_splitter() -> re.Pattern[str]:
    return lexicon.pattern("result_separators")
