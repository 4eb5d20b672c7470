"""UI strings: both languages complete, sensible fallbacks."""

from __future__ import annotations

import string

from assistant.findings import ProblemLevel, Severity
from assistant.model import Level
from assistant.reports._labels import (
    TABLE,
    html_lang,
    label,
    language_of,
    level_label,
    problem_label,
    severity_label,
)
from assistant.review import Review
from assistant.texts import TEXT_TABLES, check_symmetry, words


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_languages_have_the_same_keys_and_placeholders() -> None:
    table = words(TABLE)
    assert TABLE in TEXT_TABLES
    assert check_symmetry(TABLE, table.by_language) == []
    for key, zh in table.table("zh").items():
        assert zh.strip(" （）()") or key.startswith("found_"), key
        assert _placeholders(zh) == _placeholders(table.table("en")[key]), key


def test_severity_problem_and_level_labels() -> None:
    assert [severity_label(s, "zh") for s in Severity] == ["严重", "警告", "提示"]
    assert [severity_label(s, "en") for s in Severity] == ["Error", "Warning", "Info"]
    assert problem_label(ProblemLevel.error, "zh") == "无法读取"
    assert problem_label(ProblemLevel.warning, "en") == "Note"
    assert level_label(Level.department, "zh") == "部门"
    assert level_label("team", "en") == "Team"
    assert level_label(None, "zh") == ""
    assert level_label("squad", "zh") == "squad"


def test_language_fallbacks() -> None:
    def review(lang: str) -> Review:
        return Review(inputs=[], sets=[], findings=[], language=lang)

    assert [language_of(review(x)) for x in ("zh", "zh-CN", "ZH_tw", "en", "en-GB", "fr", "")] == [
        "zh",
        "zh",
        "zh",
        "en",
        "en",
        "en",
        "en",
    ]
    assert label("summary", "zh") == "汇总"
    assert label("summary", "fr") == "Summary"
    assert html_lang("zh") == "zh-CN" and html_lang("en") == "en"
