"""The intent evaluation: the drafting chat's reading of labelled utterances, in both languages.

``evals/intents/utterances.tsv`` holds one utterance a line: language, state (``empty`` before an
objective exists, ``draft`` after), the intent, the slots it must carry (``n=3,to=1`` or ``-``) and
the text. An utterance counts as right when the intent and every labelled slot match.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..assist.intents import INTENTS, classify
from ..texts import LANGUAGES

__all__ = ["Utterance", "evaluate_intents", "load_utterances"]

STATES = ("empty", "draft")


@dataclass(frozen=True, slots=True)
class Utterance:
    """One labelled line of the set."""

    line: int
    language: str
    state: str
    intent: str
    slots: tuple[tuple[str, int], ...]
    text: str


def _slots(raw: str, where: str) -> tuple[tuple[str, int], ...]:
    if raw.strip() in ("", "-"):
        return ()
    out: list[tuple[str, int]] = []
    for part in raw.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in ("n", "to") or not value.strip().lstrip("-").isdigit():
            raise ValueError(f"{where}: slot {part!r} is not n=<number> or to=<number>")
        out.append((name.strip(), int(value)))
    return tuple(out)


def load_utterances(path: Path) -> list[Utterance]:
    """The labelled set; ValueError naming the file, line and field for a line that cannot be used."""
    out: list[Utterance] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path.name}:{number}"
        parts = line.split("\t")
        if len(parts) != 5:
            raise ValueError(f"{where}: expected 5 tab-separated columns, found {len(parts)}")
        language, state, intent, slots, text = (p.strip() for p in parts)
        if language not in LANGUAGES:
            raise ValueError(f"{where}: language must be zh or en, not {language!r}")
        if state not in STATES:
            raise ValueError(f"{where}: state must be empty or draft, not {state!r}")
        if intent not in INTENTS:
            raise ValueError(f"{where}: unknown intent {intent!r}")
        if not text:
            raise ValueError(f"{where}: the utterance is empty")
        out.append(Utterance(number, language, state, intent, _slots(slots, where), text))
    return out


def evaluate_intents(utterances: Sequence[Utterance]) -> dict[str, Any]:
    """Accuracy over the set, per language, per intent, and the misread lines."""
    right = {language: 0 for language in LANGUAGES}
    total = {language: 0 for language in LANGUAGES}
    per_intent: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []
    for item in utterances:
        got = classify(item.text, item.language, has_objective=item.state == "draft")
        ok = got.name == item.intent and all(getattr(got, name) == value for name, value in item.slots)
        total[item.language] += 1
        right[item.language] += ok
        counts = per_intent.setdefault(item.intent, [0, 0])
        counts[0] += ok
        counts[1] += 1
        if not ok:
            misses.append({"line": item.line, "text": item.text, "expected": item.intent, "got": got.name, "n": got.n})
    count = sum(total.values())
    return {
        "utterances": count,
        "accuracy": sum(right.values()) / count if count else None,
        "by_language": {language: right[language] / total[language] for language in LANGUAGES if total[language]},
        "by_intent": {name: ok / seen for name, (ok, seen) in sorted(per_intent.items())},
        "misses": misses,
    }
