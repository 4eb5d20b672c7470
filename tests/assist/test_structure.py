"""assist/ keeps one home per shared piece (issue 16, items 5 and 6): the language list comes from
assistant.texts, shared helpers are defined once, and user-facing words live in data tables."""

from __future__ import annotations

import re
from pathlib import Path

from assistant.assist.offline import obstacle_guess
from assistant.texts import TEXT_TABLES, words

ASSIST = Path(__file__).resolve().parents[2] / "assistant" / "assist"


def _sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in ASSIST.glob("*.py")}


def test_the_language_list_has_one_owner():
    for name, source in _sources().items():
        assert not re.search(r"^LANGUAGES\s*=", source, re.MULTILINE), name


def test_shared_helpers_are_defined_once():
    for helper in ("unique", "normalised", "one_line", "_squash", "_one_line", "_normalised", "_unique"):
        homes = [name for name, source in _sources().items() if re.search(rf"^def {helper}\(", source, re.MULTILINE)]
        assert len(homes) <= 1, (helper, homes)
    assert "def unique(" in _sources()["wording.py"] and "class LeakGuard" in _sources()["prompting.py"]
    assert "class NotePassage" in _sources()["passages.py"]


def test_task_labels_are_data_tables_not_dicts():
    for name, source in _sources().items():
        assert not re.search(r"^_?[A-Z_]*LABELS\s*=\s*\{", source, re.MULTILINE), name
    for table in ("drafting", "rewrite_texts", "questions_texts", "retrospective_texts"):
        assert table in TEXT_TABLES
        assert words(table).keys()  # loads, and is symmetric (words() checks)


def test_obstacle_guesses_say_when_they_are_unsure():
    assert obstacle_guess("IT 部把排期推到了 9 月下旬，需要 IT 部改造接口。") == ("collaboration", True)
    assert obstacle_guess("监管政策调整，审批晚了两个月，我们无法控制。") == ("other", True)
    kind, sure = obstacle_guess("预算晚了。")  # one cue: a guess, said to be one
    assert kind == "resources" and not sure
    assert obstacle_guess("") == ("other", False)
