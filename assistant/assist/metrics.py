"""The metric library the offline rewrite draws on, and what a context says about figures and dates.

``assistant/data/metrics.toml`` lists, per common function (support, sales, product, engineering,
marketing, HR, finance, operations, personal goals), the outcome metrics a coach would propose,
with unit and direction, in both languages. :func:`pick_metrics` chooses the function from the KR,
the objective and the context, then the metrics whose hints the KR shares. :func:`baseline_in`
and :func:`deadline_in` read the figures and dates a context states, so a template uses them
instead of a placeholder, and never a figure nobody said. :func:`without_injection` keeps a KR's
wording from ever carrying instructions into a template.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..analysis.quantities import Quantity, find_quantities
from ..analysis.timebounds import find_timebound
from ..shipped import data_table
from ..texts import LANGUAGES

__all__ = [
    "Metric",
    "baseline_in",
    "deadline_in",
    "library",
    "library_notes",
    "pick_metrics",
    "vague_subject",
    "without_injection",
]


@dataclass(frozen=True, slots=True)
class Metric:
    """One outcome metric of the library: its names and units per language, direction and hints."""

    function: str
    names: Mapping[str, str]
    units: Mapping[str, str]
    direction: str  # "up" or "down": which way is better
    hints: tuple[str, ...]  # words (both languages) that point to it in a KR
    notes: tuple[str, ...]  # knowledge notes that speak to the function's measures

    def name(self, language: str) -> str:
        return self.names[language]

    def unit(self, language: str) -> str:
        return self.units[language]


@dataclass(frozen=True, slots=True)
class Function:
    key: str
    words: tuple[str, ...]
    metrics: tuple[Metric, ...]


def _table() -> Mapping[str, Any]:
    return data_table("metrics")


@cache
def library() -> tuple[Function, ...]:
    """Every function of the library with its metrics, in file order."""
    out: list[Function] = []
    for raw in _table()["function"]:
        notes = tuple(raw.get("notes", ()))
        metrics = tuple(
            Metric(
                function=raw["key"],
                names={language: entry[language] for language in LANGUAGES},
                units={language: entry[f"unit_{language}"] for language in LANGUAGES},
                direction=entry["direction"],
                hints=tuple((*entry["hints_zh"], *entry["hints_en"])),
                notes=notes,
            )
            for entry in raw["metrics"]
        )
        out.append(Function(raw["key"], tuple((*raw["words_zh"], *raw["words_en"])), metrics))
    return tuple(out)


def _hits(text: str, words: Sequence[str]) -> int:
    """How many of ``words`` occur in ``text``: substrings for Chinese, word starts (any case) for Latin."""
    lower = text.lower()
    count = 0
    for word in words:
        if word.isascii():
            count += bool(re.search(rf"(?<![a-z]){re.escape(word.lower())}", lower))
        else:
            count += word in text
    return count


def pick_metrics(
    kr_text: str, *, objective: str = "", context: str = "", count: int = 3, only_named: bool = False
) -> list[Metric]:
    """Up to ``count`` metrics for a KR: from the function its words point to, those sharing its hints first.

    The KR's words count double, then the objective's and the context's. No function word anywhere,
    or no metric whose hints the KR or the objective share: no metric (the template keeps a
    placeholder rather than guess). ``only_named``: only the metrics the KR's own words point to.
    """
    scored: list[tuple[int, int, Function]] = []
    for order, function in enumerate(library()):
        score = 2 * _hits(kr_text, function.words) + _hits(objective, function.words) + _hits(context, function.words)
        if score:
            scored.append((-score, order, function))
    if not scored:
        return []
    best = min(scored)[2]
    ranked = sorted(
        enumerate(best.metrics), key=lambda p: (-_hits(kr_text, p[1].hints), -_hits(objective, p[1].hints), p[0])
    )
    named = [metric for _, metric in ranked if _hits(kr_text, metric.hints)]
    if only_named or not (named or any(_hits(objective, metric.hints) for metric in best.metrics)):
        return named[:count]  # nothing pointed to: keep the placeholder rather than guess a field
    return [metric for _, metric in ranked][:count]  # what the KR points to first, then the field's others


def library_notes(kr_text: str, *, objective: str = "", context: str = "") -> tuple[str, ...]:
    """The knowledge notes behind the metrics the library proposes for a KR (none when it proposes none):
    a rewrite gathers their passages so that candidates drawn from the library can cite them."""
    picked = pick_metrics(kr_text, objective=objective, context=context)
    return tuple(dict.fromkeys(note for metric in picked for note in metric.notes))


def vague_subject(subject: str) -> bool:
    """A subject that sounds like a metric but counts nothing: it ends with a vague noun (服务质量, user experience)."""
    table = _table()["vague"]
    stripped = subject.strip().lower()
    return any(stripped.endswith(word.lower()) for word in (*table["zh"], *table["en"]))


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in re.split(_table()["context"]["clause_split"], text) if c.strip()]


def baseline_in(context: str, words: Sequence[str]) -> Quantity | None:
    """The figure a context states for a metric: the one figure of the first clause naming one of ``words``.

    Figures that are part of the naming words ("7 日留存" → the 7) are not the baseline; a clause with
    two figures or more ("从 68% 提升到 80%") is a key result, not a statement of where things stand.
    """
    if not context:
        return None
    for clause in _clauses(context):
        if not _hits(clause, [w for w in words if w]):
            continue
        named = [m.span() for w in words if w for m in re.finditer(re.escape(w), clause, re.IGNORECASE)]
        figures = [
            q
            for q in find_quantities(clause)
            if not any(s <= q.span[0] < e for s, e in named) and not _naming(q, clause)
        ]
        if len(figures) == 1:  # "目前 20%": a state; "从 68% 提升到 80%" is another KR, not a baseline
            return figures[0]
    return None


def _naming(quantity: Quantity, clause: str) -> bool:
    """A figure that names the metric rather than measures it: "7 日留存", "7-day retention", "D30"."""
    after = clause[quantity.span[1] : quantity.span[1] + 6]
    return bool(re.match(r"\s*(?:日|天|-day|-week|周)", after)) and quantity.kind != "percent"


def deadline_in(context: str, language: str) -> str:
    """The date a context states ("12 月 31 日", "December 31"), else its time bound, else ""."""
    if not context:
        return ""
    table = _table()["context"]
    for lang in (language, *(other for other in LANGUAGES if other != language)):
        for pattern in table[f"dates_{lang}"]:
            match = re.search(pattern, context, re.IGNORECASE)
            if match:
                return match.group(0).strip()
    bound = find_timebound(context)
    return bound.text.strip() if bound is not None else ""


def without_injection(text: str) -> str:
    """``text`` cut before the first sentence that reads as instructions or carries markup; "" when all does."""
    table = _table()["injection"]
    cut = len(text)
    for pattern in table["markup"]:
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            cut = min(cut, match.start())
    lower = text.lower()
    for word in (*table["zh"], *table["en"]):
        index = lower.find(word.lower())
        if 0 <= index < cut:
            cut = index
    if cut == len(text):
        return text
    head = text[:cut]
    sentence = max(head.rfind(mark) for mark in ("。", ". ", "！", "!", "；", ";", "，", ","))
    return (head[:sentence] if sentence > 0 else head).strip(" ，,。.;；:：\"'")
