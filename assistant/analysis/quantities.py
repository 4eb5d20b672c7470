"""Find the figures in an OKR text and the roles they play: target, baseline, relative change.

"链路延时 <0.3 毫秒（原 0.6 毫秒）" → target 0.3 毫秒 ("<"), baseline 0.6.
"产品故障恢复速度提升 60%" → a relative change of 60% and no baseline.

Not figures: dates, years, periods ("3个月内", "within 3 months"), quarter and half labels, ids
(O1, KR2, Q3, p95, 5G, v2.0), ordinals (第三), words that contain a numeral (统一, 一流, 十分), and
labels such as "5 级故障" or "level 3" (an incident class, a maturity level) unless the text makes
the level the thing to reach ("达到 level 2", "提升至 3 级").

Also figures: units glued on ("800km", "10w+" where w is 万), sizes ("50x50 cm"), multiples written
"x3", a count of one session ("每周召开一次分享会"), and template placeholders ("不少于XXXX个", "降低到X%",
"reach XX users"): a placeholder is a figure of unknown value, ``value`` NaN (``Quantity.placeholder``).

Every objective and key result goes through here, so the scan is one regular expression over the
lower-cased text that opens with the class of digits and numerals (the engine skips between them in
C) and reads what follows a figure in the same match; the word before it is looked up by its last
character. Word figures (翻倍, 秒级; double, half, two) have small scanners of their own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from ._patterns import CJK, EndWords, first_char_alternation, prepared, words
from .numbers import SCALE_SUFFIXES, parse_number

DIGITS = "0-9０-９"  # a regex class body
NUMERALS = "零〇一二两三四五六七八九十百千万亿"
_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")

# Measure words after a Chinese figure (longest first where one is a prefix of another).
ZH_UNITS = (
    "毫秒",
    "秒钟",
    "分钟",
    "小时",
    "个月",
    "人次",
    "人天",
    "人日",
    "课时",
    "工作日",
    "星期",
    "美元",
    *"个位名人家款项条次场轮篇套台件种类元块秒天周单笔份分趟所座支本张页处例起户批届门节集辆架颗枚首道章",
)
EN_UNITS = frozenset(
    words(
        """ms millisecond milliseconds m s sec secs second seconds min mins minute minutes h hr hrs hour hours
    day days week weeks month months year years
    user users customer customers client clients people persons person engineer engineers hire hires expert
    experts employee employees member members subscriber subscribers student students team teams market
    markets country countries city cities store stores deal deals account accounts order orders ticket
    tickets incident incidents outage outages bug bugs defect defects feature features release releases
    partner partners merchant merchants seller sellers vendor vendors session sessions meeting meetings
    workshop workshops interview interviews visit visits call calls demo demos training trainings course
    courses article articles post posts page pages report reports product products project projects lead
    leads signup signups sign-ups download downloads install installs patent patents paper papers request
    requests transaction transactions point points pts star stars times dollars usd rmb gb tb mb qps tps
    rps km kg cm mm mg ml kw kwh mbps gbps fps"""
    )
)
_EN_PERCENT = frozenset({"percent", "pct", "per-cent"})
_EN_POINTS = frozenset({"pp", "ppt", "ppts"})
# English words the figure scanner reads after a number; any other word is just the next word.
_EN_SUFFIX_WORDS = EN_UNITS | _EN_PERCENT | _EN_POINTS | {"percentage", "x", "times", "am", "pm", "or", "and"}
_EN_SUFFIX_ALTERNATION = first_char_alternation(
    (word, re.escape(word)) for word in sorted(_EN_SUFFIX_WORDS, key=len, reverse=True)
)

# Comparators written before a figure (lower case); where one word ends another ("不低于", "低于"),
# the longer one wins.
AT_MOST = (
    *words("≤ ≦ <= ＜= 不超过 不高于 不多于 不大于 至多 最多 控制在 within max"),
    *("at or below", "or below", "at most", "no more than", "not more than", "no higher than", "not to exceed"),
    "up to",
)
AT_LEAST = (
    *words("≥ ≧ >= ＞= 不低于 不少于 不小于 至少 最少 起码 min"),
    *("at or above", "or above", "at least", "no less than", "not less than", "no fewer than"),
)
BELOW = (*words("< ＜ 低于 少于 小于 under below"), "less than", "fewer than", "lower than")
ABOVE = (
    *words("> ＞ 高于 大于 超过 超出 突破 多于 over above exceed exceeds exceeding beyond"),
    *("more than", "greater than", "higher than"),
)
EQUAL = (*words("= ＝ 等于 equals exactly"), "equal to")
_COMPARATORS = ((AT_MOST, "<="), (AT_LEAST, ">="), (BELOW, "<"), (ABOVE, ">"), (EQUAL, "="))
# Words after a figure that mean "at least"; the others the scanner takes (以内, 以下, or less) mean "at most".
_AT_LEAST_AFTER = frozenset(
    {"以上", "之上", "及以上", "或以上", "+", "＋", "or more", "or above", "or higher", "or better", "or greater"}
    | {"or over", "and above", "and up", "and over", "plus"}
)
_EN_AFTER = (
    *("or more", "or above", "or higher", "or better", "or greater", "or over", "and above", "and up", "and over"),
    *("or less", "or fewer", "or below", "or under", "or lower", "and below", "and under"),
)

# Words right before a figure that make it the value to reach.
TARGET_MARKERS = words(
    "至 到 达到 达 为 是 在 to reach reaches reaching hit hitting achieve achieving of at target goal"
)
# Starting points stated right before the figure: "从65%", "原 0.6 毫秒", "from 10k", "baseline 3".
BASELINE_MARKERS = (
    *words("从 由 原 原来 原为 原先 基线 基线为 基线值 基准 现状 现为 目前 当前 现在"),
    *words("from baseline baseline: currently current today vs vs. versus was"),
    *("baseline of", "currently at"),
)
# Change words right before a percentage: a change relative to an unstated start ("提升 30%").
CHANGE_MARKERS = words(
    "提升 提高 增长 增加 降低 减少 缩短 下降 上升 扩大 压缩 改善 优化 加快 提速 增 降 涨 减 + ＋ by up down"
)
# English words after a percentage that make it a change ("20% faster", "a 30% increase").
_EN_CHANGE_AFTER = re.compile(
    r" ?(?:faster|slower|higher|lower|more|less|fewer|cheaper|shorter|smaller|bigger|larger|better|"
    r"increase|reduction|decrease|growth|improvement|uplift|lift|drop|cut|gain|rise|decline|boost)(?![a-z])"
)
# A change word a few characters before the figure, with the metric between ("降低成本 20%").
_CHANGE_GAP = re.compile(
    r"(?:提升|提高|增长|增加|降低|减少|缩短|下降|上升|扩大|压缩|改善|加快|提速)[^0-9０-９，,；;。到至为]{1,6}\Z"
)
_EN_CHANGE_GAP = re.compile(  # literal-first for a fast scan; the word boundary is checked after
    r"(?:increase|grow|raise|boost|improve|reduce|cut|lower|decrease|lift|shrink|speed up)[a-z]*"
    r"(?: +[a-z0-9-]+){1,3} *\Z"
)
# A baseline marker with the metric's name between it and the figure ("从每月 40 单").
_BASELINE_GAP = re.compile(r"(?:从|由|原|基线|基准|现状|目前|当前|现在)[^0-9０-９，,；;。！!？?到至为]{1,8}\Z")

_MAGNITUDE_SCALES = {"万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8, "十亿": 1e9, "百亿": 1e10}
# 秒级, second-level …: an order of magnitude of time, valued in seconds.
_TIME_MAGNITUDES = {
    "毫秒级": 0.001,
    "秒级": 1.0,
    "分钟级": 60.0,
    "小时级": 3600.0,
    "天级": 86400.0,
    "millisecond-level": 0.001,
    "second-level": 1.0,
    "sub-second": 1.0,
    "minute-level": 60.0,
    "hour-level": 3600.0,
}
_WORD_MULTIPLES = {
    "翻倍": 2.0,
    "翻番": 2.0,
    "翻一番": 2.0,
    "翻两番": 4.0,
    "翻二番": 4.0,
    "翻三番": 8.0,
    "减半": 0.5,
    "double": 2.0,
    "doubles": 2.0,
    "doubled": 2.0,
    "doubling": 2.0,
    "twice": 2.0,
    "triple": 3.0,
    "triples": 3.0,
    "tripled": 3.0,
    "tripling": 3.0,
    "quadruple": 4.0,
    "quadrupled": 4.0,
    "halve": 0.5,
    "halves": 0.5,
    "halved": 0.5,
    "halving": 0.5,
    "half": 0.5,
}
_FRACTION_BASES = {"百": 100.0, "千": 1000.0, "万": 10000.0}  # 百分之 / 千分之 / 万分之
_EN_TIME_UNITS = frozenset({"days", "day", "weeks", "week", "months", "month", "years", "year"})
_PERIOD_BEFORE = ("within", "in", "next", "every", "per", "for", "over", "after", "每", "未来", "接下来", "前")
_TIME_UNITS = frozenset({"个月", "天", "周", "星期", "工作日"}) | _EN_TIME_UNITS
_CURRENCIES = {"$": "$", "¥": "¥", "￥": "¥", "€": "€", "£": "£"}
_MONTH_NAMES = words(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_ENDS_WITH_MONTH = EndWords(dict.fromkeys([*_MONTH_NAMES, *(f"{m}." for m in _MONTH_NAMES)], "month"))
_MONTHS_AFTER = tuple(f" {month}" for month in _MONTH_NAMES)
_NAME_ENDS = frozenset("”」』》\"'")  # a product name in quotes, then its version number
_RANK_BEFORE = ("前", "top", "top-")
# Roles that make a year-like number (2000) a figure: "达到 2000", "超过 2000".
_FIGURE_ROLES = frozenset({"<=", ">=", "<", ">", "=", "target"})
# Units of length after "50x50": the pair is a size, read as a figure; "1920x1080", "7×24" stay ids.
_SIZE_UNITS = ("cm", "mm", "km", "m", "inch", "px", "厘米", "毫米", "米", "英寸")
_SIZE_REST = re.compile(r"[0-9]+(?:\.[0-9]+)?(?: ?(?P<unit>" + "|".join(_SIZE_UNITS) + r"))(?![a-z])")
# "一次" is a count of one ("每周召开一次分享会") unless one of these follows (一次性, 一次次, 一次到位) or
# stands before (再一次, 每一次, 最近一次), or a rate's name follows (一次通过率 is a metric).
_ONCE_NOT_AFTER = ("性", "次", "到位", "就", "都", "也")
_ONCE_NOT_BEFORE = frozenset("再又这那上下某每首近前")
_RATE_NAME = re.compile(r"[^，,；;。！!？?、\s0-9]{0,6}率")
# Durations: a figure in one of these units bounds a time ("48 hours", "15 分钟内").
DURATION_UNITS = frozenset(
    words(
        """毫秒 秒 秒钟 分钟 小时 天 工作日 周 星期 个月 ms millisecond milliseconds s sec secs second seconds
        min mins minute minutes h hr hrs hour hours day days week weeks month months"""
    )
)
# Template placeholders for a figure: a lone run of x ("XXXX", "xx", "X"); "x3" is a multiple.
_X_RUN = re.compile(r"(?<![a-z0-9_])(?:x{1,6}|×{2,6})(?![a-z_])")  # ×× too: "完成××名"
_X_MULTIPLE = re.compile(r"x([0-9]{1,3}(?:\.[0-9]+)?)(?![a-z0-9.])")
_MAX_X_MULTIPLE = 20.0  # "x3", "x1.5" are multiples; "x86", "x64" name architectures
_PLACEHOLDER_DIGIT = "1"  # a run of x is read as this digit, repeated, then marked as a placeholder
# Measure words that, glued between a placeholder and a noun, still count it ("覆盖X个城市"), unless
# they open a noun with it ("XX家居", "X名单"); other units glued so name a thing ("X项目", "XX集团").
_PLACEHOLDER_CLASSIFIERS = frozenset("个家位名篇次款场轮")
_CLASSIFIER_NOUNS = frozenset(words("个人 个性 个体 家庭 家居 家电 名单 名称 位置 场景 场地 次日 款式"))
# Words before a bare x that more often name a thing than a figure ("launch of X", "win over X").
_PLACEHOLDER_NAME_BEFORE = EndWords(dict.fromkeys(words("of at over above under below beyond exceed 是 在"), "name"))

# Optional parts are written "(?:…|)" rather than "(?:…)?": an empty alternative is cheaper for
# CPython's engine than a repeat, and the groups then read "" rather than None.
_NUMBER = re.compile(
    rf"""
    (?P<num>
        [{DIGITS}{NUMERALS}]                         # first character: the engine skips to these in C
        (?<![a-z_.．×*{DIGITS}][{DIGITS}])           # p95, KR2, v1.2, 7×24: the digit belongs to an id
        (?<![第{NUMERALS}][{NUMERALS}])              # 第三: an ordinal
        (?:(?<![周期拜][{NUMERALS}])|(?=次))          # 周三, 星期三: weekdays; 每周两次 is a count
        (?<!第[{DIGITS}])                            # 第3
        [{DIGITS}{NUMERALS}]*+
        (?:,[0-9]{{3}}(?![0-9])[{DIGITS}{NUMERALS}]*+)*+   # 1,000
        (?:[.．][{DIGITS}]++[{DIGITS}{NUMERALS}]*+|)       # 0.3, 1.5万
    )
    (?P<scale>[ ]?(?:k|thousand|million|billion|bn|mn)(?![a-z])|w(?![a-z0-9])|[ ](?:千万|百万|万|亿)|)
    (?P<approx>[ ]?(?:多|余|\+(?![0-9]))|)
    (?P<gap>[ ]|)
    (?P<suffix>                                      # classified by _SUFFIXES and _suffix_code
        [%％‰]
      | 个(?:[ ]?百分点|点|[ ]?[9九](?![{DIGITS}.])|月)  # 个百分点, 个点, 5 个 9, 个月
      | 分(?:之[ ]?[{DIGITS}{NUMERALS}.．]+|百|钟)      # 百分之三十, 百分百, 分钟
      | {"|".join(u for u in ZH_UNITS if len(u) > 1 and u[0] not in "个分")} | 百分点
      | [{"".join(u for u in ZH_UNITS if len(u) == 1)}]  # 个, 位, 人, 家 …
      | 倍 | ×(?![0-9])
      | 成(?![本员为功果熟长交立都就绩效品型不])       # 三成 = 30%
      | 半(?![年月天小个])                           # 一半
      | 年 | 月 | [日号](?![活均]) | 季度 | 点(?![0-9]) | [:：][0-9]+ | [/／][0-9]{{1,2}}(?![0-9%％])
      | (?<=[0-9]{{4}})[-/.／][ ]?[0-9]{{1,2}}(?:[ ]?[-/.／][ ]?[0-9]{{1,2}})?(?![0-9])
      | 级
      | (?:{_EN_SUFFIX_ALTERNATION})(?![a-z])          # ms, users, percent, x, or more …
      |
    )
    (?P<after>[ ]?(?:及以上|或以上|以上|之上|及以下|或以下|以下|以内|之内|内(?![容部外涵网])|\+)|)
    """,
    re.VERBOSE,
)
_SUFFIXES = {
    "%": "percent",
    "％": "percent",
    "‰": "permille",
    "个百分点": "points",
    "个 百分点": "points",
    "百分点": "points",
    "个点": "points",
    "倍": "multiple",
    "×": "multiple",
    "成": "tenths",
    "分百": "hundred",
    "半": "half",
    "级": "level",
    **dict.fromkeys(("年", "月", "日", "号", "季度", "点"), "time"),
    **dict.fromkeys(ZH_UNITS, "unit"),
}


# English words for figures, looked for only in texts without Chinese characters; the lower-cased
# text gets a leading space, and every candidate is a space followed by one of these words.
_EN_NUMBER_WORDS = words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred dozen"
)


@cache
def _english_words() -> re.Pattern[str]:
    """The scanner for English number words, compiled on first use (~2 ms; Chinese texts never need it)."""
    return re.compile(
        r" (?P<w>"
        + first_char_alternation(
            [
                *((word, re.escape(word)) for word in sorted(_WORD_MULTIPLES, key=len, reverse=True) if word.isascii()),
                *((word, re.escape(word)) for word in _TIME_MAGNITUDES if word.isascii()),
                *((word, rf"{word}(?:-[a-z]+)?(?: (?:hundred|thousand|million))?") for word in _EN_NUMBER_WORDS),
                *((f"a {word}", rf"an? {word}") for word in ("dozen", "hundred", "thousand")),
            ]
        )
        + r")(?![a-z-])(?P<unit> [a-z][a-z-]*)?"
    )


_EN_NUMBER_STOP = frozenset({"of", "or", "and", "to", "more", "less", "way", "another", "thing", "time"})
_ZH_WORDS = re.compile(r"翻(?:一番|两番|二番|三番|番|倍)|减半|毫秒级|秒级|分钟级|小时级|天级")  # literal-first


@dataclass(frozen=True, slots=True)
class Quantity:
    """One figure in a text, normalised (百分之三十 → 30 percent, 5个9 → 99.999 percent, 两倍 → 2 multiple).

    ``kind`` is "number", "percent", "points" (percentage points), "multiple" (倍, 2x, double, 减半 →
    0.5) or "magnitude" (秒级, 千万级: ``value`` is the order of magnitude, in seconds for time levels).
    """

    value: float
    kind: str
    unit: str | None  # the unit word right after the figure (毫秒, 人, ms, users) or a currency sign
    comparator: str | None  # "<=", "<", ">=", ">", "=" or None
    span: tuple[int, int]
    text: str

    @property
    def placeholder(self) -> bool:
        """Whether the figure is a template placeholder ("XXXX 个", "X%"): known to be there, value unknown."""
        return self.value != self.value  # NaN, which no comparison lets through


@dataclass(frozen=True, slots=True)
class QuantityFacts:
    """The figures of a text and the roles they play."""

    quantities: tuple[Quantity, ...]
    baseline: Quantity | None  # an explicit starting point: 从 65%, 原 0.6 毫秒, from 10k, baseline 3
    target: Quantity | None  # the value to reach; failing a marked one, the last non-baseline figure
    relative_change: Quantity | None  # 提升 30%, 翻倍, increase by 20% (None when a baseline is given)

    @property
    def has_target(self) -> bool:
        """Whether some figure could serve as a verifiable target (a lone baseline cannot)."""
        return self.target is not None or self.relative_change is not None


EMPTY = QuantityFacts((), None, None, None)


def _quantity(
    value: float, kind: str, unit: str | None, comparator: str | None, start: int, end: int, text: str
) -> Quantity:
    """A figure found at ``text[start:end]``."""
    return Quantity(value, kind, unit, comparator, (start, end), text[start:end])


_COMPARATOR_SYMBOLS = frozenset({"<=", ">=", "<", ">", "="})
# What a word right before a figure says about it: a comparator symbol, "target", "baseline",
# "change" or "rank". The longest word wins: "不超过" (<=) over "超过" (>), "up to" over "to".
_ROLES = EndWords(
    {
        **dict.fromkeys(CHANGE_MARKERS, "change"),
        **dict.fromkeys(TARGET_MARKERS, "target"),
        **dict.fromkeys(BASELINE_MARKERS, "baseline"),
        **dict.fromkeys(_RANK_BEFORE, "rank"),
        **{word: symbol for members, symbol in _COMPARATORS for word in members},
    }
)
_PERIODS = EndWords(dict.fromkeys(_PERIOD_BEFORE, "period"))
_FILLER_CHARS = "了约近超大"
_WITHIN = frozenset({"内", "以内", "之内"})


def _context(low: str, start: int) -> tuple[str, str | None]:
    """Up to 16 lower-cased characters before ``start`` without trailing spaces, and a currency sign
    that ended them ("above $2M": the comparator is before the sign)."""
    before = low[start - 16 if start > 16 else 0 : start].rstrip()
    if before[-1:] in _CURRENCIES:
        return before[:-1].rstrip(), before[-1]
    return before, None


def _role(before: str) -> str | None:
    """The role of the word that ends ``before``, looking past a filler ("提升了 30%")."""
    role = _ROLES.find(before)
    if role is None and before and before[-1] in _FILLER_CHARS:
        role = _ROLES.find(before.rstrip(_FILLER_CHARS).rstrip())
    return role


def _suffix_code(suffix: str) -> str:
    """What a suffix that is not in _SUFFIXES says: 5 个 9, 百分之…, an English word, or time."""
    first = suffix[0]
    if first == "个":
        return "nines"
    if first == "分":
        return "fraction"
    if "a" <= first <= "z":
        return "word"
    return "time"


def _special(code: str, num: str, value: float | None, suffix: str, role: str | None, low: str, end: int):
    """The figure for the rarer suffixes: (kind, value, unit), or None when it is not a figure."""
    if code == "level":
        if num in _MAGNITUDE_SCALES:  # 千万级
            return "magnitude", _MAGNITUDE_SCALES[num], "级"
        # "5 级故障" is a class of incident; "提升至 3 级" is a level to reach.
        return None if role is None and CJK.match(low, end) else ("number", value, "级")
    if code == "fraction" or code == "hundred":  # 百分之三十, 千分之五, 百分百
        base = _FRACTION_BASES.get(num)
        part = 100.0 if code == "hundred" else parse_number(suffix[2:])
        if base is None or part is None or (code == "hundred" and base != 100):
            return None
        return "percent", part * 100.0 / base, None
    if value is None:
        return None
    if code == "points":
        return "points", value, None
    if code == "multiple":
        return "multiple", value, None
    if code == "permille":
        return "percent", value / 10, None
    if code == "nines":  # 5 个 9 = 99.999%
        if not (value.is_integer() and 1 <= value <= 12):
            return None
        return "percent", round(100 - 100 * 10 ** (-value), 10), None
    if code == "tenths":  # 三成 = 30%
        return ("percent", value * 10, None) if value <= 10 else None
    if code == "half":  # 一半
        return ("multiple", 0.5, None) if num == "一" else None
    return None


def _scan_numbers(text: str, low: str, quantities: list[Quantity], roles: list[str | None]) -> None:
    find_role = _ROLES.find
    for match in _NUMBER.finditer(low):
        num, scale, approx, _gap, suffix, after = match.groups()
        code = None
        if suffix:
            code = _SUFFIXES.get(suffix) or _suffix_code(suffix)
            if code == "time":
                if suffix[0] not in "/／" or "." not in num:
                    continue  # 2025年, 9月, 10:30, 2025-09-30
                code = None  # 4.5/5: a score on a scale, the figure before the slash
        start, end = match.span()
        before = low[start - 16 if start > 16 else 0 : start].rstrip()  # inlined _context and _role: hot
        currency = None
        if before[-1:] in _CURRENCIES:
            currency = before[-1]
            before = before[:-1].rstrip()
        role = find_role(before)
        if role is None and before and before[-1] in _FILLER_CHARS:
            role = find_role(before.rstrip(_FILLER_CHARS).rstrip())
        value: float | None
        if num[0] in _DIGIT_CHARS and len(num) < 16:
            try:
                value = float(num)  # "65", "0.3", "３０"
            except ValueError:
                value = parse_number(num)  # "1,000", "1.5万"
        else:
            value = parse_number(num)
        kind = "number"
        unit = None
        if code is None:
            pass
        elif code == "percent":
            kind = "percent"
        elif code == "unit":
            unit = suffix
        elif code == "word":
            if value is None:
                continue
            kind, unit, end, after, value = _english_suffix(text, low, match, value)
            if not kind:
                continue
        else:
            figure = _special(code, num, value, suffix, role, low, end)
            if figure is None:
                continue
            kind, value, unit = figure
        if value is None:
            continue
        if scale:
            if scale == "w" and not CJK.search(text):
                continue  # "6w" in English text is not 万
            value *= SCALE_SUFFIXES.get(scale.strip(), 1.0)
        if kind == "number":
            cjk = num[0] not in _DIGIT_CHARS
            if unit is None:
                if cjk:
                    if role is None:
                        continue  # a numeral inside a word: 统一, 一流, 千万
                elif not scale and not _bare_figure(text, num, value, role, before, low, end):
                    continue
                if currency and not cjk:
                    unit = _CURRENCIES[currency]
                    start = low.rindex(currency, 0, start)
            elif cjk and role is None and ((num == "一" and not _counts_once(low, end, unit, before)) or unit == "分"):
                continue  # 一个平台, 一次性, 十分重要: an article or an adverb, not a count
            elif unit in _TIME_UNITS and (
                _PERIODS.find(before) or (role is None and after and after.strip() in _WITHIN)
            ):
                continue  # "3个月内", "每 2 周", "within 3 months": a period, not a figure
        if role in _COMPARATOR_SYMBOLS:
            comparator = role
        elif role == "rank" and kind == "number":
            comparator = "<="  # 前三, top 3: a rank, at most N
        elif after:
            comparator = ">=" if after.strip() in _AT_LEAST_AFTER else "<="
        elif approx:
            comparator = ">=" if approx.strip() == "+" else ">"
        else:
            comparator = None
        if low[end - 1] == " ":
            end -= 1
        quantities.append(_quantity(value, kind, unit, comparator, start, end, text))
        roles.append(role)


def _counts_once(low: str, end: int, unit: str, before: str) -> bool:
    """Whether "一次" ending at ``end`` counts one session of the noun after it ("召开一次分享会").

    Not 一次性, 一次通过率, 再一次, nor a closing "复盘一次" (a cadence: how often, not how many).
    """
    if unit != "次" or before[-1:] in _ONCE_NOT_BEFORE or low.startswith(_ONCE_NOT_AFTER, end):
        return False
    return CJK.match(low, end) is not None and _RATE_NAME.match(low, end) is None


def _bare_figure(text: str, num: str, value: float, role: str | None, before: str, low: str, end: int) -> bool:
    """Whether an Arabic number with nothing after it is a figure, not an id, a year or "level 3"."""
    if low[end - 1 : end] == " ":
        end -= 1  # the pattern took the space after the number: look at what follows the number itself
    following = low[end : end + 1]
    if "a" <= following <= "z":
        return False  # part of an id such as 5g, 3d, 2fa
    if following in ("×", "*") and low[end + 1 : end + 2] in _DIGIT_CHARS:
        return _SIZE_REST.match(low, end + 1) is not None  # 50×50 cm is a size; 7×24 is not a figure
    if _ENDS_WITH_MONTH.find(before) or low.startswith(_MONTHS_AFTER, end):
        return False  # June 30, 30 June: a date
    if "." in num and (before[-1:] in _NAME_ENDS or low.startswith(("版", " 版"), end)):
        return False  # “天网”1.0, 2.0 版: a version
    if role is None and num.endswith(".0") and _after_name(text, end - len(num)):
        return False  # OKR 2.0, Web 3.0: a version after a capitalised name
    if before.endswith("level") and not ("a" <= before[-6:-5] <= "z"):
        # "level 3" names a maturity level; "达到 level 2" makes it the level to reach.
        return _role(before[:-5].rstrip()) is not None
    return not (len(num) == 4 and 1900 <= value <= 2100 and role not in _FIGURE_ROLES)  # a year


def _after_name(text: str, start: int) -> bool:
    """Whether the word just before ``start`` is capitalised (a name such as OKR or Web)."""
    word = text[:start].rstrip().rpartition(" ")[2]
    return bool(word) and word[0].isupper()


def _english_suffix(text: str, low: str, match: re.Match[str], value: float):
    """Read the English word after a figure: (kind, or "" to drop the figure; unit; end; after; value)."""
    start, end = match.span("suffix")
    word = match.group("suffix")
    gap = match.group("gap")
    after = match.group("after")
    if word in ("or", "and"):
        for phrase in _EN_AFTER:
            if low.startswith(phrase, start):
                return "number", None, start + len(phrase), phrase, value  # 45 or more
    if word in _EN_PERCENT:
        kind, unit = "percent", None
    elif word in _EN_POINTS:
        kind, unit = "points", None
    elif word == "percentage" and low.startswith((" points", " point"), end):
        kind, unit = "points", None
        end += 7 if low.startswith(" points", end) else 6
    elif word == "x":
        if low[end : end + 1] in _DIGIT_CHARS:
            size = _SIZE_REST.match(low, end)
            if size is None:
                return "", None, end, after, value  # 1920x1080
            return "number", size.group("unit"), size.end(), after, value  # 50x50 cm: a size
        kind, unit = "multiple", None
    elif word == "times" and not low.startswith((" a ", " per ", " each ", " every "), end):
        kind, unit = "multiple", None
    elif word == "m" and text[start] == "M":
        kind, unit, value = "number", None, value * 1e6  # 2M; a lower-case "30m" is minutes or metres
    elif word in EN_UNITS:
        kind, unit = "number", word
    elif word in ("am", "pm"):
        return "", None, end, after, value  # 10 am
    else:
        return "number", None, start - len(gap), after, value  # an ordinary word follows
    if not after:
        position = end + 1 if low[end : end + 1] == " " else end
        if low.startswith(_EN_AFTER, position):
            for phrase in _EN_AFTER:
                if low.startswith(phrase, position):
                    return kind, unit, position + len(phrase), phrase, value
    return kind, unit, end, after, value


def _scan_english_words(text: str, low: str, quantities: list[Quantity], roles: list[str | None]) -> None:
    padded = " " + low  # every word then has a space before it; offsets shift by one
    for match in _english_words().finditer(padded):
        word = match.group("w")
        start = match.start()  # the word's offset in ``text``
        words_end = match.end("w") - 1
        before = _context(low, start)[0]
        role = _role(before)
        unit = match.group("unit")
        comparator = role if role in _COMPARATOR_SYMBOLS else None
        value: float | None
        if word in _WORD_MULTIPLES:
            if word == "half" and (
                before.endswith(("first", "second", "1st", "2nd"))
                or low.startswith((" a year", " year", " of the year", " of 20"), words_end)
            ):
                continue  # the first half of the year is a period
            kind, value, unit, end = "multiple", _WORD_MULTIPLES[word], None, words_end
        elif word in _TIME_MAGNITUDES:
            kind, value, unit, end = "magnitude", _TIME_MAGNITUDES[word], None, words_end
            comparator = "<" if word == "sub-second" else comparator
        else:
            value = parse_number(word)
            if value is None:
                continue
            unit = unit.strip() if unit else None
            if unit in _EN_NUMBER_STOP:
                continue  # "one of the", "two or three"
            if unit in EN_UNITS:
                if unit in _EN_TIME_UNITS and _PERIODS.find(before):
                    continue  # within three months
                end = match.end() - 1
            else:
                unit, end = None, words_end
                if role is None and word.startswith(("one", "a ", "an ")):
                    continue  # "one", "a hundred" without a unit are rarely figures
            kind = "number"
        quantities.append(_quantity(value, kind, unit, comparator, start, end, text))
        roles.append(role)


def _scan_chinese_words(text: str, low: str, quantities: list[Quantity], roles: list[str | None]) -> None:
    for match in _ZH_WORDS.finditer(text):
        word = match.group()
        start, end = match.span()
        if word in _TIME_MAGNITUDES:
            quantities.append(_quantity(_TIME_MAGNITUDES[word], "magnitude", None, None, start, end, text))
        else:
            quantities.append(_quantity(_WORD_MULTIPLES[word], "multiple", None, None, start, end, text))
        roles.append(_role(_context(low, start)[0]))


# The roles of the last figures found, handed to analyse_quantities, which usually gets that very
# tuple next. Swapped as one object, so that threads see a consistent pair.
_last: tuple[tuple[Quantity, ...], tuple[str | None, ...]] = ((), ())


def _find(text: str, low: str, english: bool) -> tuple[tuple[Quantity, ...], tuple[str | None, ...]]:
    global _last
    quantities: list[Quantity] = []
    roles: list[str | None] = []
    runs = _x_runs(low) if "x" in low or "××" in low else None
    if runs:
        _scan_numbers(text, _filled(low, runs), quantities, roles)
        _mark_placeholders(text, low, runs, quantities, roles)
    else:
        _scan_numbers(text, low, quantities, roles)
    scanners = 1 if quantities else 0  # how many scanners found something; each finds in text order
    if runs:
        count = len(quantities)
        _scan_x_multiples(text, low, runs, quantities, roles)
        scanners += len(quantities) > count
    if "翻" in text or "减半" in text or "级" in text:
        count = len(quantities)
        _scan_chinese_words(text, low, quantities, roles)
        scanners += len(quantities) > count
    if english:  # English words are not looked for in Chinese text
        count = len(quantities)
        _scan_english_words(text, low, quantities, roles)
        scanners += len(quantities) > count
    if not scanners:
        return (), ()
    if scanners > 1:
        pairs = sorted(zip(quantities, roles, strict=True), key=_start)
        result = (tuple(pair[0] for pair in pairs), tuple(pair[1] for pair in pairs))
    else:
        result = (tuple(quantities), tuple(roles))
    _last = result
    return result


def _x_runs(low: str) -> list[tuple[int, int]]:
    """The spans of lone runs of x: placeholders ("XXXX 个", "X%") or, before a number, a multiple ("x3")."""
    return [match.span() for match in _X_RUN.finditer(low)]


def _filled(low: str, runs: list[tuple[int, int]]) -> str:
    """``low`` with each placeholder run written as digits, so the number scanner reads its unit and role."""
    parts = []
    position = 0
    for start, end in runs:
        if low[end : end + 1] in _DIGIT_CHARS:
            continue  # x3: a multiple, read by _scan_x_multiples
        parts.append(low[position:start])
        parts.append(_PLACEHOLDER_DIGIT * (end - start))
        position = end
    parts.append(low[position:])
    return "".join(parts)


def _mark_placeholders(
    text: str, low: str, runs: list[tuple[int, int]], quantities: list[Quantity], roles: list[str | None]
) -> None:
    """Give the figures read from placeholder runs the value NaN; drop those that name a thing ("产品 X")."""
    starts = {start: end for start, end in runs}
    kept: list[tuple[Quantity, str | None]] = []
    for quantity, role in zip(quantities, roles, strict=True):
        start, end = quantity.span
        run_end = starts.get(start)
        partly = run_end is None and any(start < run_start < end for run_start in starts)  # 99.xx%
        if run_end is None and not partly:
            kept.append((quantity, role))
        elif partly or (run_end is not None and _placeholder_figure(low, start, run_end, end, role)):
            kept.append(
                (_quantity(math.nan, quantity.kind, quantity.unit, quantity.comparator, start, end, text), role)
            )
    quantities[:] = [pair[0] for pair in kept]
    roles[:] = [pair[1] for pair in kept]


def _placeholder_figure(low: str, start: int, run_end: int, end: int, role: str | None) -> bool:
    """Whether a placeholder read as a figure is one: it has a role word before it ("达到 XX"), or a unit,
    sign or scale after it, other than a measure word glued into a noun ("X项目", "XX集团" name things)."""
    rest = low[run_end:end]
    if not rest:
        if role is None or _PLACEHOLDER_NAME_BEFORE.find(low[:start].rstrip()):
            return False
        following = low[end:].lstrip()[:1]
        return not ("a" <= following <= "z")  # "reach X", not "reach X conference"
    if role is not None or len(rest) > 1 or not CJK.match(rest) or not CJK.match(low, end):
        return True
    return rest in _PLACEHOLDER_CLASSIFIERS and low[end - 1 : end + 1] not in _CLASSIFIER_NOUNS


def _scan_x_multiples(
    text: str, low: str, runs: list[tuple[int, int]], quantities: list[Quantity], roles: list[str | None]
) -> None:
    """Multiples written "x3", "x1.5" (a lone x right before the number); "x86" is not one."""
    for start, end in runs:
        if end - start != 1 or low[end : end + 1] not in _DIGIT_CHARS:
            continue
        match = _X_MULTIPLE.match(low, start)
        if match is None or not 1 < float(match.group(1)) <= _MAX_X_MULTIPLE:
            continue
        role = _role(_context(low, start)[0])
        comparator = role if role in _COMPARATOR_SYMBOLS else None
        quantities.append(_quantity(float(match.group(1)), "multiple", None, comparator, start, match.end(), text))
        roles.append(role)


def _start(pair: tuple[Quantity, str | None]) -> int:
    return pair[0].span[0]


def is_duration(quantity: Quantity) -> bool:
    """Whether the figure is a length of time ("48 hours", "15 分钟内"), as in a time bound to meet."""
    return quantity.kind == "number" and (quantity.unit or "").lower() in DURATION_UNITS


def find_quantities(text: str) -> tuple[Quantity, ...]:
    """Every figure in the text, in order of appearance (dates, periods, ids and labels left out)."""
    return _find(text, *prepared(text))[0]


def _is_change(low: str, quantity: Quantity) -> bool:
    """A percentage with a change word a little before or after it: "降低成本 20%", "20% faster"."""
    start, end = quantity.span
    if _EN_CHANGE_AFTER.match(low, end) or _CHANGE_GAP.search(low, max(0, start - 12), start):
        return True
    window = low[max(0, start - 40) : start]
    if not window.isascii():
        return False
    match = _EN_CHANGE_GAP.search(window)
    return match is not None and not ("a" <= window[match.start() - 1 : match.start()] <= "z")


def analyse_quantities(text: str, quantities: tuple[Quantity, ...] | None = None) -> QuantityFacts:
    """Figures plus their roles: baseline, target and relative change.

    Pass the figures if ``find_quantities`` already ran on this text.
    """
    low, english = prepared(text)
    if quantities is None:
        quantities, roles = _find(text, low, english)
    else:
        last = _last
        roles = last[1] if quantities is last[0] else tuple(_role(_context(low, q.span[0])[0]) for q in quantities)
    if not quantities:
        return EMPTY
    baseline = target = change = last_figure = None
    for quantity, role in zip(quantities, roles, strict=True):
        start = quantity.span[0]
        if baseline is None and (
            role == "baseline" or (role is None and _BASELINE_GAP.search(low, max(0, start - 12), start))
        ):
            baseline = quantity
            continue
        last_figure = quantity
        kind = quantity.kind
        marked = quantity.comparator is not None or role == "target"
        if target is None and marked:
            target = quantity
        if change is None and (
            kind == "multiple"
            or (kind in ("percent", "points") and not marked and (role == "change" or _is_change(low, quantity)))
        ):
            change = quantity
    if target is None:
        target = last_figure
    if baseline is not None:
        change = None
    return QuantityFacts(quantities, baseline, target, change)
