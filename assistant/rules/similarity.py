"""Text similarity for near-duplicate objectives and key results that repeat their objective."""

from __future__ import annotations

import re

_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def shingles(text: str) -> frozenset[str]:
    """Character bigrams of the text without spaces and punctuation, lower-cased.

    Bigrams work for Chinese (no word boundaries) and well enough for short English phrases.
    """
    cleaned = _NOISE.sub("", text.lower())
    if len(cleaned) < 2:
        return frozenset((cleaned,)) if cleaned else frozenset()
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two shingle sets, 0–1."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def could_reach(a: int, b: int, threshold: float) -> bool:
    """Whether sets of sizes a and b can have a Dice coefficient of at least threshold at all."""
    return a + b > 0 and 2 * min(a, b) / (a + b) >= threshold


def similarity(a: str, b: str) -> float:
    return dice(shingles(a), shingles(b))
