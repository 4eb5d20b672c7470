"""Small builders for check-in tests: one set in 2025Q3 (1 Jul – 30 Sep) with the key results a test needs."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.model import KeyResult, Objective, OKRSet

START, MIDDLE, END = date(2025, 7, 1), date(2025, 8, 15), date(2025, 9, 30)  # MIDDLE: 49.5% elapsed
CJK = re.compile(r"[\u4e00-\u9fff]")


def kr(number: int = 1, **fields: Any) -> KeyResult:
    fields.setdefault("owner", "王磊")
    fields.setdefault("text", f"指标 {number} 从 10 提升到 20")
    return KeyResult(id=f"KR{number}", **fields)


def one_set(*krs: KeyResult, cycle: str | None = "2025Q3", **objective: Any) -> OKRSet:
    return OKRSet(
        team="增长部",
        cycle=cycle,
        objectives=[Objective(id="O1", text="让新用户爱上产品", key_results=list(krs), **objective)],
    )


def in_language(text: str, language: str) -> bool:
    """Chinese text holds CJK characters; English text, apart from quoted KR texts and names, does not."""
    return bool(CJK.search(text)) if language == "zh" else not CJK.search(text)
