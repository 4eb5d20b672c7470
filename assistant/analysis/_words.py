"""Fast word tests at the edges of short strings, for the number and lexicon scanners.

Python's regex engine tries every alternative at every position, so a list of fifty words in
one pattern costs microseconds per text. Here the candidates are indexed by their first and last
character, so most probes are one dictionary miss. English words must stand alone ("under" does
not match "understand").
"""

from __future__ import annotations

from collections.abc import Iterable


def _is_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


class EdgeWords:
    """A word list that can tell which entry a string starts or ends with (case-insensitive)."""

    __slots__ = ("_by_first", "_by_last", "words")

    def __init__(self, words: Iterable[str]) -> None:
        self.words = tuple(sorted({w.lower() for w in words if w}, key=len, reverse=True))
        self._by_first: dict[str, list[str]] = {}
        self._by_last: dict[str, list[str]] = {}
        for word in self.words:  # longest first within each bucket
            self._by_first.setdefault(word[0], []).append(word)
            self._by_last.setdefault(word[-1], []).append(word)

    def prefix(self, text: str) -> str | None:
        """The longest entry ``text`` starts with, or None."""
        candidates = self._by_first.get(text[:1].lower())
        if not candidates:
            return None
        for word in candidates:
            n = len(word)
            if text[:n].lower() == word and not (_is_letter(word[-1]) and _is_letter(text[n : n + 1])):
                return word
        return None

    def suffix(self, text: str) -> str | None:
        """The longest entry ``text`` ends with, or None."""
        candidates = self._by_last.get(text[-1:].lower())
        if not candidates:
            return None
        for word in candidates:
            n = len(word)
            if text[-n:].lower() == word and not (
                _is_letter(word[0]) and _is_letter(text[-n - 1 : -n] if len(text) > n else "")
            ):
                return word
        return None
