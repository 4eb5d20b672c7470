"""User-facing words are data: every text table is listed, symmetric in zh and en, and read by one loader."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from assistant.shipped import data_table
from assistant.texts import LANGUAGES, TEXT_TABLES, TextError, Words, check_symmetry, language_of, words

PACKAGE = Path(__file__).resolve().parent.parent / "assistant"
DATA = PACKAGE / "data"

# Modules whose words have moved to text tables: none of them may hold a {"zh": …, "en": …} literal or its own
# language list again. (assist/ and app/ have their own owners and tests; rules/ keeps its rule table.)
MOVED = (
    "reports",
    "importers",
    "checkin",
    "cli/__init__.py",
    "cli/_common.py",
    "cli/alignment_map.py",
    "cli/checkin.py",
    "cli/doctor.py",
    "alignment_map.py",
    "triage.py",
    "engine.py",
    "evaluation/cases.py",
    "llm/prompts.py",
)


def test_languages_are_chinese_first_then_english() -> None:
    assert LANGUAGES == ("zh", "en")
    assert language_of("en") == "en" and language_of("fr") == "zh" and language_of(None) == "zh"


@pytest.mark.parametrize("name", TEXT_TABLES)
def test_every_text_table_has_the_same_keys_and_fields_in_both_languages(name: str) -> None:
    raw = data_table(name)
    assert check_symmetry(name, raw) == []
    table = words(name)
    assert table.keys(), name
    for language in LANGUAGES:
        assert set(table.table(language)) == set(table.keys())


def test_every_data_file_with_language_tables_is_a_listed_text_table() -> None:
    found = set()
    for path in sorted(DATA.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        if any(isinstance(raw.get(language), dict) for language in LANGUAGES):
            found.add(path.stem)
    assert found == set(TEXT_TABLES)


def test_asymmetry_is_found_in_keys_types_fields_and_nested_tables() -> None:
    raw = {
        "zh": {"a": "一", "b": "{n} 个", "c": ["甲"], "d": {"x": "{m}"}, "only": "仅"},
        "en": {"a": "one", "b": "{count} items", "c": "first", "d": {"x": "{m}", "y": "extra"}},
    }
    problems = check_symmetry("t", raw)
    assert "t.toml: only only in [zh]" in problems
    assert any(p.startswith("t.toml: b has fields") for p in problems)
    assert any(p.startswith("t.toml: c is a list in zh") for p in problems)
    assert "t.toml: d.y only in [en]" in problems
    assert check_symmetry("t", {"zh": {}}) == ["t.toml: no [en] table"]


def test_words_fill_fields_and_refuse_a_list_as_one_text() -> None:
    table = Words("t", {"zh": {"n": "{count} 条", "l": ["甲", "乙"]}, "en": {"n": "{count} items", "l": ["a", "b"]}})
    assert table.get("zh", "n", count=3) == "3 条" and table.get("en", "n", count=3) == "3 items"
    assert table.items("en", "l") == ("a", "b")
    with pytest.raises(TextError):
        table.get("zh", "l")


def _language_literals(tree: ast.AST) -> list[int]:
    """Lines of dict literals keyed by both languages, and of assignments to a LANGUAGES of one's own."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            if set(LANGUAGES) <= keys:
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(target, ast.Name) and target.id == "LANGUAGES" for target in targets):
                lines.append(node.lineno)
    return lines


def test_moved_modules_hold_no_words_of_their_own() -> None:
    paths = []
    for entry in MOVED:
        path = PACKAGE / entry
        paths += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    offenders = {
        str(path.relative_to(PACKAGE)): lines
        for path in paths
        if (lines := _language_literals(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}
