"""What the rules need to know about one piece of text, worked out once and shared by all rules."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from ..analysis.language import detect_language
from ..analysis.plain import plain_text
from ..analysis.quantities import (
    BASELINE_MARKERS,
    Quantity,
    QuantityFacts,
    analyse_quantities,
    find_quantities,
    is_duration,
)
from ..analysis.timebounds import TimeBound, find_timebound
from . import lexicon
from .lexicon import WordMatch
from .shape import KRReading, is_bare_objective, read_key_result, work_at_start
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
    def plain(self) -> str:
        """The text as the rules read it (Simplified, code and links blanked), span for span the same."""
        return plain_text(self.text)

    @lazy
    def timebound(self) -> TimeBound | None:
        return find_timebound(self.plain)

    @lazy
    def targets(self) -> tuple[Quantity, ...]:
        """The figures of the text (dates and periods are not figures)."""
        return find_quantities(self.plain)

    @lazy
    def quantities(self) -> QuantityFacts:
        """The figures with their roles (baseline, target, relative change); costlier than ``targets``."""
        return analyse_quantities(self.plain, self.targets)

    @lazy
    def target_word(self) -> WordMatch | None:
        return lexicon.get("target_words").find(self.plain)

    @lazy
    def moves(self) -> bool:
        """Whether the text takes a figure from a stated baseline to a different value (从 52 天缩短到 35 天)."""
        if len(self.targets) < 2:
            return False
        facts = self.quantities
        baseline, target = facts.baseline, facts.target
        if baseline is None or target is None or baseline.value == target.value:
            return False
        # A stated starting point ("从 52 天", "from 3"), not a range such as "2 到 3 名".
        before = self.plain[max(0, baseline.span[0] - 12) : baseline.span[0]].lower()
        return any(marker in before for marker in BASELINE_MARKERS)

    @lazy
    def kr_reading(self) -> KRReading:
        """The shape of the text read as a key result: outcome, output, effort, open work, vague…"""
        return read_key_result(
            self.plain,
            self.targets,
            moves=self.moves,
            status=self.status_quo,
            vague_verb=self.vague_verb,
            target_word=self.target_word,
        )

    @lazy
    def vague_verb(self) -> WordMatch | None:
        return lexicon.get("vague_verbs").find(self.plain)

    @lazy
    def activity_start(self) -> WordMatch | None:
        """A work verb opening the text: 完成…, 上线…, Launch…"""
        return work_at_start(self.plain)

    @lazy
    def status_quo(self) -> WordMatch | None:
        return lexicon.get("status_quo").find(self.plain)

    @lazy
    def without_slogans(self) -> str:
        """The text with its slogan words (一流, world-class …) blanked out: what is left says what it is about."""
        return lexicon.pattern("slogan_words").sub(" ", self.text)

    def bare(self, max_chars: int, max_words: int) -> bool:
        """Whether the text reads as a bare objective (a noun, a duty) at these limits; remembered per limits."""
        known = self.__dict__.setdefault("_bare", {})
        limits = (max_chars, max_words)
        if limits not in known:
            known[limits] = is_bare_objective(self.plain, max_chars=max_chars, max_words=max_words)
        return known[limits]

    @lazy
    def shingles(self) -> frozenset[str]:
        return shingles(self.text)

    @lazy
    def measured_clauses(self) -> list[str]:
        """The clauses of the text that each carry a figure of their own ("A 达到 99%，B 达到 99.9%").

        Clauses split at separators; parenthesised asides ("（原 0.6 毫秒）") and the figures
        themselves ("1,000") are not split, and figures inside asides do not count, nor does the
        baseline ("1,000 merchants, up from 600": one result and its starting point), nor a clause
        that only continues the one before ("翻一番，达到 2000"), nor one that only gives the share of
        cases meeting the time bound beside it ("15 分钟内响应，达成率 99%": one service-level target).
        """
        quantities = self.targets
        if len(quantities) < 2:
            return []
        text = self.text
        asides = [m.span() for m in _ASIDE.finditer(text)] if ("(" in text or "（" in text) else []
        figures = [q.span for q in quantities]
        cuts = [
            m.span()
            for m in _clause_splitter().finditer(text)
            if not any(a <= m.start() < b for a, b in asides) and not any(a <= m.start() < b for a, b in figures)
        ]
        breaks = [start for start, _ in cuts]
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
        starts = [0, *(end for _, end in cuts)]  # a separator may be longer than one character (同时)
        ends = [*breaks, len(text)]
        continuing = lexicon.get("continuation_markers")
        shares = lexicon.get("service_level_shares")
        found_in = list(clauses.values())
        parts: list[str] = []
        for position, (index, found) in enumerate(clauses.items()):
            part = _ASIDE.sub("", text[starts[index] : ends[index]]).strip(" ，,；;+＋")
            if parts and continuing.at_start(part):
                continue  # "翻一番，达到 2000": the same result stated a second way
            neighbours = found_in[max(0, position - 1) : position] + found_in[position + 1 : position + 2]
            if (
                all(q.kind == "percent" for q in found)
                and shares.find(part) is not None
                and any(is_duration(q) for near in neighbours for q in near)
            ):
                continue  # "48 hours, 95% of the time": how often the time bound beside it is met
            parts.append(part)
        return parts if len(parts) >= 2 else []


class FactsMemo:
    """The facts of each text met more than once in a run, worked out once and dropped after its last use.

    A company export repeats texts a lot (a template KR copied by many teams, "TBD"), and the facts are
    a pure function of the text, so each repeated text is read once. Texts met once are never stored,
    and each stored one is freed at its last occurrence, so memory stays with the texts still to come.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self.remaining = Counter(texts)
        self.kept: dict[str, TextFacts] = {}

    def facts(self, text: str) -> TextFacts:
        left = self.remaining.get(text, 0)
        if left <= 1:  # the only or the last occurrence
            self.remaining.pop(text, None)
            return self.kept.pop(text, None) or TextFacts(text)
        self.remaining[text] = left - 1
        found = self.kept.get(text)
        if found is None:
            found = self.kept[text] = TextFacts(text)
        return found


@cache
def _clause_splitter() -> re.Pattern[str]:
    return lexicon.pattern("result_separators")
