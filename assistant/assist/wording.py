"""How the assistant compares and shows short texts: first-seen unique items, duplicate keys, one-line forms.

One definition each, shared by every task: ``normalised`` (case, spaces and punctuation gone) says
whether two questions or items are the same; ``comparable`` (spaces squashed, lower case) is what
the leak check compares; ``one_line`` (spaces squashed, case kept) is how a text is shown in a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["comparable", "normalised", "one_line", "unique"]

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order, each once, blanks dropped."""
    return list(dict.fromkeys(i for i in items if i))


def normalised(text: str) -> str:
    """Text with case, spaces and punctuation removed: how duplicates are recognised."""
    return _PUNCT.sub("", text).lower()


def one_line(text: str) -> str:
    """Text on one line: runs of whitespace (newlines included) become one space; case kept."""
    return _SPACE.sub(" ", text).strip()


def comparable(text: str) -> str:
    """One line in lower case: the form the leak check compares."""
    return one_line(text).lower()
