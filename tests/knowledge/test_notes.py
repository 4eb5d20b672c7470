import json
from pathlib import Path

import pytest
import yaml
from notes_fixture import note_text, write_notes

from assistant.findings import Dimension
from assistant.knowledge import NoteError, load_notes
from assistant.knowledge import notes as notes_module
from assistant.knowledge.notes import parse_note, split_sections


def test_a_note_parses_into_titles_summaries_rules_and_sections(tmp_path):
    path = tmp_path / "handshake.md"
    note = parse_note(note_text("handshake"), path)
    assert note.id == "handshake"
    assert note.title_in("zh") == "握手会" and note.title_in("en") == "The handshake meeting"
    assert note.summary_in("en") == "Teams confirm what they need from each other."
    assert note.rules == ("ALI005", "ALI006")
    assert note.dimensions == (Dimension.aligned,)
    assert [s.heading for s in note.sections] == ["步骤", "In English"]
    assert [s.language for s in note.sections] == ["zh", "en"]
    assert note.sources[0].doc == "003_a0b1129a12c1cd62.txt"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rules": "MEA1"}, "rules"),
        ({"dimensions": "speed"}, "dimensions"),
        ({"title": "''"}, "title"),
    ],
)
def test_a_bad_field_is_named_with_the_file(tmp_path, change, field):
    path = tmp_path / "handshake.md"
    with pytest.raises(NoteError, match=rf"handshake\.md: field {field}"):
        parse_note(note_text("handshake", **change), path)


def test_the_id_must_match_the_file_name(tmp_path):
    with pytest.raises(NoteError, match="differs from the file name"):
        parse_note(note_text("handshake"), tmp_path / "other.md")


def test_missing_front_matter_fields_and_sections_are_reported(tmp_path):
    with pytest.raises(NoteError, match="no front matter"):
        parse_note("# 握手会\n\n## 步骤\n文字", tmp_path / "handshake.md")
    text = note_text("handshake").replace("summary_en: Teams confirm what they need from each other.\n", "")
    with pytest.raises(NoteError, match="lacks summary_en"):
        parse_note(text, tmp_path / "handshake.md")
    body_only_title = note_text("handshake").split("# 握手会")[0] + "# 握手会\n只有标题。\n"
    with pytest.raises(NoteError, match="no '## ' sections"):
        parse_note(body_only_title, tmp_path / "handshake.md")


def test_sections_split_at_level_two_headings_only():
    sections = list(split_sections("# T\nintro\n## 一\n甲\n### 细节\n乙\n## In English\ntext\n"))
    assert [(s.heading, s.text) for s in sections] == [("一", "甲\n### 细节\n乙"), ("In English", "text")]


def test_load_notes_skips_bad_files_and_reports_them(tmp_path: Path):
    folder = write_notes(tmp_path / "notes", ("confidence", "owners"))
    (folder / "broken.md").write_text("---\nid: [\n---\n## x\ny\n", encoding="utf-8")
    (folder / "PLAN.md").write_text("working notes, not a note", encoding="utf-8")
    book = load_notes(folder)
    assert sorted(book.notes) == ["confidence", "owners"]
    assert len(book.problems) == 1 and "broken.md" in book.problems[0] and "YAML" in book.problems[0]


def test_content_hash_changes_with_any_note(tmp_path):
    folder = write_notes(tmp_path / "notes")
    before = load_notes(folder).content_hash()
    assert load_notes(folder).content_hash() == before
    path = folder / "owners.md"
    path.write_text(path.read_text(encoding="utf-8").replace("唯一的负责人", "一个负责人"), encoding="utf-8")
    assert load_notes(folder).content_hash() != before


# ------------------------------------------------------------------ the front-matter cache


def _without_yaml(monkeypatch) -> None:
    """Make parsing YAML fail loudly, so a test sees that front matter came from the cache."""

    def refuse(source: str, path: Path) -> object:
        raise AssertionError(f"{path} was parsed again")

    monkeypatch.setattr(notes_module, "_parse_yaml", refuse)


def test_cached_front_matter_gives_the_same_notes_without_parsing_yaml(tmp_path, monkeypatch):
    folder = write_notes(tmp_path / "notes")
    cache = tmp_path / "data" / "front-matter.json"
    parsed = load_notes(folder)
    assert load_notes(folder, cache=cache).notes == parsed.notes  # first run: parsed, then saved
    assert cache.is_file()
    _without_yaml(monkeypatch)
    again = load_notes(folder, cache=cache)
    assert again.notes == parsed.notes and again.problems == ()


def test_an_edited_note_is_parsed_again_and_the_old_entry_dropped(tmp_path):
    folder = write_notes(tmp_path / "notes")
    cache = tmp_path / "front-matter.json"
    load_notes(folder, cache=cache)
    before = set(json.loads(cache.read_text(encoding="utf-8"))["notes"])
    path = folder / "owners.md"
    path.write_text(path.read_text(encoding="utf-8").replace("One owner", "A single owner"), encoding="utf-8")
    book = load_notes(folder, cache=cache)
    assert book.notes["owners"].title_in("en") == "A single owner"
    after = set(json.loads(cache.read_text(encoding="utf-8"))["notes"])
    assert len(after) == len(before) == len(book) and after != before


def test_a_broken_or_foreign_cache_file_is_ignored_and_replaced(tmp_path):
    folder = write_notes(tmp_path / "notes")
    cache = tmp_path / "front-matter.json"
    for content in ("{not json", '{"version": 99, "notes": {}}', '["a list"]', "\udcff"):
        cache.write_text(content, encoding="utf-8", errors="surrogateescape")
        assert load_notes(folder, cache=cache).notes == load_notes(folder).notes
        assert json.loads(cache.read_text(encoding="utf-8"))["version"] == notes_module.FrontMatterCache.VERSION


def test_a_cache_that_cannot_be_written_only_costs_time(tmp_path):
    folder = write_notes(tmp_path / "notes")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    book = load_notes(folder, cache=blocker / "front-matter.json")
    assert book.notes == load_notes(folder).notes and book.problems == ()


def test_front_matter_json_cannot_keep_is_parsed_every_time(tmp_path):
    folder = write_notes(tmp_path / "notes", ("owners",))
    path = folder / "owners.md"
    text = path.read_text(encoding="utf-8").replace("id: owners\n", "id: owners\nreviewed: 2025-07-01\n")
    path.write_text(text, encoding="utf-8")
    cache = tmp_path / "front-matter.json"
    load_notes(folder, cache=cache)
    assert not cache.exists()  # a date would come back from JSON as text: nothing to keep, nothing written
    assert load_notes(folder, cache=cache).notes == load_notes(folder).notes


def test_a_yaml_error_reads_the_same_with_or_without_libyaml(tmp_path, monkeypatch):
    folder = write_notes(tmp_path / "notes", ())
    (folder / "broken.md").write_text("---\nid: [\n---\n## x\ny\n", encoding="utf-8")
    with_libyaml = load_notes(folder).problems
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert load_notes(folder).problems == with_libyaml
    assert "expected the node content" in with_libyaml[0]  # the pure parser's wording, whichever is installed
