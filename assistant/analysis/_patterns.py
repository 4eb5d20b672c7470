"""Helpers shared by the scanners of this package, shaped for CPython's speed profile.

The regex engine is fast at skipping to a character from a known set (a pattern that opens with a
character class) and at rejecting an alternative that opens with a non-matching literal; it is slow
at trying dozens of other alternatives at every position, and at anything under IGNORECASE. So the
scanners lower-case the text once, open their patterns with a class, and group alternatives by
their first character. Word lists are looked up by their last character rather than tested one by
one with ``str.endswith``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def words(text: str) -> tuple[str, ...]:
    """A word list written as one string, for lists too long to read one item per line."""
    return tuple(text.split())


def first_char_alternation(entries: Iterable[tuple[str, str]], tags: list[str] | None = None) -> str:
    """An alternation of ``(tag, pattern)`` entries grouped by their first, literal, character.

    ``c(?:rest1|rest2)|d(?:…)``: at a candidate position the engine compares one literal per first
    character, not one per entry. With ``tags``, each entry ends in an empty group and ``tags``
    receives the entry's tag in group order, so ``match.lastindex`` tells which entry matched.
    """
    groups: dict[str, list[tuple[str, str]]] = {}
    for tag, pattern in entries:
        first = pattern[0]
        if not (first.isalnum() or first == " ") or pattern[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"pattern must open with a literal character: {pattern!r}")
        groups.setdefault(first, []).append((tag, pattern[1:]))
    parts = []
    for first, rests in groups.items():
        alternatives = []
        for tag, rest in rests:
            if tags is None:
                alternatives.append(f"(?:{rest})")
            else:
                tags.append(tag)
                alternatives.append(f"(?:{rest})()")
        parts.append(f"{re.escape(first)}(?:{'|'.join(alternatives)})")
    return "|".join(parts)


class EndWords:
    """Words (lower case) with a role each; finds the longest one a text ends with.

    English words must end the text as whole words: "over" matches "… over", not "… cover". The
    answer depends only on the last few characters (as many as the longest word that ends in the
    same character, plus one), so answers are remembered by those characters: "…率达到" and "…量达到"
    share "达到".
    """

    __slots__ = ("_by_last",)
    _MEMO_SIZE = 4096  # answers kept per last character before starting afresh

    def __init__(self, roles: Mapping[str, str]) -> None:
        by_last: dict[str, list[tuple[str, str, bool]]] = {}
        for word in sorted(roles, key=len, reverse=True):
            by_last.setdefault(word[-1], []).append((word, roles[word], "a" <= word[0] <= "z"))
        # Per last character: how many characters decide, its words longest first, and the memo.
        self._by_last: dict[str, tuple[int, tuple[tuple[str, str, bool], ...], dict[str, str | None]]] = {
            last: (max(len(word) + english for word, _, english in entries), tuple(entries), {})
            for last, entries in by_last.items()
        }

    def find(self, text: str) -> str | None:
        """The role of the longest word ``text`` ends with, or None."""
        found = self._by_last.get(text[-1:])
        if found is None:
            return None
        reach, entries, memo = found
        key = text[-reach:]
        if key in memo:
            return memo[key]
        role = None
        for word, word_role, english in entries:
            if key.endswith(word) and not (english and "a" <= key[-len(word) - 1 : -len(word)] <= "z"):
                role = word_role
                break
        if len(memo) >= self._MEMO_SIZE:
            memo.clear()
        memo[key] = role
        return role


CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # ideographs, extension A, compatibility

# The last text prepared and its preparation, swapped as one object so that threads see a whole pair.
_last: tuple[str, str, bool] = ("", "", True)


def prepared(text: str) -> tuple[str, bool]:
    """The lower-cased text, and whether English words should be looked for in it (no Chinese).

    ``text.lower()`` is replaced by ``text`` where lowering would move offsets (a few letters such as
    İ). The analysis functions prepare the same text in turn, so the last result is kept.
    """
    global _last
    last = _last
    if text is last[0]:
        return last[1], last[2]
    low = text.lower()
    if len(low) != len(text):
        low = text
    english = text.isascii() or (" " in text and CJK.search(text) is None)
    _last = (text, low, english)
    return low, english
