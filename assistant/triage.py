"""Triage of findings for the reader: set-wide repeats folded into one, the problems to fix first, the language.

The settings (which codes fold, from how many items, the dimension priority, the language weighting)
are data in ``assistant/data/report.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cache
from itertools import islice
from types import MappingProxyType

from .analysis._patterns import CJK
from .findings import Dimension, Finding
from .model import OKRSet
from .shipped import data_table
from .texts import LANGUAGES

_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


@cache
def _settings() -> Mapping:
    return data_table("report")


@cache
def groupable_codes() -> Mapping[str, Mapping]:
    """Codes whose repeats over a set fold into one set-level finding, with their zh/en templates."""
    return MappingProxyType(dict(_settings()["grouping"]["codes"]))


def min_group_size() -> int:
    """How many items of one set a groupable code must fire on before its findings fold."""
    return int(_settings()["grouping"]["min-items"])


def top_size() -> int:
    """How many findings each set's "top to fix" list holds."""
    return int(_settings()["priority"]["top"])


@cache
def dimension_priority() -> Mapping[Dimension, int]:
    """Rank of each CLASSIC dimension when findings of one severity are ordered for fixing (0 first)."""
    order = [Dimension(d) for d in _settings()["priority"]["dimensions"]]
    return MappingProxyType({d: i for i, d in enumerate(order)})


# ---------------------------------------------------------------- folding repeated notices


def fold_repeats(findings: Sequence[Finding], okr_set: OKRSet, lang: str) -> list[Finding]:
    """One set's findings with each groupable code that fired on enough items folded into one set-level finding.

    Everything else is kept as it came; the folded finding is appended (the engine sorts set-level first).
    """
    per_code: dict[str, list[Finding]] = {}
    templates = groupable_codes()
    for finding in findings:
        if finding.code in templates and (finding.objective or finding.key_result):
            per_code.setdefault(finding.code, []).append(finding)
    folded = {code: items for code, items in per_code.items() if len(items) >= min_group_size()}
    if not folded:
        return list(findings)
    kept = [f for f in findings if f.code not in folded or not (f.objective or f.key_result)]
    return kept + [_fold(items, templates[code], okr_set, lang) for code, items in folded.items()]


def _fold(items: Sequence[Finding], template: Mapping, okr_set: OKRSet, lang: str) -> Finding:
    """The set-level finding standing for ``items`` (same code, dimension and note; the worst severity)."""
    refs = _refs(f.key_result or f.objective or "" for f in items)
    values = {"count": len(items), "refs": refs}
    first = items[0]
    fix = template.get("fix")
    return replace(
        first,
        severity=max((f.severity for f in items), key=lambda s: s.rank),
        message=_pick(template["message"], lang).format_map(values),
        fix=_pick(fix, lang).format_map(values) if fix else first.fix,
        objective=None,
        key_result=None,
        evidence=refs,
        span=None,
        source=okr_set.source,
    )


def _refs(ids: Iterable[str]) -> str:
    """``O1.KR1, O1.KR2, O2.KR1``: each item once, in the order met."""
    return str(_settings()["grouping"]["ref-separator"]).join(dict.fromkeys(i for i in ids if i))


def _pick(texts: Mapping[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


# ---------------------------------------------------------------- what to fix first


def priority_key(finding: Finding) -> tuple[int, int]:
    """Sort key of a finding for fixing: more severe first, then by the coach's dimension order."""
    return (-finding.severity.rank, dimension_priority().get(finding.dimension, len(dimension_priority())))


def ranked(findings: Sequence[Finding]) -> list[int]:
    """Indexes of ``findings`` from the one to fix first to the last; ties keep their position."""
    return sorted(range(len(findings)), key=lambda i: priority_key(findings[i]))


def top_of_set(findings: Sequence[Finding], size: int | None = None) -> list[int]:
    """Indexes of the ``size`` (default from data) findings of one set to fix first, most important first.

    One finding per item while other items wait, so the list names that many different things to fix;
    a second finding on an item fills a place only when no other item has one left.
    """
    size = top_size() if size is None else size
    order = ranked(findings)
    seen: set[str | None] = set()
    first = []
    for i in order:
        item = findings[i].key_result or findings[i].objective
        if item not in seen:
            seen.add(item)
            first.append(i)
    chosen = first[:size]
    if len(chosen) < size:
        taken = set(chosen)
        chosen += [i for i in order if i not in taken][: size - len(chosen)]
    return sorted(chosen, key=order.index)


# ---------------------------------------------------------------- the language of a review


def _weights(texts: Iterable[str]) -> tuple[float, int]:
    """Chinese characters (counted as words) and Latin-script words in the texts."""
    per_word = float(_settings()["language"]["cjk-chars-per-word"])
    chinese = english = 0
    for text in texts:
        if text:
            english += len(_WORD.findall(text))
            chinese += 0 if text.isascii() else len(CJK.findall(text))
    return chinese / per_word, english


def text_language(texts: Iterable[str]) -> str:
    """``zh`` or ``en``: the language most of the texts are in (Chinese on a tie, and when there is no text)."""
    chinese, english = _weights(texts)
    return "en" if english > chinese else "zh"


def input_language(sets: Sequence[OKRSet]) -> str:
    """The language of a batch's objective and key result texts; the team names decide only when there are none.

    The first ``sample-items`` texts are enough to tell, and keep a 100,000-KR batch fast.
    """
    texts = (t for s in sets for o in s.objectives for t in (o.text, *(k.text for k in o.key_results)))
    chinese, english = _weights(islice(texts, int(_settings()["language"]["sample-items"])))
    if not chinese and not english:
        return text_language(s.team for s in sets)
    return "en" if english > chinese else "zh"


def resolve_language(setting: str, sets: Sequence[OKRSet]) -> str:
    """The language of a whole run: ``zh`` / ``en`` when set, else read from the input (``auto``)."""
    return setting if setting in LANGUAGES else input_language(sets)
