"""Which language a text is written in, for messages and report headings."""

from __future__ import annotations

from ._patterns import CJK


def detect_language(text: str) -> str:
    """``"zh"`` when the text holds any Chinese character (mixed texts included), else ``"en"``."""
    if text.isascii():
        return "en"
    return "zh" if CJK.search(text) else "en"
