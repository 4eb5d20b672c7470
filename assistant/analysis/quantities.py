"""Find the figures in an OKR text: values, percentages, multiples, thresholds, baselines and targets.

"链路延时控制在 0.3 毫秒以内（原 0.6 毫秒）" → a target 0.3 毫秒 (≤) and a baseline 0.6.
"产品故障恢复速度提升 60%" → a relative change of 60% with no baseline.
Dates, years, quarter labels and ids (O1, KR2, Q3, p95) are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._words import EdgeWords
from .numbers import parse_number

# Measure words and units that make a bare Chinese numeral a quantity, and that we report as units.
ZH_UNITS = (
    "万元",
    "亿元",
    "毫秒",
    "分钟",
    "小时",
    "个月",
    "个",
    "位",
    "名",
    "人",
    "家",
    "款",
    "项",
    "条",
    "次",
    "场",
    "轮",
    "期",
    "篇",
    "套",
    "台",
    "件",
    "种",
    "类",
    "元",
    "块",
    "秒",
    "天",
    "周",
    "单",
    "笔",
    "份",
    "分",
    "倍",
    "成",
    "课时",
    "趟",
    "所",
    "座",
    "支",
    "本",
    "张",
    "页",
    "行",
    "处",
    "例",
    "起",
    "户",
    "款",
)
EN_UNITS = (
    "ms",
    "milliseconds",
    "s",
    "sec",
    "seconds",
    "second",
    "minutes",
    "minute",
    "mins",
    "min",
    "hours",
    "hour",
    "h",
    "days",
    "day",
    "weeks",
    "week",
    "months",
    "users",
    "user",
    "customers",
    "customer",
    "clients",
    "people",
    "engineers",
    "teams",
    "markets",
    "countries",
    "deals",
    "accounts",
    "orders",
    "tickets",
    "incidents",
    "bugs",
    "features",
    "releases",
    "partners",
    "merchants",
    "sessions",
    "session",
    "meetings",
    "meeting",
    "workshops",
    "interviews",
    "visits",
    "calls",
    "hires",
    "experts",
    "stores",
    "cities",
    "products",
    "pages",
    "posts",
    "articles",
    "reports",
    "trainings",
    "courses",
    "gb",
    "tb",
    "mb",
    "qps",
    "tps",
    "rps",
    "nps",
    "points",
    "pts",
)
LESS = (
    "≤",
    "≦",
    "<=",
    "<",
    "不超过",
    "不高于",
    "不多于",
    "至多",
    "最多",
    "低于",
    "少于",
    "小于",
    "降至",
    "降到",
    "缩短至",
    "缩短到",
    "缩至",
    "控制在",
    "at most",
    "no more than",
    "under",
    "below",
    "less than",
    "fewer than",
    "within",
    "up to",
    "lower than",
)
MORE = (
    "≥",
    "≧",
    ">=",
    ">",
    "不低于",
    "不少于",
    "至少",
    "高于",
    "大于",
    "超过",
    "突破",
    "多于",
    "at least",
    "more than",
    "over",
    "above",
    "exceeding",
    "exceed",
    "greater than",
    "higher than",
)
CHANGE_VERBS = (
    "提升",
    "提高",
    "增长",
    "增加",
    "降低",
    "减少",
    "缩短",
    "下降",
    "上升",
    "扩大",
    "压缩",
    "翻",
    "改善",
    "增",
    "降",
    "涨",
    "improve",
    "improved",
    "increase",
    "increased",
    "grow",
    "reduce",
    "reduced",
    "cut",
    "raise",
    "decrease",
    "decreased",
    "boost",
    "lift",
    "by",
    "drop",
    "lower",
    "shrink",
    "speed up",
)
BASELINE_MARKERS = (
    "从",
    "由",
    "原来",
    "原为",
    "原",
    "基线",
    "现状",
    "目前",
    "当前",
    "现为",
    "去年",
    "上季度",
    "from",
    "baseline",
    "currently",
    "up from",
    "down from",
    "today",
)
TARGET_MARKERS = ("至", "到", "达到", "达", "为", "to", "reach", "hit", "of")

PERCENT_SIGNS = ("%", "％", "‰", "percent", "pct")
POINT_WORDS = ("个百分点", "百分点", "pp", "percentage points", "percentage point")
MULTIPLE_SIGNS = ("倍", "x", "×")
LESS_AFTER = ("以内", "之内", "以下", "or less", "or fewer", "or below", "max")
MORE_AFTER = ("以上", "之上", "or more", "+", "plus")
STRICT = frozenset(
    {
        "<",
        ">",
        "低于",
        "少于",
        "小于",
        "under",
        "below",
        "less than",
        "fewer than",
        "lower than",
        "高于",
        "大于",
        "超过",
        "突破",
        "多于",
        "more than",
        "over",
        "above",
        "exceeding",
        "exceed",
        "greater than",
        "higher than",
    }
)
# What after a number makes it a date or a period rather than a figure (9月30日, 3个月内, 2025年).
TIME_AFTER = ("年", "月", "日", "号", "个月", "周内", "天内", "日内", "星期内", "-", "/")
TIME_BEFORE = (
    "-",
    "/",
    "q",
    "h",
    "fy",
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "within",
    "in the next",
    "next",
)
EN_TIME_UNITS = ("days", "day", "weeks", "week", "months", "month", "years", "year")

_CN_NUMERAL = "零〇一二两三四五六七八九十百千万亿"
# A cheap test: texts with no digit, numeral or magnitude word have no quantities at all.
_MAYBE = re.compile(rf"[\d０-９{_CN_NUMERAL}]|级|翻|减半|double|triple|half|halve|real-time", re.IGNORECASE)
_NUMBER = re.compile(
    rf"百分之(?P<pct>[{_CN_NUMERAL}\d.]+)"
    r"|(?P<cur>[$¥￥€])?\s?(?P<arabic>(?<![A-Za-z\d.])\d+(?:,\d{3})*(?:\.\d+)?)(?:\s?(?P<scale>[kKM](?![A-Za-z])|[千万亿]))?"
    rf"|(?<!第)(?P<cn>[{_CN_NUMERAL}]+)"
)
_NINES = re.compile(r"\s*个\s*9")
_EN_WORD = re.compile(r"\s*([A-Za-z]+)")
_MAGNITUDE = re.compile(
    r"(?:毫秒|秒|分钟|小时|天)级|sub-second|second-level|millisecond-level|real-time", re.IGNORECASE
)
_WORD_MULTIPLE = re.compile(
    r"翻一?番|翻倍|减半|(?<![A-Za-z])(?:double[sd]?|doubling|triple[sd]?|halve[sd]?|halving|half)(?![A-Za-z])",
    re.IGNORECASE,
)
_WORD_MULTIPLE_VALUES = {
    "翻番": 2.0,
    "翻一番": 2.0,
    "翻倍": 2.0,
    "减半": 0.5,
    "double": 2.0,
    "doubles": 2.0,
    "doubled": 2.0,
    "doubling": 2.0,
    "triple": 3.0,
    "triples": 3.0,
    "tripled": 3.0,
    "halve": 0.5,
    "halves": 0.5,
    "halved": 0.5,
    "halving": 0.5,
    "half": 0.5,
}
# "一个平台", "一流", "统一": a lone 一 before these is an article or part of a word, not a count.
_ONE_IS_NOT_A_COUNT = (
    "个",
    "种",
    "套",
    "项",
    "款",
    "些",
    "起",
    "下",
    "直",
    "定",
    "样",
    "致",
    "切",
    "流",
    "体",
    "般",
)

_ZH_UNITS = EdgeWords(w for w in ZH_UNITS)
_EN_UNITS = frozenset(EN_UNITS)
_PERCENT = EdgeWords(PERCENT_SIGNS)
_POINTS = EdgeWords(POINT_WORDS)
_MULTIPLE = EdgeWords(MULTIPLE_SIGNS)
_LESS = EdgeWords(LESS)
_MORE = EdgeWords(MORE)
_LESS_AFTER = EdgeWords(LESS_AFTER)
_MORE_AFTER = EdgeWords(MORE_AFTER)
_CHANGE = EdgeWords(CHANGE_VERBS)
_TARGET = EdgeWords(TARGET_MARKERS)
_TIME_AFTER = EdgeWords(TIME_AFTER)
_TIME_BEFORE = EdgeWords(TIME_BEFORE)
_EN_TIME = EdgeWords(EN_TIME_UNITS)
_BASELINE_MARKERS = tuple(sorted(BASELINE_MARKERS, key=len, reverse=True))
_CLAUSE_BREAKS = frozenset("，,；;。")


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure in a text, normalised (百分之三十 → 30 percent, 5个9 → 99.999 percent, 两倍 → 2 multiple)."""

    value: float
    kind: str  # "number" | "percent" | "points" | "multiple" | "magnitude"
    unit: str | None
    comparator: str | None  # "<=", "<", ">=", ">" or None
    span: tuple[int, int]
    text: str


@dataclass(frozen=True, slots=True)
class QuantityFacts:
    """The figures of a text and the roles they play."""

    quantities: tuple[Quantity, ...]
    baseline: Quantity | None  # an explicit starting point: 从 65%, 原 0.6 毫秒, from 10k, baseline 3
    target: Quantity | None  # the value to reach
    relative_change: Quantity | None  # a change against an unstated start: 提升 30%, 翻倍, increase by 20%

    @property
    def has_target(self) -> bool:
        return bool(self.quantities)


EMPTY = QuantityFacts((), None, None, None)


def _unit_after(text: str, end: int) -> tuple[str, str | None, float | None, int]:
    """What follows a number: (kind, unit, new value or None, end of the figure)."""
    rest = text[end : end + 24]
    stripped = rest.lstrip()
    pos = end + len(rest) - len(stripped)
    word = _PERCENT.prefix(stripped)
    if word:
        return "percent", None, None, pos + len(word)
    word = _POINTS.prefix(stripped)
    if word:
        return "points", None, None, pos + len(word)
    word = _MULTIPLE.prefix(stripped)
    if word:
        return "multiple", None, None, pos + len(word)
    nines = _NINES.match(text, end)
    if nines:
        return "nines", None, None, nines.end()
    word = _ZH_UNITS.prefix(stripped)
    if word:
        if word == "成":  # 三成 = 30%
            return "tenths", None, None, pos + 1
        return "number", word, None, pos + len(word)
    match = _EN_WORD.match(text, end)
    if match and match.group(1).lower() in _EN_UNITS:
        return "number", match.group(1), None, match.end()
    return "number", None, None, end


def _is_time(text: str, start: int, end: int, token: str) -> bool:
    """Whether a number is part of a date, a period or a year rather than a figure."""
    after = text[end : end + 6].lstrip()
    if _TIME_AFTER.prefix(after):
        return True
    before = text[max(0, start - 12) : start].rstrip()
    if _TIME_BEFORE.suffix(before):
        return True
    if _EN_TIME.prefix(after) and before.lower().endswith(("in", "within", "next", "after")):
        return True
    # A bare 19xx/20xx with no unit or sign after it is a year.
    return (
        len(token) == 4
        and token[:2] in ("19", "20")
        and after[:1] not in ("%", "％", "万", "亿", "千", "元", "个", "人")
    )


def _comparator(text: str, start: int, end: int) -> str | None:
    before = text[max(0, start - 14) : start].rstrip()
    word = _LESS.suffix(before)
    if word:
        return "<" if word in STRICT else "<="
    word = _MORE.suffix(before)
    if word:
        return ">" if word in STRICT else ">="
    after = text[end : end + 10].lstrip()
    if after.startswith("内") and not after[1:2].isalpha():
        return "<="
    if _LESS_AFTER.prefix(after):
        return "<="
    if _MORE_AFTER.prefix(after):
        return ">="
    return None


def find_quantities(text: str) -> tuple[Quantity, ...]:
    """Every figure in the text, in order of appearance."""
    if not _MAYBE.search(text):
        return ()
    found: list[Quantity] = []
    last_end = 0
    for match in _NUMBER.finditer(text):
        start = match.start()
        if start < last_end:
            continue  # inside the previous figure ("5 个 9", "三个百分点")
        pct, currency, arabic, scale, cn = match.groups()
        if pct is not None:
            value = parse_number(pct)
            if value is None:
                continue
            kind, unit, end = "percent", None, match.end()
        else:
            if arabic is not None:
                if not currency:
                    start = match.start("arabic")
                if _is_time(text, match.start("arabic"), match.end(), arabic):
                    continue
                value = parse_number(arabic + scale if scale else arabic)
            else:
                if len(cn) == 1 and (cn == "一" and text[match.end() : match.end() + 1] in _ONE_IS_NOT_A_COUNT):
                    continue
                if _TIME_AFTER.prefix(text[match.end() : match.end() + 4]):
                    continue
                value = parse_number(cn)
            if value is None:
                continue
            kind, unit, _, end = _unit_after(text, match.end())
            if kind == "nines":
                kind, value = "percent", round(100 * (1 - 10 ** (-value)), 6) if value < 12 else 100.0
            elif kind == "tenths":
                kind, value = "percent", value * 10
            if cn is not None and len(cn) == 1 and end == match.end():
                continue  # a lone numeral with no measure word after it is part of a word
            if (
                arabic is not None
                and unit is None
                and kind == "number"
                and text[end : end + 1].isascii()
                and text[end : end + 1].isalpha()
            ):
                continue  # part of an identifier such as 3A, 2FA
            if arabic is not None and unit is None:
                unit = currency
        found.append(Quantity(value, kind, unit, _comparator(text, start, end), (start, end), text[start:end]))
        last_end = end
    if "级" in text or "-" in text:
        for match in _MAGNITUDE.finditer(text):
            found.append(Quantity(1.0, "magnitude", match.group(), None, match.span(), match.group()))
    if "翻" in text or "减半" in text or "ou" in text or "tripl" in text or "hal" in text:
        for match in _WORD_MULTIPLE.finditer(text):
            found.append(
                Quantity(
                    _WORD_MULTIPLE_VALUES.get(match.group().lower(), 2.0),
                    "multiple",
                    None,
                    None,
                    match.span(),
                    match.group(),
                )
            )
    if len(found) > 1:
        found.sort(key=lambda q: q.span)
    return tuple(found)


def _has_baseline_marker(before: str) -> bool:
    """A baseline marker shortly before a figure, perhaps with the metric's name between ("从每月 40")."""
    lowered = before.lower()
    for marker in _BASELINE_MARKERS:
        index = lowered.rfind(marker)
        if index < 0:
            continue
        if marker.isascii() and index > 0 and lowered[index - 1].isalpha():
            continue
        gap = lowered[index + len(marker) :]
        if len(gap.strip()) <= 6 and not any(ch.isdigit() or ch in _CLAUSE_BREAKS for ch in gap):
            return True
    return False


def _change_before(before: str) -> bool:
    stripped = before.rstrip()
    for filler in ("了", " by", " of"):
        if stripped.lower().endswith(filler):
            stripped = stripped[: -len(filler)].rstrip()
            break
    return _CHANGE.suffix(stripped) is not None or before.rstrip().lower().endswith("by")


def analyse_quantities(text: str, quantities: tuple[Quantity, ...] | None = None) -> QuantityFacts:
    """Figures plus their roles: baseline, target and relative change.

    Pass the figures if ``find_quantities`` already ran on this text.
    """
    if quantities is None:
        quantities = find_quantities(text)
    if not quantities:
        return EMPTY
    baseline = target = change = None
    for quantity in quantities:
        before = text[max(0, quantity.span[0] - 16) : quantity.span[0]]
        to_target = _TARGET.suffix(before.rstrip()) is not None
        if baseline is None and not to_target and _has_baseline_marker(before):
            baseline = quantity
            continue
        if target is None and (quantity.comparator or to_target):
            target = quantity
        if (
            change is None
            and not to_target
            and (quantity.kind == "multiple" or (quantity.kind in ("percent", "points") and _change_before(before)))
        ):
            change = quantity
    if target is None:
        rest = [q for q in quantities if q is not baseline]
        if rest:
            target = rest[-1]
    if baseline is not None:
        change = None
    return QuantityFacts(quantities, baseline, target, change)
