"""UI strings of every report format, in Chinese and English, from ``assistant/data/report_labels.toml``.

Rule titles and dimension labels come from the rule table (``assistant.rules.catalogue``),
note titles and explanations from the knowledge notes (``Review.notes``); this module holds
only the words the reports themselves add: headings, column names, severity names and
summary phrases.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..findings import ProblemLevel, Severity
from ..model import level_name
from ..review import Review, Suggestion
from ..texts import LANGUAGES, words

TABLE = "report_labels"  # assistant/data/report_labels.toml


def language_of(review: Review) -> str:
    """The report language: ``zh`` for any Chinese tag (zh, zh-CN, zh_TW…), else ``en``."""
    lang = (review.language or "").strip().lower()
    return "zh" if lang.startswith("zh") else "en"


def labels(lang: str) -> Mapping[str, str]:
    """Every UI string of one language; unknown languages get English."""
    return words(TABLE).table(lang if lang in LANGUAGES else "en")


def label(key: str, lang: str) -> str:
    """One UI string, e.g. ``label("summary", "zh") == "汇总"``."""
    return labels(lang)[key]


def severity_label(severity: Severity | str, lang: str) -> str:
    """严重 / 警告 / 提示 or Error / Warning / Info."""
    return labels(lang)[str(severity)]


def problem_label(level: ProblemLevel | str, lang: str) -> str:
    """How an input problem is named: unreadable (error) or ignored (warning)."""
    return labels(lang)[f"problem_{level}"]


def level_label(level: str | None, lang: str) -> str:
    """公司 / 部门 / 团队… for an organisational level key; empty for none, the key itself if unknown."""
    return level_name(level, lang)


def top_heading(count: int, lang: str) -> str:
    """``优先修改的 3 项`` / ``Top 3 to fix``: the heading of a set's most important findings."""
    return label("top_to_fix", lang).format(n=count)


def shows_top(top: list, findings: list) -> bool:
    """A set's section opens with its top findings only when it has more; otherwise the list would repeat it."""
    return bool(top) and len(findings) > len(top)


def html_lang(lang: str) -> str:
    """Value of ``<html lang>`` for a report language."""
    return "zh-CN" if lang == "zh" else "en"


def suggestion_status(suggestion: Suggestion, lang: str) -> str:
    """One line on how a KR's rewrite suggestions were made: LLM pass count, offline templates, or failure."""
    parts = []
    if suggestion.error:
        parts.append(label("suggest_error", lang))
    if suggestion.mode == "offline":
        parts.append(label("suggest_offline", lang))
    elif suggestion.passed:
        parts.append(label("suggest_passed", lang).format(passed=suggestion.passed, checked=suggestion.checked))
    else:
        parts.append(label("suggest_none", lang))
    return label("joiner", lang).join(parts)
