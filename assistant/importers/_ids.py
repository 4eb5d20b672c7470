"""Ids of objectives (``O1``…) and key results (``KR1``…): the input's own labels when usable, else positional.

Labels such as ``O3``, ``目标3``, ``Objective 3`` or plain ``3`` become ``O3``; ``KR2``, ``关键结果2``,
``O1.KR2`` become ``KR2``. When two items of one set (or one objective) end up with the same id, every item
there falls back to its position, so references stay unambiguous; the caller reports that.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["assign_ids", "kr_label", "objective_label"]

_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"(\d{1,6}|[一二两三四五六七八九十]|十[一二三四五六七八九])"
_OBJECTIVE = re.compile(rf"^(?:o|obj|objective|目标)?\s*[-_#]?\s*{_NUM}$", re.IGNORECASE)
_KR = re.compile(
    rf"^(?:(?:o|目标)\s*\d{{1,6}}\s*[.\-_/]?\s*)?(?:kr|keyresults?|key\s+results?|关键结果|关键成果)?\s*[-_#]?\s*{_NUM}$",
    re.IGNORECASE,
)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text in _CN_NUMBERS:
        return _CN_NUMBERS[text]
    return 10 + _CN_NUMBERS[text[1]]  # 十一 … 十九


def _label(value: Any, pattern: re.Pattern[str], prefix: str) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = pattern.match(text)
    if not match:
        return None
    number = _number(match.group(1))
    return f"{prefix}{number}" if number > 0 else None


def objective_label(value: Any) -> str | None:
    """``O3`` for ``"O3"``, ``"目标3"``, ``"Objective 3"``, ``3``; ``None`` when the label is not understood."""
    return _label(value, _OBJECTIVE, "O")


def kr_label(value: Any) -> str | None:
    """``KR2`` for ``"KR2"``, ``"关键结果2"``, ``"O1.KR2"``, ``2``; ``None`` when the label is not understood."""
    return _label(value, _KR, "KR")


def assign_ids(labels: Sequence[str | None], prefix: str) -> tuple[list[str], list[str]]:
    """Final ids for items with these labels (``None``: none given) and the ids found more than once.

    Unlabelled items take their position. If any id repeats, every item takes its position.
    """
    ids = [label or f"{prefix}{position}" for position, label in enumerate(labels, 1)]
    if len(set(ids)) == len(ids):
        return ids, []
    repeated = [item for item, count in Counter(ids).items() if count > 1]
    return [f"{prefix}{position}" for position in range(1, len(labels) + 1)], repeated
