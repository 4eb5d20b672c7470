"""What a drafting-chat message asks for: a deterministic, bilingual reading of one utterance.

The patterns live in ``assistant/data/intents.toml`` (an ordered list of rules, per language); this
module compiles them, tries them in order (the session's language first, then the other one) and
falls back to the shape of the text: a question asks for guidance, a statement with no objective yet
proposes one, a line that reads as a key result adds one, anything else is not understood, so the
coach says what it can do instead of turning it into a key result.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from ..shipped import data_table
from ..texts import LANGUAGES, language_of

__all__ = ["INTENTS", "Intent", "classify", "intent_table", "rule_commands", "wish_in"]

INTENTS: tuple[str, ...] = (
    "greet",
    "thanks",
    "confirm",
    "undo",
    "show_draft",
    "delete_kr",
    "swap_kr",
    "move_kr",
    "set_owner",
    "set_confidence",
    "set_cycle",
    "set_team",
    "set_deadline",
    "add_objective",
    "set_objective",
    "add_kr",
    "replace_kr",
    "rewrite",
    "questions",
    "review",
    "guidance",
    "context",
    "unknown",
)
_SLOTS = ("n", "to", "o", "text", "value")
# Full-width ASCII (Ａ–ｚ, ０–９, ：…) read as half-width; one character for one, so spans stay valid.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@dataclass(frozen=True, slots=True)
class Intent:
    """One reading of a message: the intent and its slots (KR numbers 1-based; -1 means the last one)."""

    name: str
    n: int | None = None
    to: int | None = None
    o: int | None = None
    text: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class _Rule:
    intent: str
    patterns: Mapping[str, tuple[re.Pattern[str], ...]]


def intent_table() -> Mapping[str, Any]:
    """``assistant/data/intents.toml``: the rules, macros, numerals and fallbacks."""
    return data_table("intents")


@cache
def rule_commands() -> frozenset[str]:
    """The intents the rules carry out even with an LLM (``rules-with-llm`` in intents.toml)."""
    names = frozenset(intent_table()["rules-with-llm"])
    unknown = sorted(names - set(INTENTS))
    if unknown:
        raise ValueError(f"intents.toml: rules-with-llm names unknown intents: {', '.join(unknown)}")
    return names


def _compile(pattern: str, macros: Mapping[str, str], where: str) -> re.Pattern[str]:
    for name, body in macros.items():
        pattern = pattern.replace("{" + name + "}", body)
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"intents.toml: {where}: {exc}") from None


@cache
def _rules() -> tuple[_Rule, ...]:
    table = intent_table()
    macros = table["macros"]
    rules: list[_Rule] = []
    for number, raw in enumerate(table["rule"], start=1):
        intent = raw["intent"]
        if intent not in INTENTS:
            raise ValueError(f"intents.toml: rule {number} names an unknown intent {intent!r}")
        patterns = {
            language: tuple(_compile(p, macros, f"rule {number} ({intent}, {language})") for p in raw.get(language, []))
            for language in LANGUAGES
        }
        rules.append(_Rule(intent, patterns))
    return tuple(rules)


@cache
def _patterns(section: str, key: str) -> tuple[re.Pattern[str], ...]:
    table = intent_table()
    return tuple(_compile(p, table["macros"], f"[{section}] {key}") for p in table[section][key])


def _number(raw: str | None) -> int | None:
    """A KR number from digits, a Chinese numeral or an ordinal word; -1 for "last"; None when absent."""
    if not raw:
        return None
    raw = raw.strip().lower()
    if raw.isdigit():
        return int(raw)
    numerals = intent_table()["numerals"]
    if raw in numerals:
        return int(numerals[raw])
    if raw in ("top", "front", "最前", "最前面", "第一", "首位"):
        return 1
    if raw in ("end", "bottom", "最后面", "末尾"):
        return -1
    return None


def _groups(match: re.Match[str], original: str) -> dict[str, str]:
    """The named groups of a match, read from the original text (full-width kept in the wording)."""
    out: dict[str, str] = {}
    for name, value in match.groupdict().items():
        if value is None:
            continue
        start, end = match.span(name)
        key = name.rstrip("0123456789")  # n2 → n: a second group for the same slot
        out.setdefault(key, original[start:end].strip())
    return out


def _intent(name: str, groups: Mapping[str, str]) -> Intent:
    return Intent(
        name=name,
        n=_number(groups.get("n")),
        to=_number(groups.get("to")),
        o=_number(groups.get("o")),
        text=groups.get("text", ""),
        value=groups.get("value", ""),
    )


def _order(language: str) -> tuple[str, ...]:
    first = language_of(language)
    return (first, *(other for other in LANGUAGES if other != first))


def _any(patterns: Sequence[re.Pattern[str]], text: str) -> bool:
    return any(p.search(text) for p in patterns)


def is_question(text: str) -> bool:
    """A question in either language: a ？/? at the end or a question word at the start."""
    half = text.translate(_HALF_WIDTH)
    return _any(_patterns("fallback", "question_zh"), half) or _any(_patterns("fallback", "question_en"), half)


def reads_as_kr(text: str) -> bool:
    """A line with a figure, a list mark or a result or metric word: what a key result usually has."""
    half = text.translate(_HALF_WIDTH)
    return any(_any(_patterns("fallback", language), half) for language in LANGUAGES)


def classify(message: str, language: str, *, has_objective: bool) -> Intent:
    """The intent of one message (one line), with its slots. Never raises for odd input: "unknown" then."""
    original = " ".join(message.split()) if "\n" not in message else message.strip()
    half = original.translate(_HALF_WIDTH)
    if not half.strip():
        return Intent("unknown")
    asking = is_question(half)
    for rule in _rules():
        if asking and rule.intent in _SETTINGS:
            continue  # "KR 需要写截止日期吗？" asks about deadlines; it sets none
        for lang in _order(language):
            for pattern in rule.patterns[lang]:
                match = pattern.search(half)
                if match:
                    return _completed(_intent(rule.intent, _groups(match, original)), half)
    if asking:
        return Intent("guidance")
    if not has_objective and _long_enough(half):
        return Intent("set_objective", text=original.strip())
    if reads_as_kr(half):
        return Intent("add_kr", text=original.strip())
    return Intent("unknown")


def _completed(intent: Intent, text: str) -> Intent:
    """Slots a rule leaves open: the KR a rewrite, question or review request names anywhere; "move KR3
    up" without a place means to the top."""
    if intent.name in _KR_ANYWHERE and intent.n is None:
        match = _kr_number().search(text)
        if match:
            return replace(intent, n=_number(match["n"]))
    if intent.name == "move_kr" and intent.to is None:
        return replace(intent, to=1)
    return intent


_KR_ANYWHERE = frozenset({"rewrite", "questions", "review"})
_SETTINGS = frozenset({"set_cycle", "set_team", "set_owner", "set_deadline", "set_confidence"})


@cache
def _kr_number() -> re.Pattern[str]:
    table = intent_table()
    return _compile(r"{kr}\s*#?\s*(?P<n>{num})", table["macros"], "KR number")


def _long_enough(text: str) -> bool:
    """Enough words to be an objective: five Chinese characters or three English words, not one repeated."""
    han = re.findall(r"[\u4e00-\u9fff]", text)
    words = re.findall(r"[A-Za-z]+", text)
    return (len(han) >= 5 and len(set(han)) >= 3) or len(words) >= 3


def wish_in(message: str, language: str) -> str:
    """What a context statement says the team wants ("想提升客户满意度" → "提升客户满意度"), or ""."""
    half = message.translate(_HALF_WIDTH)
    table = intent_table()["context"]
    for lang in _order(language):
        for pattern in table[lang]:
            match = re.search(pattern, half, re.IGNORECASE)
            if match:
                start, end = match.span("wish")
                return message[start:end].strip(" ，,。.")
    return ""
