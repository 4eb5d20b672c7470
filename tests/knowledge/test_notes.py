from pathlib import Path

import pytest
from notes_fixture import note_text, write_notes

from assistant.findings import Dimension
from assistant.knowledge import NoteError, load_notes
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
