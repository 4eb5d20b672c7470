"""Word lists from data/lexicon.toml, and fast ways to find their entries in a text.

Chinese entries match as substrings; English entries as whole words, case-insensitively.
Matching uses plain string operations: on short texts they beat one big regex many times over.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..analysis._words import EdgeWords

_EN_TOKEN = re.compile(r"[a-z][a-z'-]*")
_LATIN = re.compile(r"[A-Za-z]")
_TRAILING = "。.!！；;，, \t"


@dataclass(frozen=True, slots=True)
class WordMatch:
    """An entry found in a text, with its position."""

    text: str
    start: int
    end: int

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


def _is_cjk(word: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in word)


class WordList:
    """One list of the lexicon, ready for matching."""

    def __init__(self, zh: list[str], en: list[str]) -> None:
        self.zh = tuple(sorted(zh, key=len, reverse=True))
        self.zh_tuple = self.zh
        self.en_all = tuple(en)
        self.en_words = frozenset(w.strip().lower() for w in en if " " not in w.strip() and w.strip()[:1].isalnum())
        self.en_other = tuple(w.lower() for w in en if w.strip().lower() not in self.en_words)
        self.edges = EdgeWords(w.strip() for w in en)
        self.entries = frozenset(w.strip().lower() for w in (*zh, *en))

    def find(self, text: str) -> WordMatch | None:
        """The earliest entry in the text (the longest one at that position)."""
        best: WordMatch | None = None
        for word in self.zh:
            if word in text:
                index = text.find(word)
                if best is None or index < best.start:
                    best = WordMatch(word, index, index + len(word))
        if not self.en_all or not _LATIN.search(text):
            return best
        lower = text.lower()
        for token in _EN_TOKEN.finditer(lower):
            if best is not None and token.start() >= best.start:
                break
            if token.group() in self.en_words:
                best = WordMatch(text[token.start() : token.end()], token.start(), token.end())
                break
        for phrase in self.en_other:
            index = lower.find(phrase)
            if index >= 0 and (best is None or index < best.start) and _bounded(lower, index, len(phrase)):
                best = WordMatch(text[index : index + len(phrase)], index, index + len(phrase))
        return best

    def at_start(self, text: str) -> WordMatch | None:
        """The entry the text starts with (after an optional English 'to')."""
        stripped = text.lstrip()
        offset = len(text) - len(stripped)
        if stripped.startswith(self.zh_tuple):
            word = next(w for w in self.zh if stripped.startswith(w))
            return WordMatch(word, offset, offset + len(word))
        if stripped[:3].lower() == "to ":
            offset += 3
            stripped = stripped[3:]
        edge = self.edges.prefix(stripped)
        return WordMatch(text[offset : offset + len(edge)], offset, offset + len(edge)) if edge else None

    def at_end(self, text: str) -> WordMatch | None:
        """The entry the text ends with, trailing punctuation aside."""
        stripped = text.rstrip(_TRAILING)
        end = len(stripped)
        if stripped.endswith(self.zh_tuple):
            word = next(w for w in self.zh if stripped.endswith(w))
            return WordMatch(word, end - len(word), end)
        edge = self.edges.suffix(stripped)
        return WordMatch(text[end - len(edge) : end], end - len(edge), end) if edge else None

    def is_entry(self, text: str) -> bool:
        return text.strip().lower() in self.entries

    def ends_with_zh(self, text: str) -> str | None:
        stripped = text.strip()
        if not stripped.endswith(self.zh_tuple):
            return None
        return next(w for w in self.zh if stripped.endswith(w))


def _bounded(lower: str, index: int, length: int) -> bool:
    before = lower[index - 1 : index] if index else ""
    after = lower[index + length : index + length + 1]
    phrase = lower[index : index + length]
    left_ok = not (phrase[:1].isalpha() and before.isalpha())
    right_ok = not (phrase[-1:].isalpha() and after.isalpha())
    return left_ok and right_ok


@cache
def _table() -> dict:
    text = resources.files("assistant").joinpath("data/lexicon.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def get(name: str) -> WordList:
    entry = _table()[name]
    return WordList(list(entry.get("zh", ())), list(entry.get("en", ())))


def words(name: str) -> tuple[str, ...]:
    """Every entry of a list, Chinese first, then English."""
    entry = _table()[name]
    return (*entry.get("zh", ()), *entry.get("en", ()))


@cache
def pattern_source(name: str) -> str:
    """The source of ``pattern(name)``: every entry, longest first; English words only between non-letters.

    Neighbouring English words share one pair of letter guards, ``(?<![A-Za-z])(?:a|b)(?![A-Za-z])``:
    the same matches as a guard pair per word, in the same order, and four to six times faster to compile,
    which is most of the time a small check takes to find these words.
    """
    runs: list[tuple[bool, list[str]]] = []  # (guarded, escaped entries) in the order of the alternation
    for word in sorted(words(name), key=len, reverse=True):
        guarded = not (_is_cjk(word) or not word[:1].isalnum())
        if runs and runs[-1][0] == guarded:
            runs[-1][1].append(re.escape(word))
        else:
            runs.append((guarded, [re.escape(word)]))
    return "|".join(
        rf"(?<![A-Za-z])(?:{'|'.join(run)})(?![A-Za-z])" if guarded else "|".join(run) for guarded, run in runs
    )


@cache
def pattern(name: str) -> re.Pattern[str]:
    """A regex for every entry, case-insensitive (for substitutions, off the hot path)."""
    return re.compile(pattern_source(name), re.IGNORECASE)
