"""The text the rules read: Traditional Chinese folded to Simplified, code and links blanked out.

The result always has the length of the input, character for character, so that a span found in
the plain text points at the same characters of the text as written (the evidence users see).
"""

from __future__ import annotations

import re
from functools import cache

# Inline code (`learn.launch.py`, :book:`…`) and links name things; their words are not the KR's words.
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\]\([^)\s]*\)|https?://\S+")


@cache
def _converter():
    """OpenCC's Traditional → Simplified converter, built once (imported here: only non-ASCII text needs it)."""
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    converted = _converter().convert(text)
    # A phrase conversion that changes the length would break spans: keep the text as written then.
    return converted if len(converted) == len(text) else text


def plain_text(text: str) -> str:
    """``text`` as the rules read it, with the same length: Simplified Chinese, code and links blanked."""
    if not text.isascii():
        text = _simplified(text)
    if "`" in text:
        text = _CODE.sub(lambda m: " " * len(m.group()), text)
    if "http" in text:
        text = _LINK.sub(lambda m: " " * len(m.group()), text)
    return text
