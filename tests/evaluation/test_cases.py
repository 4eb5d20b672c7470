"""Case files: what loads, and clear messages (file:line, id, field) for what does not."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.evaluation import KINDS, load_suite

CASES = Path(__file__).resolve().parent / "cases"
SHIPPED = Path(__file__).resolve().parents[2] / "evals"


def test_fixture_cases_load_by_kind():
    suite = load_suite(CASES)
    assert suite.problems == []
    assert suite.counts() == {"rules": 3, "rewrite": 2, "questions": 2, "retrospective": 1, "adversarial": 2}
    injection = next(c for c in suite.cases if c.id == "a-zh-inject")
    assert (injection.kind, injection.task, injection.attack) == ("adversarial", "rewrite", "injection")
    retro = next(c for c in suite.cases if c.kind == "retrospective")
    assert [kr.id for _, kr in retro.sets[0].key_results()] == ["KR1", "KR2", "KR3"]  # positional ids filled in


def test_bad_lines_are_reported_and_the_rest_still_load(tmp_path):
    for kind in KINDS:
        (tmp_path / f"{kind}.jsonl").write_text((CASES / f"{kind}.jsonl").read_text("utf-8"), "utf-8")
    lines = [
        '{"id": "r-zh-vague", "lang": "zh", "sets": [{"team": "A", "objectives": []}], "must": [], "must_not": []}',
        "{not json",
        '{"id": "x1", "lang": "fr", "sets": [], "must": [], "must_not": []}',
        '{"id": "x2", "lang": "zh", "sets": [{"team": "A", "objectives": []}], "must": ["NOPE9"], "must_not": []}',
        '{"id": "x3", "lang": "zh", "sets": [{"team": "A", "objectives": [{"text": "O", "key_results": '
        '[{"text": "K", "confidence": "很高"}]}]}], "must": [], "must_not": []}',
    ]
    with (tmp_path / "rules.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    (tmp_path / "questions.jsonl").write_text(
        json.dumps({"id": "q9", "lang": "zh", "objective": "O", "expect": {"topics": ["基线"]}}) + "\n", "utf-8"
    )
    suite = load_suite(tmp_path)
    problems = "\n".join(suite.problems)
    assert "rules.jsonl:4: id 'r-zh-vague' already used at rules.jsonl:1" in problems
    assert "rules.jsonl:5: not JSON" in problems
    assert "rules.jsonl:6 (x1): lang: expected zh or en" in problems
    assert "rules.jsonl:7 (x2): must: unknown rule codes NOPE9" in problems
    assert "rules.jsonl:8 (x3): sets:" in problems and "confidence" in problems
    assert "questions.jsonl:1 (q9): expect.topics" in problems
    assert suite.counts()["rules"] == 3  # the good lines still load


def test_huge_cases_repeat_their_primary_text(tmp_path):
    for kind in KINDS:
        (tmp_path / f"{kind}.jsonl").write_text("", "utf-8")
    huge = {"id": "h1", "lang": "zh", "task": "rules", "attack": "huge", "repeat": 50, "must": [], "must_not": []}
    huge["sets"] = [{"team": "A", "objectives": [{"text": "让客户满意", "key_results": [{"text": "提升满意度"}]}]}]
    (tmp_path / "adversarial.jsonl").write_text(json.dumps(huge, ensure_ascii=False) + "\n", "utf-8")
    suite = load_suite(tmp_path)
    assert suite.problems == []
    assert len(suite.cases[0].sets[0].objectives) == 50


def test_shipped_suite_loads_cleanly_and_is_big_enough():
    suite = load_suite(SHIPPED / "cases")
    assert suite.problems == []
    counts = suite.counts()
    assert set(counts) == set(KINDS)
    retrieval = (SHIPPED / "retrieval" / "queries.yaml").read_text("utf-8").count("\n  - q:")
    assert sum(counts.values()) + retrieval >= 150
    for kind in KINDS:
        languages = {c.language for c in suite.cases if c.kind == kind}
        assert languages == {"zh", "en"}, kind
    assert any("worked-example" in c.tags for c in suite.cases if c.kind == "rules")
