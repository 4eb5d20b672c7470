"""The JSON object in a model's reply, as models really write it: fenced, after a preamble, with trailing commas.

Without JSON mode (or despite it) models wrap the object in a Markdown fence, open with a sentence ("Here is
the JSON:"), or leave a comma before ``}``. The object is found and read leniently; the caller's schema
validation still decides whether it is the right object.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_FENCE = re.compile(r"```[ \t]*(?:json|JSON|json5)?[ \t]*\n?(?P<body>.*?)```", re.DOTALL)
MAX_STARTS = 20  # opening braces tried before giving up on a long reply


def json_object(text: str) -> dict[str, Any] | None:
    """The first JSON object found in ``text``, or ``None``."""
    for candidate in _candidates(text):
        value = _loads(candidate)
        if isinstance(value, dict):
            return value
    return None


def _candidates(text: str) -> Iterator[str]:
    stripped = text.strip()
    yield stripped
    for match in _FENCE.finditer(stripped):
        yield match["body"].strip()
    starts = [i for i, char in enumerate(stripped) if char == "{"][:MAX_STARTS]
    for start in starts:
        end = _balanced_end(stripped, start)
        if end is not None:
            yield stripped[start : end + 1]


def _loads(text: str) -> Any:
    for attempt in (text, without_trailing_commas(text)):
        try:
            return json.loads(attempt)
        except ValueError:
            continue
    return None


def _characters(text: str, start: int = 0) -> Iterator[tuple[int, str, bool]]:
    """Each character from ``start`` with whether it is part of a JSON string (quotes included)."""
    in_string, escaped = False, False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
                yield index, char, True
                continue
        elif char == '"':
            in_string = True
        yield index, char, in_string


def _balanced_end(text: str, start: int) -> int | None:
    """Index of the ``}`` closing the ``{`` at ``start``, skipping strings; ``None`` when it never closes."""
    depth = 0
    for index, char, quoted in _characters(text, start):
        if quoted:
            continue
        if char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
            if depth == 0:
                return index
    return None


def without_trailing_commas(text: str) -> str:
    """``text`` with every comma that directly precedes ``}`` or ``]`` removed, strings left alone."""
    return "".join(
        char
        for index, char, quoted in _characters(text)
        if quoted or char != "," or text[index + 1 :].lstrip()[:1] not in ("}", "]")
    )
