"""Find the time bound of a key result: a date, a month, a quarter, a half year, a year, a period.

"9月30日前", "Q3", "第三季度末", "年底", "3个月内", "by end of Q3", "within 3 months", "EOY" are bounds;
"每周", "weekly" are a rhythm ("recurring"), reported only when the text has no bound. Plain
figures ("5 级故障数≤ 2", "99.995%", "3 款芯片") and labels ("level 3", "KR2") are not time.
A bare month name or year counts only after a lead word ("by June", "in 2025", "end of the year").

Two regular expressions scan the lower-cased text. The Chinese-and-digits one opens with the class
of characters that can start a bound, so the engine skips in C from candidate to candidate, and a
lookbehind on the consumed character picks the few rules that start with it; Chinese texts without
any time character skip it. The English one looks only after spaces (the text gets a leading one)
and only in texts without Chinese; a lead word there ("by", "before", "end of") is followed up in a
second step. Full-width digits are not read as dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import cast

from ._patterns import first_char_alternation, prepared, words

_DIGIT_FIRST = "0123456789"
_NUMERAL_FIRST = "一二两三四五六七八九十"
D = "[0-9]"
CN = "[一二两三四五六七八九十〇零]"
_BEFORE = r"(?: ?(?:之前|以前|前))?"  # 9月30日前
_PART = r"(?:底|末|初|份|上旬|中旬|下旬)"  # 9月底, 3月上旬
_UNIT = r"(?:个 ?)?(?:月|周|星期|礼拜|天|日|工作日|年|季度)"
_WITHIN = r" ?(?:之内|以内|内)"
_END = r"(?![0-9a-z])"  # an English bound ends at a word boundary

_MONTH_NAMES = sorted(  # longest first, so that "june" wins over "jun"
    words(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sept sep oct nov dec"
    ),
    key=len,
    reverse=True,
)
_MONTH = "(?:" + "|".join(_MONTH_NAMES) + r")\.?"
_DAY = rf"{D}{{1,2}}(?:st|nd|rd|th)?(?![0-9])"
_EN_NUMBER = r"(?:[0-9]+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a +few|few)"
_EN_UNIT = r"(?:(?:business|working|calendar) +)?(?:days?|weeks?|months?|quarters?|years?|sprints?)"
_PERIOD = rf"{_EN_NUMBER} +{_EN_UNIT}{_END}"
_EVERY = r"(?:week|month|quarter|day|sprint|year)s?"

# English after a space: (kind, pattern opening with a literal letter). "lead" means a word such as
# "by" or "end of" that must be followed by a bound (matched by _EN_AFTER_LEAD).
_EN_WORDS = [
    ("relative", rf"within +(?:the +next +)?{_PERIOD}"),
    ("relative", rf"in +(?:the +next +)?{_PERIOD}"),
    ("relative", rf"next +{_PERIOD}"),
    ("relative", rf"the +next +{_PERIOD}"),
    ("quarter", rf"fy ?'?{D}{{2,4}} ?q[1-4]{_END}"),
    ("half", rf"fy ?'?{D}{{2,4}} ?h[12]{_END}"),
    ("year", rf"fy ?'?{D}{{2,4}}{_END}"),
    ("quarter", rf"q[1-4](?: ?'?{D}{{2,4}})?{_END}"),
    ("half", rf"h[12](?: ?'?{D}{{2,4}})?{_END}"),
    ("quarter", rf"eoq{_END}"),
    ("year", rf"eoy{_END}"),
    ("month", rf"eom{_END}"),
    *[(kind, rf"{word} +{kind}{_END}") for word in ("this", "next") for kind in ("quarter", "year", "month")],
    ("quarter", r"quarter[- ]end"),
    ("year", r"year[- ]end"),
    ("month", r"month[- ]end"),
    ("half", rf"mid-?year{_END}|mid-{D}{{4}}{_END}"),
    *[
        ("half", rf"{word} +half(?: +of +(?:the +year|{D}{{4}}))?{_END}")
        for word in ("first", "second", r"the +first", r"the +second")
    ],
    *[  # one entry per first letter: "j(?:une|uly|…) +30"
        ("date", rf"{letter}(?:{'|'.join(n[1:] for n in _MONTH_NAMES if n[0] == letter)})\.? +{_DAY}(?:,? +{D}{{4}})?")
        for letter in sorted({name[0] for name in _MONTH_NAMES})
    ],
    *[
        ("recurring", rf"{word}{_END}")
        for word in words("weekly monthly quarterly daily biweekly bi-weekly fortnightly annually yearly")
    ],
    ("recurring", rf"every +(?:other +|two +|2 +)?{_EVERY}{_END}"),
    ("recurring", rf"per +{_EVERY}{_END}"),
    ("recurring", rf"each +{_EVERY}{_END}"),
    *[
        ("lead", rf"{word} +")
        for word in (
            r"by",
            r"before",
            r"until",
            r"till",
            r"through",
            r"in",
            r"during",
            r"due(?: +by)?",
            r"within",
            r"no +later +than",
            r"on",
            r"at",
        )
    ],
    ("lead", r"end +of +"),
    ("lead", r"the +end +of +"),
]
# What may follow a lead word: the bounds above plus those that need a lead (June, 2025, year).
_EN_AFTER_LEAD = [
    ("date", rf"{_MONTH} +{_DAY}(?:,? +{D}{{4}})?"),
    ("date", rf"{_DAY} +(?:of +)?{_MONTH}(?:,? +{D}{{4}})?"),
    ("date", rf"{D}{{4}}[-/.]{D}{{1,2}}[-/.]{D}{{1,2}}(?![0-9])"),
    ("date", rf"{D}{{1,2}}/{D}{{1,2}}(?:/{D}{{2,4}})?(?![0-9])"),
    ("quarter", rf"fy ?'?{D}{{2,4}} ?q[1-4]|q[1-4](?: ?'?{D}{{2,4}})?|eoq|(?:this|next|the) +quarter|quarter"),
    ("half", rf"fy ?'?{D}{{2,4}} ?h[12]|h[12](?: ?'?{D}{{2,4}})?|mid-?year|(?:the +)?(?:first|second) +half"),
    ("year", rf"fy ?'?{D}{{2,4}}|eoy|(?:this|next|the) +year|year(?:[- ]end)?|(?:19|20){D}{{2}}"),
    ("month", rf"eom|(?:this|next|the) +month|month|{_MONTH}(?:,? +{D}{{4}})?"),
]

# Chinese and digit-led bounds: (kind, first characters, the rest of the pattern after that character).
_RULES = [
    # 2025年9月30日, 2025-09-30, 2025/9/30
    (
        "date",
        _DIGIT_FIRST,
        rf"{D}{{3}} ?(?:年|[-/.／]) ?{D}{{1,2}} ?(?:月|[-/.／]) ?{D}{{1,2}}(?![0-9]) ?[日号]?{_BEFORE}",
    ),
    ("month", _DIGIT_FIRST, rf"{D}{{3}} ?(?:年 ?{D}{{1,2}} ?月{_PART}?|[-/／] ?{D}{{1,2}}(?![-/.0-9]))" + _BEFORE),
    ("quarter", _DIGIT_FIRST, rf"{D}{{3}} ?年? ?(?:第 ?[一二三四1-4] ?季度|q[1-4]){_PART}?{_BEFORE}"),
    ("half", _DIGIT_FIRST, rf"{D}{{3}} ?年? ?(?:[上下]半年|年中|h[12](?![0-9])){_BEFORE}"),
    ("year", _DIGIT_FIRST, rf"{D}{{3}} ?年(?:底|末|内|终|度)?{_BEFORE}"),
    ("date", _DIGIT_FIRST, rf"{D}? ?月 ?{D}{{1,2}} ?[日号]{_BEFORE}"),
    ("month", _DIGIT_FIRST, rf"{D}? ?月(?![度活均])(?:{_PART}|中)?{_BEFORE}"),
    ("relative", _DIGIT_FIRST, rf"{D}* ?{_UNIT}{_WITHIN}"),
    ("date", _DIGIT_FIRST, rf"{D}?(?:st|nd|rd|th)? +(?:of +)?{_MONTH}(?:,? +{D}{{4}})?{_END}"),
    ("quarter", "1234", r" ?季度(?:末|底|初)?"),
    ("date", _NUMERAL_FIRST, rf"{CN}{{0,2}}月{CN}{{1,3}}[日号]{_BEFORE}"),
    ("month", _NUMERAL_FIRST, rf"{CN}{{0,2}}月(?:{_PART}|中){_BEFORE}"),
    ("quarter", "一二三四", r"季度(?:末|底|初)?"),
    ("relative", _NUMERAL_FIRST + "半", rf"{CN}* ?{_UNIT}{_WITHIN}"),
    ("quarter", "第", rf" ?[一二三四1-4] ?季度(?:末|底|初)?{_BEFORE}"),
    ("quarter", "本当这", r"(?:个 ?)?季度?(?:末|底|内)?"),
    ("month", "本当这", r"(?:个 ?)?月(?:底|末|内)?"),
    ("year", "本当今", r"年度?(?:底|末|内)?"),
    ("half", "本上下", r"半年"),
    ("relative", "本", r"周"),
    ("year", "明", r"年(?:底|末|内)?"),
    ("quarter", "下", r"(?:个 ?)?季度(?:末|底)?"),
    ("month", "下", r"(?:个 ?)?月(?:底|末)?"),
    ("quarter", "季", r"度末|度底|度内|末"),
    ("month", "月", r"底|末|内"),
    ("half", "年", r"中"),
    ("year", "年", r"底|末|内|终|度"),
    ("year", "全", r"年"),
    ("relative", "未", rf"来 ?(?:{D}+|{CN}+|半) ?{_UNIT}(?:{_WITHIN})?"),
    ("relative", "接", rf"下来 ?(?:{D}+|{CN}+|半) ?{_UNIT}(?:{_WITHIN})?"),
    ("recurring", "每", r"(?:个 ?)?(?:双周|两周|周|月|季度?|天|日|年|半年|工作日|星期|迭代)"),
    ("recurring", "双", r"周|月"),
]
# Labels written against Chinese text (在Q3完成, FY25): found at the digit, looking back at the letters.
# (kind, first digits, letters before the digit, rest).
_LETTER_RULES = [
    ("quarter", "1234", "q", rf"(?: ?'?{D}{{2,4}})?(?![0-9a-z])"),
    ("half", "12", "h", r"(?![0-9a-z])"),
    ("year", _DIGIT_FIRST, "fy", rf"{D}{{1,3}}(?![0-9a-z])"),
]
# Every digit-led bound has one of these after its first digits: a cheap test before trying the rules.
_DIGIT_FILTER = r"(?=[0-9]*(?: ?[年月日号季个周天星工礼/／.\-]|[ ]?(?:q|h|st|nd|rd|th|[ ](?:of[ ])?[a-z])))"
# Every Chinese bound holds one of these characters; most Chinese texts hold none, and this one-class
# scan is much cheaper than the full one.
_CHINESE_ANCHOR = re.compile(r"[年月日号季周天期拜代qhy/／.\-]")
# A digit or numeral right after an id, a figure or a version ("KR2", "1.5", "p95") starts no bound.
_GUARD_DIGIT = r"(?<![a-z0-9.．:：_].)"
_GUARD_NUMERAL = r"(?<![a-z0-9一二两三四五六七八九十〇零百千万亿].)"


@cache
def _compile() -> tuple[re.Pattern[str], list[tuple[str, int]]]:
    """The Chinese-and-digits scanner and its tags: (kind, letters to add on the left).

    The Chinese scanner opens with the class of every character that can start a bound, then picks
    rules with a lookbehind on the consumed character: digits, numerals, then the other characters.
    Each rule ends in an empty group, so ``match.lastindex`` indexes the tags.
    """
    tags: list[tuple[str, int]] = [("", 0)]

    def tagged(kind: str, rest: str, back: int = 0) -> str:
        tags.append((kind, back))
        return f"(?:{rest})()"

    def category(chars: str, rules: list[tuple[str, str, str]]) -> str:
        alternatives = []
        for kind, firsts, rest in rules:
            behind = "" if set(chars) <= set(firsts) else f"(?<=[{firsts}])"
            alternatives.append(behind + tagged(kind, rest))
        return "|".join(alternatives)

    digits = [rule for rule in _RULES if set(rule[1]) <= set(_DIGIT_FIRST)]
    numerals = [rule for rule in _RULES if set(rule[1]) <= set(_NUMERAL_FIRST + "半")]
    others = [rule for rule in _RULES if rule not in digits and rule not in numerals]
    numeral_chars = _NUMERAL_FIRST + "半"
    other_chars = "".join(sorted({ch for _kind, firsts, _rest in others for ch in firsts}))
    digit_rules = f"{_GUARD_DIGIT}(?:{category(_DIGIT_FIRST, digits)})"
    letter_rules = "|".join(
        f"(?<=(?<![a-z0-9]){letters}[{firsts}])" + tagged(kind, rest, len(letters))
        for kind, firsts, letters, rest in _LETTER_RULES
    )
    letters = "".join(sorted({letter[-1] for _kind, _firsts, letter, _rest in _LETTER_RULES}))
    groups = [
        f"(?<=[0-9])(?:{_DIGIT_FILTER}{digit_rules}|(?<=[{letters}][0-9])(?:{letter_rules}))",
        f"(?<=[{numeral_chars}]){_GUARD_NUMERAL}(?:{category(numeral_chars, numerals)})",
        f"(?<=[{other_chars}])(?:{category(other_chars, others)})",
    ]
    first = re.escape(_DIGIT_FIRST + numeral_chars + other_chars)
    scanner = re.compile(f"[{first}](?:{'|'.join(groups)})")
    assert scanner.groups + 1 == len(tags)
    return scanner, tags


@cache
def _compile_english() -> tuple[re.Pattern[str], list[str], re.Pattern[str], list[str]]:
    """English bounds after a space (a literal first character, which the engine finds fastest), and
    what may follow a lead word."""
    tags = [""]
    english = re.compile(f" (?:{first_char_alternation(_EN_WORDS, tags)})")
    assert english.groups + 1 == len(tags)
    lead_kinds = [""]
    after_lead = "|".join(f"(?:{pattern})(?![0-9a-z])()" for _kind, pattern in _EN_AFTER_LEAD)
    lead_kinds.extend(kind for kind, _ in _EN_AFTER_LEAD)
    after = re.compile(rf"(?:the +)?(?:(?:end|close|middle) +of +(?:the +)?)?(?:{after_lead})")
    return english, tags, after, lead_kinds


# Both scanners are compiled on first use (~7 and ~5 ms): most texts need one of them, many neither.


@dataclass(frozen=True, slots=True)
class TimeBound:
    """A time expression: kind is "date", "month", "quarter", "half", "year", "relative" or "recurring"."""

    kind: str
    text: str
    span: tuple[int, int]


def _chinese(low: str) -> tuple[str, int, int] | None:
    """The first bound (a non-recurring one if any) found by the Chinese and digits scanner."""
    recurring = None
    scanner, tags = _compile()
    for match in scanner.finditer(low):
        kind, back = tags[cast(int, match.lastindex)]  # every alternative is a group: one matched
        start, end = match.span()
        while low[end - 1] == " ":
            end -= 1
        if kind != "recurring":
            return kind, start - back, end
        recurring = recurring or (kind, start, end)
    return recurring


def _english(low: str, before: int) -> tuple[str, int, int] | None:
    """The first English bound that starts before offset ``before`` (a non-recurring one if any)."""
    padded = " " + low  # a space before the first word too; offsets shift by one
    recurring = None
    scanner, tags, after_lead, lead_kinds = _compile_english()
    search = scanner.search
    match = search(padded)
    while match is not None and match.start() < before:
        kind = tags[cast(int, match.lastindex)]
        start, end = match.span()
        if kind == "lead":  # "by", "end of" …: a bound must follow
            after = after_lead.match(padded, end)
            if after is None:
                match = search(padded, end - 1)  # the next word may start a bound of its own
                continue
            kind, end = lead_kinds[cast(int, after.lastindex)], after.end()
        while padded[end - 1] == " ":
            end -= 1
        if kind != "recurring":
            return kind, start, end - 1
        recurring = recurring or (kind, start, end - 1)
        match = search(padded, end)
    return recurring


def _earlier(one: tuple[str, int, int], other: tuple[str, int, int]) -> bool:
    """Whether bound ``one`` comes first: a deadline before a rhythm, then by start, then the longer."""
    if (one[0] == "recurring") != (other[0] == "recurring"):
        return other[0] == "recurring"
    return one[1] < other[1] or (one[1] == other[1] and one[2] > other[2])


def find_timebound(text: str) -> TimeBound | None:
    """The first deadline-like bound in the text (a recurring rhythm only if nothing else), or None."""
    low, has_english = prepared(text)
    found = _chinese(low) if has_english or _CHINESE_ANCHOR.search(low) else None
    if has_english:  # English words are not looked for in Chinese text
        limit = found[1] + 1 if found is not None and found[0] != "recurring" else len(low)
        english = _english(low, limit)
        if english is not None and (found is None or _earlier(english, found)):
            found = english
    if found is None:
        return None
    kind, start, end = found
    return TimeBound(kind, text[start:end], (start, end))
