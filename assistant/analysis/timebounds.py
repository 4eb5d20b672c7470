"""Find the time bound of a key result: a date, a month, a quarter, a half year, a year end, a period."""

from __future__ import annotations

import re
from dataclasses import dataclass

_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
)
_CN = "一二两三四五六七八九十"

# Named alternatives, most specific first; the group name is the kind of bound.
_PATTERNS = [
    ("date", r"\d{4}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*[日号]?(?:\s*(?:前|之前))?"),
    ("date", r"\d{1,2}\s*月\s*\d{1,2}\s*[日号](?:\s*(?:前|之前))?"),
    (
        "date",
        rf"(?:by|before|on|until|due)\s+(?:the\s+)?(?:\d{{4}}-\d{{2}}-\d{{2}}|(?:{_MONTHS})\.?\s+\d{{1,2}}"
        rf"(?:st|nd|rd|th)?(?:,?\s*\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS}))",
    ),
    ("date", r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])"),
    ("month", r"\d{1,2}\s*月(?:底|末|份|初|中旬|上旬|下旬|前)"),
    ("month", r"本月|月底|月末|当月"),
    ("month", rf"(?:by|before|in|until)\s+(?:the\s+end\s+of\s+)?(?:{_MONTHS})(?![a-z])"),
    ("quarter", rf"(?:\d{{4}}\s*年?\s*)?第?[{_CN}1-4]季度(?:末|底)?|本季度?|季度末|季度底|季末|下季度|当季"),
    (
        "quarter",
        r"(?:by|before|in|during|until)?\s*(?:the\s+)?(?:end\s+of\s+)?(?<![A-Za-z])Q[1-4](?:\s*\d{4})?(?!\d)",
    ),
    ("quarter", r"(?<![A-Za-z])EOQ(?![A-Za-z])|end of (?:the )?quarter|this quarter"),
    (
        "half",
        r"[上下]半年|半年内|年中|(?<![A-Za-z])H[12](?!\d)|(?:by|before)\s+mid-?year|first half|second half",
    ),
    (
        "year",
        r"年底|年末|年内|全年|本年度|年度|(?<![A-Za-z])EOY(?![A-Za-z])|(?:by\s+)?(?:the\s+)?end of (?:the )?year"
        r"|(?:by\s+)?year[- ]end|this year",
    ),
    ("relative", rf"[\d{_CN}]+\s*(?:个)?(?:月|周|天|日|星期|年)(?:内|之内)"),
    ("relative", r"(?:within|in)\s+(?:\d+|one|two|three|four|six|twelve)\s+(?:days?|weeks?|months?|years?)"),
    (
        "recurring",
        r"每周|每月|每季度?|每天|每日|每年|双周|双月|(?<![A-Za-z])(?:weekly|monthly|quarterly|daily|every\s+"
        r"(?:week|month|quarter|day|sprint))(?![A-Za-z])",
    ),
]
_BOUND = re.compile("|".join(f"(?P<{kind}{i}>{pattern})" for i, (kind, pattern) in enumerate(_PATTERNS)), re.IGNORECASE)
_KINDS = {f"{kind}{i}": kind for i, (kind, _) in enumerate(_PATTERNS)}
_MAYBE = re.compile(
    r"[\d月年季周天日期底末内每]|Q[1-4]|H[12]|EO[QY]|end|by|within|weekly|monthly|quarter|daily|every|"
    r"half|mid",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimeBound:
    kind: str  # "date" | "month" | "quarter" | "half" | "year" | "relative" | "recurring"
    text: str
    span: tuple[int, int]


def find_timebound(text: str) -> TimeBound | None:
    """The first deadline-like bound in the text (a recurring rhythm only if nothing else), or None."""
    if not _MAYBE.search(text):
        return None
    recurring = None
    for match in _BOUND.finditer(text):
        raw = match.group()
        if not raw.strip():
            continue
        start = match.start() + len(raw) - len(raw.lstrip())
        end = match.end() - (len(raw) - len(raw.rstrip()))
        bound = TimeBound(_KINDS[match.lastgroup], text[start:end], (start, end))
        if bound.kind != "recurring":
            return bound
        recurring = recurring or bound
    return recurring
