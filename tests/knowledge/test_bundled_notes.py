"""The notes shipped in knowledge/: well-formed, and complete for every rule of the engine."""

from __future__ import annotations

import re

import pytest

from assistant.findings import Dimension
from assistant.knowledge import bundled_knowledge_dir, load_notes
from assistant.rules.catalogue import rules

SEEDS = {"000_de468071d2dd5391.txt", "003_a0b1129a12c1cd62.txt", "004_9f5c4140fad59144.txt"}
_CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def book():
    return load_notes(bundled_knowledge_dir())


def test_every_bundled_note_parses(book):
    assert book.problems == ()
    assert len(book) >= 25


def test_every_rule_points_to_a_note_that_lists_it(book):
    for info in rules().values():
        note = book.get(info.note)
        assert note is not None, f"{info.code} points to missing note {info.note!r}"
        assert info.code in note.rules, f"{info.note} does not list {info.code} in its front matter"


def test_notes_claim_only_rules_that_point_to_them(book):
    table = rules()
    for note in book:
        for code in note.rules:
            assert code in table, (note.id, code)
            assert table[code].note == note.id, f"{note.id} lists {code}, which points to {table[code].note}"


def test_each_dimension_has_a_note(book):
    covered = {d for note in book for d in note.dimensions}
    assert covered == set(Dimension)


def test_notes_are_chinese_first_with_an_english_section(book):
    for note in book:
        assert _CJK.search(note.title["zh"]) and not _CJK.search(note.title["en"]), note.id
        assert note.sections[-1].heading == "In English", note.id
        assert len(note.sections[-1].text.split()) >= 60, note.id
        chinese = sum(len(_CJK.findall(s.text)) for s in note.sections if s.language == "zh")
        assert chinese >= 600, (note.id, chinese)
        assert len(note.summary["zh"]) <= 100 and len(note.summary["en"].split()) <= 40, note.id


def test_notes_name_their_sources(book):
    for note in book:
        assert {s.doc for s in note.sources} <= SEEDS, note.id
        assert all(s.section.strip() for s in note.sources), note.id


def test_planned_topics_are_covered(book):
    expected = {
        "o-kr-action", "classic-standard", "five-four-principle", "okr-counts-by-level", "confidence-index",
        "scoring", "okr-vs-kpi", "common-traps", "co-creation-workshop", "workshop-principles", "three-d-method",
        "o-voting-consensus", "guiding-questions-o", "guiding-questions-kr", "worked-example-tech-team",
        "handshake-meeting", "alignment-types", "annual-vs-quarterly", "team-dream", "business-stage-workshop",
        "cynefin-domains", "enabling-rhythm", "retrospective", "product-engineering-okrs",
    }  # fmt: skip
    assert expected <= set(book.notes)
