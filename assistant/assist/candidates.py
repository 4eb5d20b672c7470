"""Check one rewrite candidate before anyone sees it: the CLASSIC rules, invented numbers, language.

Every candidate, from the LLM or from the offline templates, goes through :func:`check_candidate`:

- **Rules.** The candidate's text is checked by the engine as the only KR of a one-objective set.
  Placeholders (〔基线〕, [target] …) are first replaced by sample values, so that a template such as
  "满意度从〔基线〕提升到〔目标值〕" is judged as the filled-in sentence it will become; the placeholders
  themselves are reported, never counted as errors.
- **Invented numbers.** A figure in the candidate's text, baseline, target or deadline that appears
  in none of the inputs (the KR, its objective, the user's context) and in none of the candidate's
  own ``assumptions``. Figures are compared by value with the project's number analysis, so "30%",
  "30 %", "百分之三十" and "1.5万" / "15000" match; ids and labels (P95, KR2, 5 级) are not figures.
  Dates count too when they carry numbers ("9月30日", "Q3", "2025-09-30", "within 3 months"): a date
  the user never gave is an invented fact like any other, and the prompts tell the LLM to leave it as
  〔截止日期〕. A date is matched by its numeric parts (9月30日 = September 30 = {9, 30}); one without
  numbers ("季度末", "end of the quarter") is never invented.
- **Language.** The candidate must be written in the language asked for.

:func:`feedback` turns a failed check into the short list of fixes sent back to the LLM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..analysis.language import detect_language
from ..analysis.numbers import parse_number
from ..analysis.quantities import Quantity, find_quantities
from ..analysis.timebounds import find_timebound
from ..config import Config
from ..engine import check
from ..findings import Dimension, Finding, Severity
from ..model import KeyResult, Objective, OKRSet
from ..rules.catalogue import tagged
from ..shipped import data_table
from ..texts import LANGUAGES
from .schemas import RewriteCandidate
from .wording import one_line

__all__ = [
    "PLACEHOLDERS",
    "CandidateCheck",
    "check_candidate",
    "feedback",
    "figure_text",
    "fill_placeholders",
    "numbers_in",
    "placeholders_in",
    "suggestions",
]

KR_REF = "O1.KR1"

# Findings left out of a candidate's verdict, because a one-KR set causes them or the KR's wording
# cannot change them:
# - focused: FOC003/FOC004 flag an objective with a single KR, FOC001/FOC002/FOC005/FOC006 count
#   objectives and KRs of a whole set; a lone candidate says nothing about either.
# - aligned: parent KRs, handshakes and duplicates between teams are properties of the set and its
#   neighbours, none of which exist here.
# - owned: the owner is a field, not part of the sentence (and is filled with a neutral name anyway).
EXCLUDED_DIMENSIONS = frozenset({Dimension.focused, Dimension.aligned, Dimension.owned})
# - within the other dimensions, only the rules about wording (tag "wording" in data/rules.toml): the
#   confidence field and cycle-end scores are not set by the check, and a verdict is about wording.
WORDING_CODES = tagged("wording")

_DIGIT_RUN = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?")
_CHINESE_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_NUMBERS = {**{m: i for i, m in enumerate(_MONTHS, 1)}, **{m[:3]: i for i, m in enumerate(_MONTHS, 1)}}
_MONTH_NUMBERS["sept"] = 9
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + r")\b", re.IGNORECASE)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")
_SPACES = re.compile(r"\s+")
# The digits of a figure with a scale word or percent sign right after them: "1.5 万", "30%", "3k".
_FIGURE = re.compile(r"[0-9０-９][0-9０-９.,．，]*(?:\s?(?:万|亿|千|百万|千万|[kKM](?![A-Za-z])|%|％))?")


# ---------------------------------------------------------------- data


def suggestions() -> Mapping[str, Any]:
    """The word lists and templates of ``assistant/data/suggestions.toml``."""
    return data_table("suggestions")


def _placeholder_table() -> dict[str, dict[str, str]]:
    table = suggestions()["placeholders"]
    return {lang: dict(table[lang]) for lang in LANGUAGES}


PLACEHOLDERS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {lang: MappingProxyType(slots) for lang, slots in _placeholder_table().items()}
)
"""Placeholder tokens by language and slot: ``PLACEHOLDERS["zh"]["target"] == "〔目标值〕"``."""

# token -> (language, slot), for every language's tokens
_TOKENS: dict[str, tuple[str, str]] = {
    token: (lang, slot) for lang, slots in PLACEHOLDERS.items() for slot, token in slots.items()
}
_TOKEN_PATTERN = re.compile("|".join(re.escape(t) for t in sorted(_TOKENS, key=len, reverse=True)))


def placeholders_in(text: str) -> list[str]:
    """The placeholder tokens in ``text`` (either language's), each once, in order of appearance."""
    return list(dict.fromkeys(m.group() for m in _TOKEN_PATTERN.finditer(text or "")))


def fill_placeholders(text: str, language: str) -> str:
    """``text`` with each placeholder replaced by a plausible sample value, as the rules should see it.

    Baseline and target become two different numbers that do not already occur in the text; a
    deadline becomes a date phrase and a metric a noun in the token's own language; an owner a name.
    """
    if not _TOKEN_PATTERN.search(text):
        return text
    samples = suggestions()["samples"]
    present = {_number_key(q.value) for q in find_quantities(_TOKEN_PATTERN.sub(" ", text))}
    pairs = samples["number_pairs"]
    baseline, target = next(
        ((b, t) for b, t in pairs if _number_key(float(b)) not in present and _number_key(float(t)) not in present),
        pairs[0],
    )

    def sample(match: re.Match[str]) -> str:
        token_language, slot = _TOKENS[match.group()]
        if slot == "baseline":
            return baseline
        if slot == "target":
            return target
        value = samples[token_language][slot]
        # an English word glued to Chinese text reads as a separate word only with spaces around it
        return f" {value} " if token_language == "en" and language == "zh" else value

    return _TOKEN_PATTERN.sub(sample, text)


# ---------------------------------------------------------------- numbers


def _number_key(value: float) -> float:
    return round(value, 6)


def _integers(text: str) -> set[int]:
    """The whole numbers written in a date or period: digits, Chinese numerals, English month names."""
    out: set[int] = set()
    for match in _DIGIT_RUN.finditer(text):
        value = float(match.group().translate(_FULL_WIDTH))
        if value.is_integer():
            out.add(int(value))
    for match in _CHINESE_NUMERAL_RUN.finditer(text):
        number = parse_number(match.group())
        if number is not None and number.is_integer():
            out.add(int(number))
    for match in _MONTH_WORD.finditer(text):
        out.add(_MONTH_NUMBERS[match.group(1).lower()])
    return out


def _time_bounds(text: str) -> list[str]:
    """Every deadline-like phrase in ``text``, in order (the scanner finds one; look again after it)."""
    found: list[str] = []
    rest = text
    while rest:
        bound = find_timebound(rest)
        if bound is None:
            break
        found.append(bound.text)
        rest = rest[bound.span[1] :]
    return found


@dataclass(frozen=True, slots=True)
class NumberFacts:
    """The figures of some texts, by value, and the whole numbers of their dates."""

    values: frozenset[float]
    date_parts: frozenset[int]


def numbers_in(texts: Iterable[str]) -> NumberFacts:
    """What the inputs (or a candidate's assumptions) say in numbers, read generously.

    Figures found by the number analysis, every run of digits (so a figure the analysis reads as a
    label still counts as given) and the numeric parts of dates. Generous on purpose: a number the
    user wrote anywhere is not invented.
    """
    values: set[float] = set()
    parts: set[int] = set()
    for text in texts:
        if not text:
            continue
        values.update(_number_key(q.value) for q in find_quantities(text))
        for match in _DIGIT_RUN.finditer(text):
            value = float(match.group().translate(_FULL_WIDTH))
            values.add(_number_key(value))
            if value.is_integer():
                parts.add(int(value))
        for bound in _time_bounds(text):
            parts.update(_integers(bound))
        parts.update(_MONTH_NUMBERS[m.group(1).lower()] for m in _MONTH_WORD.finditer(text))
    parts.update(int(v) for v in values if float(v).is_integer())
    return NumberFacts(frozenset(values), frozenset(parts))


def figure_text(quantity: Quantity) -> str:
    """A figure as written, without unit or comparator: "250 毫秒以内" → "250", "30%" → "30%"."""
    match = _FIGURE.search(quantity.text)
    return match.group().strip() if match else quantity.text.strip()


def invented_numbers(texts: Sequence[str], known: NumberFacts) -> list[str]:
    """Figures and dated deadlines in ``texts`` that ``known`` does not hold, as written.

    Each value (or each date, by its numeric parts) is listed once, as first written.
    """
    out: dict[object, str] = {}
    for raw in texts:
        text = _TOKEN_PATTERN.sub(" ", raw or "")
        if not text.strip():
            continue
        for quantity in find_quantities(text):
            key = _number_key(quantity.value)
            if key not in known.values:
                out.setdefault(key, figure_text(quantity))
        for bound in _time_bounds(text):
            parts = frozenset(_integers(bound))
            if parts and not parts <= known.date_parts:
                out.setdefault(parts, bound.strip())
    return list(out.values())


# ---------------------------------------------------------------- the check


@dataclass(frozen=True, slots=True)
class CandidateCheck:
    """The verdict on one candidate."""

    findings: list[Finding]  # the engine's findings on the candidate (placeholders filled), exclusions applied
    errors: list[Finding]  # those of severity error
    placeholders: list[str]  # placeholder tokens left in the candidate, for the team to fill
    invented_numbers: list[str]  # figures and dates found in no input and no assumption, as written
    language_ok: bool  # the candidate's text is in the language asked for

    @property
    def passed(self) -> bool:
        """No error finding, no invented number, the right language."""
        return not self.errors and not self.invented_numbers and self.language_ok


def _one_kr_set(objective: str, kr_text: str, language: str) -> OKRSet:
    owner = suggestions()["neutral_owner"][language]
    return OKRSet(
        team="-",
        owner=owner,
        objectives=[
            Objective(
                id="O1",
                text=objective,
                owner=owner,
                key_results=[KeyResult(id="KR1", text=kr_text, owner=owner)],
            )
        ],
    )


def candidate_findings(text: str, *, objective: str, language: str, config: Config | None = None) -> list[Finding]:
    """The engine's findings on ``text`` as the only KR under ``objective``, placeholders filled, exclusions applied."""
    settings = (config or Config()).with_options(language=language)
    okr_set = _one_kr_set(objective or "", fill_placeholders(text, language), language)
    return [
        f
        for f in check([okr_set], settings)
        if f.key_result == KR_REF and f.dimension not in EXCLUDED_DIMENSIONS and f.code in WORDING_CODES
    ]


def check_candidate(
    candidate: RewriteCandidate,
    *,
    objective: str,
    inputs: Sequence[str],
    language: str,
    config: Config | None = None,
) -> CandidateCheck:
    """Check one candidate against the rules, the inputs' numbers and the language asked for.

    ``inputs`` are the texts the user gave (KR, objective, context); a number in any of them, or in
    one of the candidate's ``assumptions``, is not invented. Raises ValueError for a language other
    than zh or en.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be zh or en, not {language!r}")
    findings = candidate_findings(candidate.text, objective=objective, language=language, config=config)
    fields = [candidate.text, candidate.baseline, candidate.target, candidate.deadline]
    placeholders = placeholders_in(" ".join([*fields, candidate.metric]))
    known = numbers_in([*inputs, *candidate.assumptions])
    invented = invented_numbers(fields, known)
    language_ok = bool(candidate.text.strip()) and detect_language(candidate.text) == language
    errors = [f for f in findings if f.severity is Severity.error]
    return CandidateCheck(findings, errors, placeholders, invented, language_ok)


def feedback(check: CandidateCheck, language: str) -> str:
    """What to fix, one line each: error and warning findings (code, message, fix), invented numbers,
    the wrong language. Empty when there is nothing to fix. Sent back to the LLM with the candidate.
    """
    table = suggestions()["feedback"]["zh" if language == "zh" else "en"]
    lines: list[str] = []
    ranked = sorted(
        (f for f in check.findings if f.severity in (Severity.error, Severity.warning)),
        key=lambda f: -f.severity.rank,
    )
    for finding in ranked:
        lines.append(
            table["finding"].format(
                code=finding.code,
                severity=table["severity"][finding.severity.value],
                message=one_line(finding.message),
                fix=one_line(finding.fix),
            )
        )
    lines.extend(table["invented"].format(number=number) for number in check.invented_numbers)
    if not check.language_ok:
        lines.append(table["language"])
    return "\n".join(lines)
