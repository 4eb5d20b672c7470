"""What kind of statement a key result or an objective is, decided once per item.

A coach reads a key result for its shape before anything else: is it a result with a figure, a
deliverable (done or not), recurring effort, open-ended work, a direction with no destination, or
nothing anyone could check? The measurable and outcome rules all follow from that one reading, so a
line is never told both "this has no deliverable" and "this is only a deliverable".

Word lists live in data/lexicon.toml; this module holds the order in which the clues are weighed:

1. keeping a level (维持, maintain), unless a figure moves from a stated baseline → status quo;
2. a result: a figure moved from a stated baseline (从 52 天缩短到 35 天), a rate or a multiple,
   a result verb (获得, reach, secure), a result clause that holds a figure or an end state
   (使…不超过 5 分钟, so that all…), a figure that a change verb moves (增长至 200 家, increase to
   1,000), a time limit (30 分钟内, within 48 hours), a count of people or things won from outside
   (200 家用户, 500 subscribers) → outcome;
3. work (完成, 上线, publish, hire…) → effort when counted in sessions or done to a rhythm, open
   work when nothing marks its end, else output (a deliverable, counted or not);
4. a direction verb or a quality with no threshold (提升, 稳定, improve, clear) → vague;
5. a figure, a target word, a capability (能…, can…) or an end state → outcome; else unverifiable.

Objectives get one question here: is it a bare noun, a list of short words or a job duty (INS005)?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise

from ..analysis.quantities import Quantity
from . import lexicon
from .lexicon import WordList, WordMatch

# Kinds of figure that state a level to reach whatever the verb: rates, points, multiples, 秒级.
_LEVEL_KINDS = frozenset({"percent", "points", "multiple", "magnitude"})
_TIME_UNITS = frozenset(
    [
        "毫秒",
        "秒",
        "秒钟",
        "分钟",
        "分",
        "小时",
        "天",
        "工作日",
        "周",
        "个月",
        "ms",
        "s",
        "sec",
        "secs",
        "second",
        "seconds",
        "min",
        "mins",
        "minute",
        "minutes",
        "h",
        "hr",
        "hrs",
        "hour",
        "hours",
        "day",
        "days",
        "week",
        "weeks",
    ]
)
_UNIT_LATER = re.compile(r"\s*(?:working|business|calendar|个)?\s*([a-z]+|工作日|小时|分钟|天|周)")
# After a duration these make it a limit to stay within (30 分钟内, 15 分钟完成); "within" before it.
_LIMIT_AFTER = ("内", "以内", "之内", "完成", "响应", "解决", "处理", "恢复")
_LIMIT_BEFORE = re.compile(r"(?:within|in under|under|less than|no more than|at most|<=?|≤|不超过|少于|小于)\s*$")
# A short label before the text proper: "VP Eng KR: …", "Customer success: …", "[Growth] …".
_LABEL = re.compile(r"^\s*(?:\[[^\]]{1,30}\]\s*|[A-Za-z][\w .&/-]{0,30}[:：]\s+)")
_CLAUSE_BREAK = re.compile(r"[，,；;。.!！?？、]")
_SENTENCE_BREAK = re.compile(r"[，,；;。!！?？]|\.(?!\w)")  # 、 lists things inside one clause
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


class KRShape(StrEnum):
    outcome = "outcome"  # a result with a figure or an end state someone can check
    output = "output"  # work with a deliverable: done or not, counted or not
    effort = "effort"  # work counted in sessions, hours or a rhythm (每周分享一次, run 3 workshops)
    open_work = "open_work"  # work with no end state and no figure (梳理流程, promote X): work and unverifiable
    status_quo = "status_quo"  # keeping a level as it is
    vague = "vague"  # a direction or a quality with no destination
    unverifiable = "unverifiable"  # nothing a person could check


@dataclass(frozen=True, slots=True)
class KRReading:
    """The shape of a key result and the words that decided it (for evidence and fix hints)."""

    shape: KRShape
    work: WordMatch | None = None  # the work verb, for output / effort / open work
    vague: WordMatch | None = None  # the vague verb (提升, improve), for vague / open work
    quality: WordMatch | None = None  # a quality with no threshold (稳定, clear), for vague / open work
    effort: Quantity | None = None  # the count of effort, for effort
    status: WordMatch | None = None  # the status-quo word

    @property
    def unverifiable(self) -> bool:
        """Nothing in the line can be checked: no figure, no end state, no deliverable that marks an end."""
        return self.shape in (KRShape.open_work, KRShape.vague, KRShape.unverifiable)


# ---------------------------------------------------------------- word finding


@cache
def _words(name: str) -> WordList:
    return lexicon.get(name)


# The lists read anywhere in a text. They are scanned together, once per text, with one dictionary
# probe per character (Chinese) or per word (English): on short texts far cheaper than searching for
# every entry of every list.
_SCANNED = (
    "activity_verbs",
    "effort_verbs",
    "open_work_verbs",
    "result_verbs",
    "result_markers",
    "weak_result_markers",
    "marker_blockers",
    "absolute_states",
    "contact_verbs",
    "cadence_words",
    "vague_qualities",
    "capability_markers",
    "capability_blockers",
    "duty_markers",
    "direction_words",
    "vague_verbs",
)
_EN_TOKEN = re.compile(r"[a-z][a-z'-]*")


@cache
def _zh_index() -> dict[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    """Chinese entries by first character, longest first, each with the lists that hold it."""
    lists: dict[str, set[str]] = {}
    for name in _SCANNED:
        for word in _words(name).zh:
            lists.setdefault(word, set()).add(name)
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for word, names in lists.items():
        index.setdefault(word[0], []).append((word, tuple(sorted(names))))
    return {ch: tuple(sorted(entries, key=lambda e: len(e[0]), reverse=True)) for ch, entries in index.items()}


@cache
def _zh_starts() -> re.Pattern[str]:
    """The first characters of the Chinese entries, as one character class."""
    return re.compile("[" + "".join(re.escape(ch) for ch in sorted(_zh_index())) + "]")


@cache
def _en_index() -> dict[str, tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]]:
    """English entries (as word tuples) by first word, longest first, each with the lists that hold it."""
    lists: dict[tuple[str, ...], set[str]] = {}
    for name in _SCANNED:
        for entry in _words(name).en_all:
            words = tuple(_EN_TOKEN.findall(entry.lower()))
            if words:
                lists.setdefault(words, set()).add(name)
    index: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
    for words, names in lists.items():
        index.setdefault(words[0], []).append((words, tuple(sorted(names))))
    return {w: tuple(sorted(entries, key=lambda e: len(e[0]), reverse=True)) for w, entries in index.items()}


@lru_cache(maxsize=1024)
def _scan(text: str) -> dict[str, tuple[WordMatch, ...]]:
    """Every entry of the scanned lists found in the text, per list, in text order (longest at a position)."""
    found: dict[str, list[WordMatch]] = {}

    def add(names: tuple[str, ...], match: WordMatch, seen: set[str]) -> None:
        for name in names:
            if name not in seen:
                seen.add(name)
                found.setdefault(name, []).append(match)

    if _CJK.search(text):
        index = _zh_index()
        for at in _zh_starts().finditer(text):  # only where an entry could start: most characters cannot
            start, ch = at.start(), at.group()
            seen: set[str] = set()
            for word, names in index[ch]:
                if text.startswith(word, start):
                    add(names, WordMatch(word, start, start + len(word)), seen)
    if _LATIN.search(text):
        tokens = [(m.group(), m.start(), m.end()) for m in _EN_TOKEN.finditer(text.lower())]
        words = [t[0] for t in tokens]
        index_en = _en_index()
        for i, (token, start, _) in enumerate(tokens):
            seen = set()
            for entry, names in index_en.get(token, ()):
                if tuple(words[i : i + len(entry)]) == entry:
                    end = tokens[i + len(entry) - 1][2]
                    add(names, WordMatch(text[start:end], start, end), seen)
    return {name: tuple(sorted(matches, key=lambda m: m.start)) for name, matches in found.items()}


def _occurrences(text: str, *names: str) -> list[WordMatch]:
    """Every place an entry of the lists occurs (the longest entry at a position), in text order."""
    scanned = _scan(text)
    if len(names) == 1:
        return list(scanned.get(names[0], ()))
    best: dict[int, WordMatch] = {}
    for name in names:
        for match in scanned.get(name, ()):
            if match.start not in best or len(best[match.start].text) < len(match.text):
                best[match.start] = match
    return [best[k] for k in sorted(best)]


def _find(text: str, name: str) -> WordMatch | None:
    """The earliest entry of a list, in either language (scanned lists only)."""
    found = _scan(text).get(name)
    return found[0] if found else None


def _leading_english(text: str) -> WordMatch | None:
    """An English work verb opening the text, after a short label ("VP Eng KR: Hire …")."""
    label = _LABEL.match(text)
    offset = label.end() if label else 0
    rest = text[offset:]
    if rest[:3].lower() == "to ":
        offset += 3
        rest = rest[3:]
    for name in ("activity_verbs_leading", "activity_verbs", "effort_verbs"):
        word = _words(name).edges.prefix(rest)
        if word:
            return WordMatch(text[offset : offset + len(word)], offset, offset + len(word))
    return None


def work_at_start(text: str) -> WordMatch | None:
    """A work verb opening the text: 完成…, 上线…, Launch… (objectives that read like tasks, rewrite templates)."""
    return _words("activity_verbs").at_start(text) or _words("activity_verbs_leading").at_start(text)


def work_at_end(text: str) -> WordMatch | None:
    """A work verb closing the text: 日志模块打通, …产品化, "referral program launched"."""
    return _words("activity_verbs").at_end(text)


def _capability_zones(text: str) -> list[tuple[int, int]]:
    """Stretches after 能 / can up to the end of the clause: work verbs there describe what a result can do."""
    zones = []
    for match in _unblocked(text, "capability_markers", "capability_blockers"):
        end = _SENTENCE_BREAK.search(text, match.end)
        stop = end.start() if end else len(text)
        if "的" in text[match.end : stop]:
            continue  # "能提高效率的举措": a clause describing a noun, not a claim of what something can do
        zones.append((match.start, stop))
    return zones


def _unblocked(text: str, name: str, blockers: str) -> list[WordMatch]:
    """Chinese entries of a list, except where they sit inside a blocking word (使 in 使用, 能 in 功能)."""
    blocked = _occurrences(text, blockers)
    return [m for m in _occurrences(text, name) if not any(b.start <= m.start < b.end for b in blocked)]


def _zh_work(text: str, zones: list[tuple[int, int]]) -> WordMatch | None:
    """The first Chinese work verb used as a verb: not the head of a noun (开发者, 部署时间), not after 能."""
    suffixes = _words("activity_noun_suffixes").zh
    for match in _occurrences(text, "activity_verbs", "effort_verbs"):
        if match.text.isascii():
            continue  # English work verbs are weighed in find_work
        if any(a <= match.start < b for a, b in zones):
            continue
        if text.startswith(suffixes, match.end):
            continue
        return match
    return None


def find_work(text: str) -> WordMatch | None:
    """The work verb of a key result, if it has one (完成 X, 上线, publish, hire, 每周锻炼)."""
    zones = _capability_zones(text) if ("能" in text or "can" in text.lower() or "able" in text.lower()) else []
    best = _zh_work(text, zones) if _CJK.search(text) else None
    if _LATIN.search(text):
        leading = _leading_english(text)
        anywhere = next((m for m in _occurrences(text, "activity_verbs") if m.text.isascii()), None)
        for candidate in (leading, anywhere):
            if candidate is None or any(a <= candidate.start < b for a, b in zones):
                continue
            if best is None or candidate.start < best.start:
                best = candidate
    return best


# ---------------------------------------------------------------- the clues of a result


def _after(text: str, end: int, size: int = 12) -> str:
    return text[end : end + size]


def _counts_output(text: str, quantity: Quantity) -> bool:
    """Whether a figure counts things the work itself produces (5 篇文章, 650 snippets, 上线数 > 10)."""
    unit = (quantity.unit or "").lower()
    nouns = _words("output_nouns")
    if unit and unit in nouns.entries:
        return True
    following = _after(text, quantity.span[1], 14)
    low = following.lower()
    for word in nouns.zh:
        if word in following[:8]:
            return True
    tokens = re.findall(r"[a-z][a-z-]*", low)[:4]
    return any(t in nouns.en_words for t in tokens)


def _counts_people_won(text: str, quantity: Quantity) -> bool:
    """Whether a figure counts people or things won from outside (200 家用户, 500 subscribers)."""
    nouns = _words("result_nouns")
    unit = (quantity.unit or "").lower()
    if unit in nouns.entries:
        return True
    following = _after(text, quantity.span[1], 10)
    if any(word in following for word in nouns.zh):
        return True
    tokens = re.findall(r"[a-z][a-z-]*", following.lower() + " " + _after(text, quantity.span[1] + 10, 20).lower())
    return any(t in nouns.en_words for t in tokens[:4])


def _is_time_limit(text: str, quantity: Quantity) -> bool:
    """A duration to stay within: 30 分钟内, 15 分钟完成, within 48 hours, ≤ 5 分钟, under 2 s."""
    if quantity.kind != "number":
        return False
    unit, end = (quantity.unit or "").lower(), quantity.span[1]
    if unit not in _TIME_UNITS:  # "5 working days", "3 个工作日": the unit a word later
        following = _UNIT_LATER.match(text[end:].lower())
        if not following or following.group(1) not in _TIME_UNITS:
            return False
        end += following.end()
    if quantity.comparator in ("<=", "<"):
        return True
    after = text[end:].lstrip()
    if after.startswith(_LIMIT_AFTER):
        return True
    return bool(_LIMIT_BEFORE.search(text[: quantity.span[0]].lower()))


def _clause_after(text: str, start: int) -> tuple[int, int]:
    end = _CLAUSE_BREAK.search(text, start)
    return start, end.start() if end else len(text)


def _result_clause(text: str, figures: tuple[Quantity, ...]) -> bool:
    """A clause opened by a result marker that holds a figure or an end state (使…不超过 5 分钟, ensure all …)."""
    absolute = _words("absolute_states")
    for name, needs_figure in (("result_markers", False), ("weak_result_markers", True)):
        markers = _unblocked(text, name, "marker_blockers")
        for marker in markers:
            start, end = _clause_after(text, marker.end)
            if any(start <= q.span[0] < end for q in figures):
                return True
            if needs_figure:
                continue
            clause = text[start:end]
            if any(word in clause for word in absolute.zh) or any(
                t in absolute.en_words for t in re.findall(r"[a-z]+", clause.lower())
            ):
                return True
    return False


def _moved_by_change(text: str, quantity: Quantity, *, verb_only: bool) -> bool:
    """A figure a change verb moves to or by (增长至 200, increase to 1,000); without ``verb_only``, "到 200" too."""
    before = text[max(0, quantity.span[0] - 24) : quantity.span[0]]
    if _find(before, "vague_verbs") is not None:
        return True
    return not verb_only and bool(re.search(r"(?:至|到|达|to|by)\s*$", before.lower()))


def _qualifies_work(text: str, quantity: Quantity, work: WordMatch | None) -> bool:
    """A figure that only sets the manner of the work, "以 99.9% 准确率完成部署": a delivery, not a result."""
    if work is None or work.start < quantity.span[1]:
        return False
    return "以" in text[max(0, quantity.span[0] - 4) : quantity.span[0]]


def _threshold_clause(text: str, figures: tuple[Quantity, ...]) -> bool:
    """A clause with no work in it that holds a threshold: "招聘 5 名销售，人均产出不低于 50 万" states a result."""
    breaks = [0, *(m.end() for m in _SENTENCE_BREAK.finditer(text)), len(text) + 1]
    if len(breaks) < 3:
        return False  # one clause: the work and its figure belong together
    for start, end in pairwise(breaks):
        clause = text[start:end]
        if find_work(clause) is not None:
            continue
        if any(start <= q.span[0] < end and q.comparator for q in figures):
            return True
    return False


def _is_result(
    text: str, figures: tuple[Quantity, ...], work: WordMatch | None, effort: Quantity | None, moves: bool
) -> bool:
    if moves or any(q.kind in _LEVEL_KINDS and not _qualifies_work(text, q, work) for q in figures):
        return True
    if _find(text, "result_verbs") is not None:
        return True
    if figures and (_result_clause(text, figures) or _threshold_clause(text, figures)):
        return True
    if not figures and _result_clause(text, ()):
        return True
    if effort is not None:
        return False
    contact = work is not None and _find(text, "contact_verbs") is not None
    for quantity in figures:
        if _is_time_limit(text, quantity):
            return True
        if _counts_output(text, quantity):
            continue
        if not contact and _counts_people_won(text, quantity):
            return True
        if not contact and _moved_by_change(text, quantity, verb_only=work is not None):
            return True
        if quantity.comparator and work is None:
            return True
    return False


# ---------------------------------------------------------------- effort


@cache
def _effort_after() -> re.Pattern[str]:
    """An effort unit right after a number, or (English) within the next three words."""
    units = lexicon.pattern_source("effort_units")  # the source only: compiling the list alone is not needed
    return re.compile(rf"\s*(?:[A-Za-z-]+\s+){{0,3}}?(?:{units})", re.IGNORECASE)


def find_effort(text: str, figures: tuple[Quantity, ...]) -> Quantity | None:
    """The first count of effort (召开 4 次, 6 interview sessions, 20 小时), if any."""
    return next((q for q, _ in _efforts(text, figures)), None)


def effort_span(text: str, quantity: Quantity) -> tuple[int, int]:
    """The count of effort with its unit, for evidence: "10 customer interviews", not "10"."""
    return next((span for q, span in _efforts(text, (quantity,))), quantity.span)


def _efforts(text: str, figures: tuple[Quantity, ...]):
    pattern = _effort_after()
    for quantity in figures:
        if quantity.kind != "number":
            continue
        if quantity.unit and pattern.fullmatch(quantity.unit):
            yield quantity, quantity.span
            continue
        after = pattern.match(text, quantity.span[1])
        if after:
            yield quantity, (quantity.span[0], after.end())


# ---------------------------------------------------------------- key results


def read_key_result(
    text: str,
    figures: tuple[Quantity, ...],
    *,
    moves: bool,
    status: WordMatch | None,
    vague_verb: WordMatch | None,
    target_word: WordMatch | None,
) -> KRReading:
    """The shape of a key result, from its plain text and the figures found in it.

    ``moves``: the text takes a figure from a stated baseline to another value (从 52 天缩短到 35 天).
    """
    if status is not None and not moves:
        return KRReading(KRShape.status_quo, status=status)
    work = find_work(text)
    # Sessions count effort only next to work: "每周故障少于 2 次" counts incidents, a result.
    effort = find_effort(text, figures) if work is not None else None
    if _is_result(text, figures, work, effort, moves):
        return KRReading(KRShape.outcome)
    verb = _as_verb(text, vague_verb)
    quality = None if verb else _find(text, "vague_qualities")
    if work is not None and not figures and _ends_in_abstract(text, work):
        work = None  # "对新框架建立深入理解": nothing is delivered, only a state of mind hoped for
    if work is not None and verb is not None and verb.end <= work.start and not text[verb.end : work.start].strip():
        work = None  # "加快招聘", "speed up hiring": the work is what the direction is about, not a deliverable
    if work is not None:
        if effort is not None or _find(text, "cadence_words") is not None:
            return KRReading(KRShape.effort, work=work, effort=effort)
        if _find(work.text, "effort_verbs") is not None:  # 骑行 800km, 跑步 300 公里: practice, however counted
            return KRReading(KRShape.effort, work=work, effort=figures[0] if figures else None)
        if not figures and target_word is None:
            if verb is not None and not _english_participle(verb):
                return KRReading(KRShape.open_work, work=work, vague=verb)
            if quality is not None:
                return KRReading(KRShape.open_work, work=work, quality=quality)
            if work.text.lower() in _words("open_work_verbs").entries:
                return KRReading(KRShape.open_work, work=work)
        return KRReading(KRShape.output, work=work)
    output = next((q for q in figures if _counts_output(text, q)), None)
    if output is not None:
        return KRReading(KRShape.output, work=WordMatch(output.text, *output.span))
    if figures or target_word is not None:
        return KRReading(KRShape.outcome)
    if verb is not None or quality is not None:
        return KRReading(KRShape.vague, vague=verb, quality=quality)
    if _capability_zones(text) or _has_absolute(text):
        return KRReading(KRShape.outcome)  # a capability or an end state a demo or a check can confirm
    return KRReading(KRShape.unverifiable)


def _ends_in_abstract(text: str, work: WordMatch) -> bool:
    """Whether the clause of the work verb ends in a state of mind (理解, awareness) rather than a thing."""
    end = _SENTENCE_BREAK.search(text, work.end)
    clause = text[work.end : end.start() if end else len(text)].rstrip(" 。.")
    words = _words("abstract_objects")
    if clause.endswith(words.zh):
        return True
    head = _EN_TOKEN.findall(clause.lower())[:4]  # "build a shared understanding of …": the object's head
    return any(word in words.en_words for word in head)


def _as_verb(text: str, match: WordMatch | None) -> WordMatch | None:
    """A vague verb used as a verb, not as the modifier of a noun (优化建议, 完善的体系 name things)."""
    if match is None:
        return None
    if text.startswith(_words("modifier_heads").zh, match.end) or text.startswith("的", match.end):
        return None  # 完善的体系: an adjective before 的, not a verb
    return match


def _english_participle(match: WordMatch) -> bool:
    """ "Enhanced …", "improved …": an English participle describes, it does not ask for a change."""
    return match.text.isascii() and match.text.lower().endswith("ed")


def _has_absolute(text: str) -> bool:
    """An end state such as "each item has an estimate" / "所有镜像通过扫描"."""
    absolute = _words("absolute_states")
    if any(word in text for word in absolute.zh if len(word) > 1):
        return True
    return any(t in absolute.en_words for t in re.findall(r"[a-z]+", text.lower()[:20]))


# ---------------------------------------------------------------- objectives


def _content(text: str) -> str:
    """The objective without a leading label ("Customer success: …"), brackets and punctuation."""
    label = _LABEL.match(text)
    body = text[label.end() :] if label else text
    body = re.sub(r"[\[（(【][^\]）)】]*[\]）)】]", " ", body)
    return body.strip(" 。.!！")


def _zh_length(text: str) -> int:
    """Content length of a Chinese text: its characters, with each Latin word counted as two ("新版 App" → 4)."""
    return len(_CJK.findall(text)) + 2 * len(re.findall(r"[A-Za-z0-9]+", text))


def is_bare_objective(text: str, *, max_chars: int, max_words: int) -> bool:
    """A bare noun, a list of short words or a job duty, with no direction: 健康, 团队建设, 读书、怡情, English."""
    body = _content(text)
    if not body:
        return False
    duty = _find(body, "duty_markers")
    if duty is not None and duty.start == 0:
        return True
    if _find(body, "vague_verbs") is not None or _find(body, "direction_words") is not None:
        return False
    if _CJK.search(body):
        parts = [p for p in re.split(r"[,，、;；/&]+", body) if p.strip()]
        return all(_zh_length(p) <= max_chars for p in parts) and len(parts) <= 4
    words = re.findall(r"[A-Za-z][\w'-]*", body)
    return 0 < len(words) <= max_words
