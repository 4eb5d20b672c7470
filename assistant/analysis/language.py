"""Which language a text is written in, for messages and report headings."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def detect_language(text: str) -> str:
    """``"zh"`` when the text holds any Chinese character (mixed texts included), else ``"en"``."""
    return "zh" if _CJK.search(text) else "en"
