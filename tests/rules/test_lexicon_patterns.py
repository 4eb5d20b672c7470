"""The lexicon's regexes: sharing letter guards between neighbouring English words changes no match."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from assistant.rules import lexicon


def _one_guard_per_word(name: str) -> re.Pattern[str]:
    """The plain construction: every English entry with its own pair of letter guards."""
    parts = []
    for word in sorted(lexicon.words(name), key=len, reverse=True):
        escaped = re.escape(word)
        guarded = not (lexicon._is_cjk(word) or not word[:1].isalnum())
        parts.append(rf"(?<![A-Za-z]){escaped}(?![A-Za-z])" if guarded else escaped)
    return re.compile("|".join(parts), re.IGNORECASE)


def _texts(name: str) -> list[str]:
    """Every entry alone, inside words, between spaces, next to Chinese, upper-cased; and two entries together."""
    entries = lexicon.words(name)
    texts = []
    for word in entries:
        texts += [word, f"x{word}", f"{word}s", f"a {word} b", f"完成{word}的", word.upper(), f"({word}),"]
    texts += [f"{a} {b}" for a, b in pairwise(entries)]
    texts += [f"{a}{b}" for a, b in zip(entries, reversed(entries), strict=False)]
    return texts


@pytest.mark.parametrize("name", sorted(lexicon._table()))
def test_the_shared_guards_find_what_one_guard_per_word_finds(name):
    plain, shared = _one_guard_per_word(name), lexicon.pattern(name)
    english = [w for w in lexicon.words(name) if not lexicon._is_cjk(w) and w[:1].isalnum()]
    assert (shared.pattern != plain.pattern) == bool(english)  # the two are built differently
    for text in _texts(name):
        assert [m.span() for m in shared.finditer(text)] == [m.span() for m in plain.finditer(text)], text
        assert shared.sub("_", text) == plain.sub("_", text)


def test_a_guarded_run_keeps_the_order_of_the_entries():
    source = lexicon.pattern_source("effort_units")
    assert re.compile(source, re.IGNORECASE).pattern == lexicon.pattern("effort_units").pattern
    assert source.count("(?<![A-Za-z])") < sum(1 for w in lexicon.words("effort_units") if w[:1].isascii())
